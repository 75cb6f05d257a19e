// gen-lab on every current Node.js LTS line, not only the machine's own: for each Node binary the
// install step fetched from the npm registry (package `node@22`, `node@24`; scripts/install-deps.sh),
// a copy of the repository is built with it (tsc, templates, bundle, code cache) and the suites that
// exercise the generator run with it. The root-only suites (emulation, LXD, boot) run shell and
// daemons, not Node features, and run once, under the machine's own Node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support/cli.js';

export const NODE_LINES = ['22', '24'];
const nodeCache = process.env.GEN_LAB_NODE_CACHE ?? '/var/cache/gen-lab/node';
/** The suites that run the generator itself. The consumer suites (vagrant, cloud-init, haproxy...)
 * judge files, and the files are checked to be the same bytes as under the machine's own Node. */
const SUITES = ['validate', 'load-positions', 'resolve', 'determinism', 'templates', 'write', 'yaml-dump', 'cli', 'launch'];

const binaryOf = (line: string) => join(nodeCache, line, 'node_modules', '.bin', 'node');

function copyRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gen-lab-node-line-'));
  for (const entry of readdirSync(repoRoot)) {
    if (['node_modules', 'dist', '.git'].includes(entry)) continue;
    cpSync(join(repoRoot, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

for (const line of NODE_LINES) {
  test(`Node ${line}: builds and passes the generator's suites`, () => {
    const node = binaryOf(line);
    assert.ok(existsSync(node), `no Node ${line} at ${node}: scripts/install-deps.sh installs it from the npm registry`);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    assert.ok(version.startsWith(`v${line}.`), `expected Node ${line}, saw ${version}`);
    const dir = copyRepo();
    try {
      const env = { ...process.env, PATH: `${join(nodeCache, line, 'node_modules', '.bin')}:${process.env.PATH}` };
      const steps = [
        ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'],
        ['dist/generator/build-templates.js'],
        ['dist/generator/build-bundle.js'],
        ['dist/generator/build-code-cache.js'],
      ];
      for (const step of steps) {
        const r = spawnSync(node, step, { cwd: dir, env, encoding: 'utf8', timeout: 600_000 });
        assert.is(r.status, 0, `Node ${version}: ${step.join(' ')}\n${r.stdout}${r.stderr}`);
      }
      const run = spawnSync(node, ['test/run-all.js', ...SUITES], { cwd: dir, env, encoding: 'utf8', timeout: 1_800_000, maxBuffer: 64 * 1024 * 1024 });
      const last = (run.stdout ?? '').trim().split('\n').pop() ?? '';
      process.stdout.write(`Node ${version}: ${last}\n`);
      assert.is(run.status, 0, `Node ${version}: suites failed\n${(run.stdout ?? '').split('\n').filter((l) => /FAIL|failed/.test(l)).join('\n')}`);
      assert.match(last, /^\d+ passed, 0 failed/);
      // The same lab, byte for byte, as the machine's own Node writes it: what the consumer suites
      // judged holds for this line too.
      const mine = join(dir, 'out-mine');
      const theirs = join(dir, 'out-theirs');
      for (const [bin, out] of [[process.execPath, mine], [node, theirs]] as const) {
        const g = spawnSync(bin, ['bin/gen-lab.js', 'examples/practica6.json', '-o', out], { cwd: dir, env, encoding: 'utf8' });
        assert.is(g.status, 0, g.stderr);
      }
      const diff = spawnSync('diff', ['-r', mine, theirs], { encoding: 'utf8' });
      assert.is(diff.status, 0, `Node ${version} writes another lab:\n${diff.stdout.slice(0, 2000)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
