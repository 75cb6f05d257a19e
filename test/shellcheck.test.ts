// Every bash or sh file the generator writes, for the reference lab, the English course and each
// lab of test/specs, passes `shellcheck -S warning` with zero findings (the generated header names
// the dialect; sourced files are followed with -x from their own folder).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { compileFiles } from '../generator/compile.js';
import { repoRoot } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const specsDir = join(repoRoot, 'test', 'specs');
const labs: { name: string; spec: string; templates?: string }[] = [
  { name: 'practica6', spec: join(repoRoot, 'examples', 'practica6.json') },
  { name: 'english-course', spec: join(repoRoot, 'examples', 'courses', 'english', 'lab.json'), templates: join(repoRoot, 'examples', 'courses', 'english', 'templates') },
  ...readdirSync(specsDir).filter((f) => f.endsWith('.json')).sort().map((f) => ({ name: f, spec: join(specsDir, f) })),
];

const isShell = (path: string, content: string) => path.endsWith('.sh') || /^#!\s*\/(usr\/)?bin\/(env )?(ba)?sh\b/.test(content);

test('shellcheck is installed (scripts/install-deps.sh)', () => {
  assert.is(spawnSync('sh', ['-c', 'command -v shellcheck']).status, 0, 'shellcheck not found: install the Debian package shellcheck');
});

for (const lab of labs) {
  test(`${lab.name}: every generated shell file passes shellcheck -S warning`, () => {
    const work = makeTemp(`shellcheck-${lab.name}`);
    try {
      const files = compileFiles(lab.spec, lab.templates ? [lab.templates] : []).files;
      for (const f of files) {
        mkdirSync(dirname(join(work, f.path)), { recursive: true });
        writeFileSync(join(work, f.path), f.content);
      }
      const shells = files.filter((f) => isShell(f.path, f.content));
      assert.ok(shells.length >= 20, `only ${shells.length} shell files found`);
      assert.ok(shells.some((f) => f.path === 'grade'), 'the lab folder\'s ./grade (no .sh suffix) is among the files checked');
      const byDir = new Map<string, string[]>();
      for (const f of shells) byDir.set(dirname(f.path), [...(byDir.get(dirname(f.path)) ?? []), basename(f.path)]);
      const findings: string[] = [];
      for (const [dir, names] of byDir) {
        const r = spawnSync('shellcheck', ['-S', 'warning', '-x', '-f', 'gcc', ...names], { cwd: join(work, dir), encoding: 'utf8' });
        if (r.status !== 0) findings.push(`${dir}:\n${r.stdout}${r.stderr}`);
      }
      assert.is(findings.join('\n'), '', `shellcheck findings:\n${findings.join('\n')}`);
    } finally {
      removeTemp(work);
    }
  });
}

test.run();
