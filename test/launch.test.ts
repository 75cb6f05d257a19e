// bin/gen-lab.js starts the bundle from V8's code cache only when the cache was made from that very
// bundle and is intact, runs tsc's newer output when the bundle step was skipped, and says when it is
// not built. Each case runs on a copy of bin/ and dist/ so the real build is never touched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './support/cli.js';
import { compileFiles } from '../generator/compile.js';
import { makeTemp, removeTemp } from './support/tree.js';

/** How many files the reference lab has (the runs below write them all). */
const referenceFiles = compileFiles(join(repoRoot, 'examples', 'practica6.json')).files.length;

const work = makeTemp('launch');
const spec = join(repoRoot, 'examples', 'practica6.json');

/** A copy of the built package: bin/ and dist/ copied, everything else linked. */
function installCopy(name: string): string {
  const dir = join(work, name);
  for (const d of ['bin', 'dist']) cpSync(join(repoRoot, d), join(dir, d), { recursive: true });
  for (const d of ['node_modules', 'templates', 'schema', 'package.json']) symlinkSync(join(repoRoot, d), join(dir, d));
  return dir;
}

function run(dir: string, out: string) {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'gen-lab.js'), spec, '-o', join(dir, out), '--timing'], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cacheOf = (dir: string) => join(dir, 'dist', 'gen-lab.code-cache');

test('a copy of the build uses its code cache', () => {
  const dir = installCopy('intact');
  const r = run(dir, 'lab');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /code cache used/);
});

test('a damaged code cache is not given to V8 (it could crash it): compiled as usual', () => {
  const dir = installCopy('damaged');
  const file = readFileSync(cacheOf(dir));
  const last = file.length - 1;
  file[last] = (file[last] ?? 0) ^ 0xff;
  writeFileSync(cacheOf(dir), file);
  const r = run(dir, 'lab');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /code cache damaged/);
  assert.match(r.stdout, new RegExp(`wrote .*: ${referenceFiles} changed`));
});

test('a cache made for another bundle is not used, even one of the same length', () => {
  const dir = installCopy('stale');
  const bundle = join(dir, 'dist', 'gen-lab.cjs');
  // Same length, different code: V8's own check (length, version, flags) would accept the cache.
  writeFileSync(bundle, readFileSync(bundle, 'utf8').replace('do not edit.', 'do not EDIT.'));
  const r = run(dir, 'lab');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /code cache stale/);
});

test('a bundle older than what tsc wrote: the newer unbundled code runs, with a warning', () => {
  const dir = installCopy('older-bundle');
  const future = new Date(Date.now() + 60_000);
  utimesSync(join(dir, 'dist', 'generator', 'cli.js'), future, future);
  const r = run(dir, 'lab');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /older than dist\/generator/);
  assert.match(r.stdout, new RegExp(`wrote .*: ${referenceFiles} changed`));
});

test('not built: exit 70 and what to run', () => {
  const dir = installCopy('unbuilt');
  rmSync(join(dir, 'dist', 'gen-lab.cjs'));
  const r = run(dir, 'lab');
  assert.is(r.status, 70);
  assert.match(r.stderr, /npm run build/);
});

test.after(() => removeTemp(work));
test.run();
