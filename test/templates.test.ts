// Template layers: `gen-lab templates` shows where each template comes from, and `--templates DIR`
// (repeatable, first wins) replaces built-in templates file by file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const spec = join(repoRoot, 'examples', 'practica6.json');
const builtin = join(repoRoot, 'templates');
const work = makeTemp('templates');

function hbsUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.hbs')) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function listing(args: string[] = []): Map<string, string> {
  const r = runCli(['templates', ...args]);
  assert.is(r.status, 0, r.stderr);
  return new Map(r.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
}

function layer(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const first = layer('first', { 'guide/README.md.hbs': 'FIRST {{name}}\n' });
const second = layer('second', { 'guide/README.md.hbs': 'SECOND {{name}}\n', 'extra/only-here.hbs': 'x\n' });

test('gen-lab templates lists every built-in template, supplied by the built-in layer', () => {
  const list = listing();
  const expected = hbsUnder(builtin);
  assert.ok(expected.includes('guide/README.md.hbs'));
  assert.equal([...list.keys()].sort(), expected);
  for (const [name, from] of list) assert.is(from, builtin, name);
});

test('with override folders, each template names the layer that supplies it; the first folder wins', () => {
  const list = listing(['--templates', first, '--templates', second]);
  assert.is(list.get('guide/README.md.hbs'), first);
  assert.is(list.get('extra/only-here.hbs'), second);
  const others = hbsUnder(builtin).filter((n) => n !== 'guide/README.md.hbs');
  for (const n of others) assert.is(list.get(n), builtin, n);
});

test('an override replaces only its own file in the generated lab', () => {
  const plain = join(work, 'plain');
  const layered = join(work, 'layered');
  assert.is(runCli([spec, '-o', plain]).status, 0);
  const r = runCli([spec, '-o', layered, '--templates', first, '--templates', second]);
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(join(layered, 'README.md'), 'utf8'), 'FIRST practica6\n');
  const swapped = runCli([spec, '-o', join(work, 'swapped'), '--templates', second, '--templates', first]);
  assert.is(swapped.status, 0, swapped.stderr);
  assert.is(readFileSync(join(work, 'swapped', 'README.md'), 'utf8'), 'SECOND practica6\n');
  for (const f of readdirSync(join(plain, 'vms', 'host1'))) assert.is(readFileSync(join(layered, 'vms', 'host1', f), 'utf8'), readFileSync(join(plain, 'vms', 'host1', f), 'utf8'), f);
});

test('--check honours the same overrides', () => {
  const layered = join(work, 'layered');
  assert.is(runCli([spec, '--check', '-o', layered, '--templates', first]).status, 0);
  assert.is(runCli([spec, '--check', '-o', layered]).status, 1);
});

test('a broken override is bad input (exit 2) naming the template, not an internal error', () => {
  const broken = layer('broken', { 'guide/README.md.hbs': '{{no_such_field}}\n' });
  const r = runCli([spec, '-o', join(work, 'broken-out'), '--templates', broken]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /template guide\/README\.md\.hbs/);
  assert.match(r.stderr, /no_such_field/);
});

test.after(() => removeTemp(work));
test.run();
