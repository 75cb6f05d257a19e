// The committed labs under out/ must be exactly what the generator writes today.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli } from './support/cli.js';

const committed = join(repoRoot, 'out', 'practica6');

test('out/practica6 is up to date with the generator', () => {
  assert.ok(existsSync(committed), 'out/practica6 does not exist: run `node bin/gen-lab.js examples/practica6.json -o out/practica6` and commit it');
  const r = runCli([join(repoRoot, 'examples', 'practica6.json'), '--check', '-o', committed]);
  assert.is(r.status, 0, `out/practica6 drifted from the generator; regenerate it with \`node bin/gen-lab.js examples/practica6.json -o out/practica6\` and commit:\n${r.stderr}`);
});

test('out/english-course (the course override example) is up to date with the generator', () => {
  const out = join(repoRoot, 'out', 'english-course');
  const course = join(repoRoot, 'examples', 'courses', 'english');
  assert.ok(existsSync(out), 'out/english-course does not exist: generate it (see README) and commit it');
  const r = runCli([join(course, 'lab.json'), '--templates', join(course, 'templates'), '--check', '-o', out]);
  assert.is(r.status, 0, `out/english-course drifted from the generator:\n${r.stderr}`);
});

test.run();
