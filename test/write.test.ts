// Writing a lab folder is all or nothing, and gen-lab never overwrites or deletes a file it did not write.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles } from '../generator/compile.js';
import { SpecError } from '../generator/diagnostics.js';
import { MANIFEST, readManifest, writeLab } from '../generator/5-write/write.js';
import { FileCreator } from '../generator/5-write/create-files.js';
import { repoRoot, runCli } from './support/cli.js';
import { changedPaths, makeTemp, removeTemp, snapshot } from './support/tree.js';

const reference = join(repoRoot, 'examples', 'practica6.json');
const referenceSpec = () => JSON.parse(readFileSync(reference, 'utf8')) as Record<string, unknown> & { vms: { name: string }[]; cables: { name: string; ends: { vm: string }[] }[]; vrrp: { vrid: number }[] };

function writeSpec(dir: string, name: string, edit: (spec: ReturnType<typeof referenceSpec>) => void): string {
  const spec = referenceSpec();
  edit(spec);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

const work = makeTemp('write');

/** assert.throws for promises: the promise must reject with an error `check` accepts. */
async function rejects(p: Promise<unknown>, check: (e: unknown) => boolean): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(check(e), `rejected with an unexpected error: ${String(e)}`);
    return;
  }
  assert.unreachable('expected a rejection');
}
const retitled = writeSpec(work, 'retitled.json', (s) => {
  s.title = 'Another title, so README.md and model.json change';
});
const badSpec = writeSpec(work, 'bad.json', (s) => {
  s.title = 'This would change files if it were valid';
  (s.vrrp[0] as { vrid: number }).vrid = 999;
});
const withoutUser = writeSpec(work, 'without-user.json', (s) => {
  s.vms = s.vms.filter((vm) => vm.name !== 'user');
  s.cables = s.cables.filter((c) => c.ends.every((e) => e.vm !== 'user'));
});

function generated(name: string): string {
  const out = join(work, name);
  const r = runCli([reference, '-o', out]);
  assert.is(r.status, 0, r.stderr);
  return out;
}

test('a bad spec exits 2 and leaves an existing folder byte-identical', () => {
  const out = generated('bad-spec');
  const before = snapshot(out);
  const r = runCli([badSpec, '-o', out]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /nothing written/);
  assert.equal(changedPaths(before, snapshot(out)), []);
});

test('a bad spec creates no output folder at all', () => {
  const out = join(work, 'never-created');
  const r = runCli([badSpec, '-o', out]);
  assert.is(r.status, 2);
  assert.not.ok(existsSync(out), 'the folder must not exist after a failed run');
});

test('a foreign file in the way is never overwritten: exit 2, and nothing else is written', () => {
  const out = join(work, 'foreign');
  mkdirSync(out);
  writeFileSync(join(out, 'README.md'), 'my own notes\n');
  const before = snapshot(out);
  const r = runCli([reference, '-o', out]);
  assert.is(r.status, 2, r.stdout);
  assert.match(r.stderr, /README\.md exists and was not written by gen-lab/);
  assert.equal(changedPaths(before, snapshot(out)), []);
});

