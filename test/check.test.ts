// `gen-lab SPEC --check -o DIR`: exit 0 when DIR is exactly what the generator writes, exit 1 with
// the offending paths otherwise. Every generated file is edited in turn, so none escapes the check.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles } from '../generator/compile.js';
import { repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const spec = join(repoRoot, 'examples', 'practica6.json');
const work = makeTemp('check');
const out = join(work, 'lab');
const files = compileFiles(spec).files.map((f) => f.path);

/** The problem lines of a failed check, e.g. ["differs: README.md"]. */
function problems(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => /^\s+(differs|missing|extra):\s+(\S.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}: ${m[2]}`);
}

function check(): { status: number | null; problems: string[]; stderr: string } {
  const r = runCli([spec, '--check', '-o', out]);
  return { status: r.status, problems: problems(r.stderr), stderr: r.stderr };
}

test('a freshly generated folder passes the check', () => {
  assert.is(runCli([spec, '-o', out]).status, 0);
  const r = check();
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.problems, []);
});

test('a hand edit of any generated file fails the check, naming exactly that file', () => {
  assert.ok(files.length >= 3, `expected a real lab, got ${files.length} files`);
  for (const path of files) {
    const p = join(out, path);
    const original = readFileSync(p);
    writeFileSync(p, Buffer.concat([original, Buffer.from('# hand edit\n')]));
    const r = check();
    writeFileSync(p, original);
    assert.is(r.status, 1, `edit of ${path}: ${r.stderr}`);
    assert.equal(r.problems, [`differs: ${path}`], path);
  }
  assert.is(check().status, 0, 'every file restored');
});

test('a changed executable bit fails the check', () => {
  const path = files[0] as string;
  const p = join(out, path);
  const mode = statSync(p).mode & 0o777;
  chmodSync(p, mode ^ 0o100);
  const r = check();
  chmodSync(p, mode);
  assert.is(r.status, 1);
  assert.equal(r.problems, [`differs: ${path}`]);
});

test('missing and extra files are listed', () => {
  const gone = files[files.length - 1] as string;
  const original = readFileSync(join(out, gone));
  rmSync(join(out, gone));
  writeFileSync(join(out, 'extra-notes.txt'), 'not generated\n');
  const r = check();
  writeFileSync(join(out, gone), original);
  rmSync(join(out, 'extra-notes.txt'));
  assert.is(r.status, 1);
  assert.equal(r.problems.sort(), [`extra: extra-notes.txt`, `missing: ${gone}`].sort());
  assert.match(r.stderr, /regenerate with: gen-lab/);
});

test('checking a folder that does not exist lists every file as missing', () => {
  const r = runCli([spec, '--check', '-o', join(work, 'nothing-here')]);
  assert.is(r.status, 1);
  assert.equal(problems(r.stderr), files.map((f) => `missing: ${f}`));
});

test.after(() => removeTemp(work));
test.run();
