// macOS's own bash is 3.2, and ./grade needs bash 4 (associative arrays). Without a bash 3.2 here,
// its behaviour is simulated: the grade script's version guard is run with the version 3.2 reports,
// and `declare` fails as bash 3.2's does on `declare -A` ("invalid option"), so the lab data's
// arrays are lost while its plain lines are read. What the student sees must be one line, in the
// lab's language, saying what to install and how to run ./grade then.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'gen-lab-old-bash-'));
const BASH32 = '3.2.57(1)-release';

function asBash32(lab: string): { status: number | null; stderr: string } {
  const grade = readFileSync(join(lab, 'grade'), 'utf8').replace('"${BASH_VERSINFO[0]}"', '"3"').replace(/\$BASH_VERSION\b/g, BASH32);
  const script = join(lab, 'grade-as-bash32');
  // bash 3.2 has no `declare -A`: it prints "invalid option" and declares nothing.
  writeFileSync(script, grade.replace(/\n/, `\ndeclare() { echo "declare: $1: invalid option" >&2; return 2; }\n`));
  const r = spawnSync('bash', [script], { cwd: lab, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

for (const [language, spec, templates, words] of [
  ['es', join(repoRoot, 'examples', 'practica6.json'), [], /necesita bash 4 o posterior y este es bash 3\.2\.57\(1\)-release \(el de macOS\): instálelo con `brew install bash`/],
  ['en', join(repoRoot, 'examples', 'courses', 'english', 'lab.json'), ['--templates', join(repoRoot, 'examples', 'courses', 'english', 'templates')], /needs bash 4 or later and this is bash 3\.2\.57\(1\)-release \(macOS's own\): install it with `brew install bash`/],
] as const) {
  test(`./grade under bash 3.2 (${language}): one line saying what to install, exit 2`, () => {
    const lab = join(work, language);
    const gen = runCli([spec, '-o', lab, ...templates]);
    assert.is(gen.status, 0, gen.stderr);
    const r = asBash32(lab);
    assert.is(r.status, 2);
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', words);
    assert.not.match(r.stderr, /\{version\}/);
  });
}

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