test('a foreign file with exactly the generated content is adopted, not refused', () => {
  const out = join(work, 'adopt');
  mkdirSync(out);
  const readme = compileFiles(reference).files.find((f) => f.path === 'README.md');
  writeFileSync(join(out, 'README.md'), readme?.content ?? '');
  const r = runCli([reference, '-o', out]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(readManifest(out).includes('README.md'));
});

test('stale files gen-lab wrote are removed on regeneration; files it did not write stay', () => {
  const out = generated('stale');
  writeFileSync(join(out, 'notes.txt'), 'mine\n');
  writeFileSync(join(out, 'vms', 'host1', 'notes.txt'), 'mine too\n');
  const big = new Set(compileFiles(reference).files.map((f) => f.path));
  const small = new Set(compileFiles(withoutUser).files.map((f) => f.path));
  const stale = [...big].filter((p) => !small.has(p));
  assert.ok(stale.length > 0, 'dropping the user VM must make some files stale');
  const r = runCli([withoutUser, '-o', out]);
  assert.is(r.status, 0, r.stderr);
  for (const p of stale) assert.not.ok(existsSync(join(out, p)), `stale ${p} must be gone`);
  assert.not.ok(existsSync(join(out, 'vms', 'user')), 'a folder emptied of stale files goes too');
  assert.is(readFileSync(join(out, 'notes.txt'), 'utf8'), 'mine\n');
  assert.is(readFileSync(join(out, 'vms', 'host1', 'notes.txt'), 'utf8'), 'mine too\n');
  assert.equal(readManifest(out).sort(), [...small].sort());
  const check = runCli([withoutUser, '--check', '-o', out]);
  assert.is(check.status, 1);
  assert.match(check.stderr, /extra: +notes\.txt/);
});

test('a folder emptied of stale files stays when it holds a file gen-lab did not write', () => {
  const out = generated('stale-keep');
  writeFileSync(join(out, 'vms', 'user', 'keep.txt'), 'mine\n');
  const r = runCli([withoutUser, '-o', out]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(readdirSync(join(out, 'vms', 'user')), ['keep.txt']);
});

test('a folder where a file must go: exit 2 and nothing changes, not even the files that would change', () => {
  const out = generated('dir-in-the-way');
  const victim = compileFiles(reference).files.find((f) => f.path.includes('/'))?.path as string;
  rmSync(join(out, victim));
  mkdirSync(join(out, victim));
  writeFileSync(join(out, victim, 'inside.txt'), 'x\n');
  const before = snapshot(out);
  const r = runCli([retitled, '-o', out]);
  assert.is(r.status, 2, r.stdout);
  assert.match(r.stderr, /is a folder where gen-lab writes a file/);
  assert.equal(changedPaths(before, snapshot(out)), []);
});

test('a file where a folder must go: exit 2 and nothing changes', () => {
  const out = generated('file-in-the-way');
  renameSync(join(out, 'vms', 'host1'), join(work, 'host1-moved'));
  writeFileSync(join(out, 'vms', 'host1'), 'a file, not a folder\n');
  const before = snapshot(out);
  const r = runCli([retitled, '-o', out]);
  assert.is(r.status, 2, r.stdout);
  assert.match(r.stderr, /vms\/host1 is in the way/);
  assert.equal(changedPaths(before, snapshot(out)), []);
});

test('a write failing while staging (name too long) leaves the folder unchanged, new folders included', async () => {
  const out = generated('fail-staging');
  const before = snapshot(out);
  const files = [...compileFiles(retitled).files, { path: `zz-new-folder/${'n'.repeat(250)}`, content: 'x' }];
  await rejects(writeLab(out, files), (e) => e instanceof SpecError && /nothing was changed/.test(e.message));
  assert.equal(changedPaths(before, snapshot(out)), []);
});

test('a write failing while committing (rename onto a folder) rolls every replaced file back', async () => {
  const out = generated('fail-commit');
  const before = snapshot(out);
  // "zz" as a file and "zz/inner" both pass the checks, but renaming onto "zz" fails after every
  // real file has already been renamed into place: the journal must undo all of them.
  const files = [...compileFiles(retitled).files, { path: 'zz', content: 'x' }, { path: 'zz/inner', content: 'y' }];
  await rejects(writeLab(out, files), (e) => e instanceof SpecError && /write-failed|nothing was changed/.test(e.message));
  assert.equal(changedPaths(before, snapshot(out)), []);
});

test('a manifest naming paths outside the folder is not obeyed', async () => {
  const out = generated('evil-manifest');
  const outside = join(work, 'outside.txt');
  writeFileSync(outside, 'precious\n');
  writeFileSync(join(out, MANIFEST), `# tampered\n../outside.txt\n${outside}\n`);
  await writeLab(out, compileFiles(reference).files);
  assert.is(readFileSync(outside, 'utf8'), 'precious\n');
});

test('regenerating an unchanged lab rewrites nothing', () => {
  const out = generated('unchanged');
  const before = snapshot(out);
  const r = runCli([reference, '-o', out]);
  assert.is(r.status, 0);
  assert.match(r.stdout, / 0 changed/);
  assert.equal(changedPaths(before, snapshot(out)), []);
});

test('a new folder is the same whether files are created one by one or through the thread pool', async () => {
  const files = compileFiles(reference).files;
  const one = join(work, 'fresh-sync', 'lab');
  const pool = join(work, 'fresh-parallel', 'lab');
  const sync = new FileCreator('sync');
  const parallel = new FileCreator('parallel');
  await writeLab(one, files, sync);
  await writeLab(pool, files, parallel);
  assert.is(sync.mode, 'sync');
  assert.is(parallel.mode, 'parallel');
  const a = snapshot(one);
  assert.is([...a.keys()].filter((k) => !k.endsWith('/')).length, files.length + 1, 'every file and the manifest');
  assert.equal(changedPaths(a, snapshot(pool)), []);
  assert.ok([...a.values()].some((v) => v.startsWith('file 755 ')), 'executables keep their mode');
  // built under a temporary name and renamed: nothing of it is left beside the folder
  assert.equal(readdirSync(join(work, 'fresh-parallel')), ['lab']);
});

for (const mode of ['sync', 'parallel'] as const) {
  test(`a new folder whose write fails (${mode}) leaves nothing behind, not even the parents it made`, async () => {
    const parent = join(work, `fresh-fail-${mode}`);
    const files = [...compileFiles(reference).files, { path: `zz/${'n'.repeat(300)}`, content: 'x' }];
    await rejects(writeLab(join(parent, 'deeper', 'lab'), files, new FileCreator(mode)), (e) => e instanceof SpecError && /nothing was changed/.test(e.message));
    assert.not.ok(existsSync(parent), `${parent} should not exist`);
  });
}

test('an existing folder whose staging fails in the thread pool is rolled back', async () => {
  const out = generated('fail-staging-parallel');
  const before = snapshot(out);
  const files = [...compileFiles(retitled).files, { path: `zz-new-folder/${'n'.repeat(250)}`, content: 'x' }];
  await rejects(writeLab(out, files, new FileCreator('parallel')), (e) => e instanceof SpecError && /nothing was changed/.test(e.message));
  assert.equal(changedPaths(before, snapshot(out)), []);
});

test('modes are exact under a strict umask', async () => {
  const old = process.umask(0o077);
  try {
    const out = join(work, 'umask');
    await writeLab(out, compileFiles(reference).files);
    const modes = new Set([...snapshot(out).entries()].filter(([k]) => !k.endsWith('/')).map(([, v]) => v.split(' ')[1]));
    assert.equal([...modes].sort(), ['644', '755']);
  } finally {
    process.umask(old);
  }
});

test('a temporary file left by a run that died does not decide the mode of the file it becomes', async () => {
  const out = generated('leftover-tmp');
  writeFileSync(join(out, 'emulate', 'up.sh.gen-lab-tmp'), 'half-written\n', { mode: 0o600 });
  const r = runCli([retitled, '-o', out]);
  assert.is(r.status, 0, r.stderr);
  assert.is(statSync(join(out, 'emulate', 'up.sh')).mode & 0o777, 0o755);
  assert.is(runCli([retitled, '--check', '-o', out]).status, 0);
});

test('a new folder under a file: exit 2 with write-failed, nothing left behind', () => {
  const parent = join(work, 'a-file');
  writeFileSync(parent, 'not a folder\n');
  const r = runCli([reference, '-o', join(parent, 'lab')]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /write-failed|nothing was changed/);
  assert.is(readFileSync(parent, 'utf8'), 'not a folder\n');
});

test('staging folders of runs that died are removed; those of live runs stay', async () => {
  const parent = join(work, 'staging-leftovers');
  mkdirSync(parent);
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  mkdirSync(join(parent, `.gen-lab-tmp-${dead}-abcDEF`));
  mkdirSync(join(parent, '.gen-lab-tmp-1-abcDEF')); // pid 1 is alive
  mkdirSync(join(parent, '.gen-lab-tmp-notes')); // not a staging name: not ours
  await writeLab(join(parent, 'lab'), compileFiles(reference).files);
  assert.equal(readdirSync(parent).sort(), ['.gen-lab-tmp-1-abcDEF', '.gen-lab-tmp-notes', 'lab']);
});

test.after(() => removeTemp(work));
test.run();
