// Same spec, same bytes: whatever the run, the output folder, the clock, the time zone or the locale.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliPath, repoRoot } from './support/cli.js';
import { changedPaths, makeTemp, removeTemp, snapshot } from './support/tree.js';

const work = makeTemp('determinism');
const json = join(repoRoot, 'examples', 'practica6.json');
const yaml = join(repoRoot, 'examples', 'practica6.yaml');

function generate(spec: string, out: string, env: Record<string, string> = {}, cwd = repoRoot): void {
  const r = spawnSync(process.execPath, [cliPath, spec, '-o', out], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  assert.is(r.status, 0, r.stderr);
}

test('the reference lab generated twice gives byte-identical trees', () => {
  generate(json, join(work, 'a'));
  generate(json, join(work, 'b'));
  const a = snapshot(join(work, 'a'));
  assert.ok(a.size > 3, 'the lab has files');
  assert.equal(changedPaths(a, snapshot(join(work, 'b'))), []);
});

test('time zone, locale and working folder do not leak into the output', () => {
  generate(json, join(work, 'c'), { TZ: 'Pacific/Kiritimati', LANG: 'es_ES.UTF-8', LC_ALL: 'tr_TR.UTF-8' }, work);
  assert.equal(changedPaths(snapshot(join(work, 'a')), snapshot(join(work, 'c'))), []);
});

test('the YAML form of the reference spec gives the same tree as the JSON form', () => {
  assert.ok(existsSync(yaml), 'examples/practica6.yaml is missing');
  generate(yaml, join(work, 'y'));
  assert.equal(changedPaths(snapshot(join(work, 'a')), snapshot(join(work, 'y'))), []);
});

test('no generated file mentions where it was written', () => {
  for (const [path, entry] of snapshot(join(work, 'a'))) {
    if (!entry.startsWith('file ')) continue;
    const text = Buffer.from(entry.split(' ')[2] ?? '', 'base64').toString('utf8');
    assert.not.ok(text.includes(work), `${path} contains the output path`);
  }
});

test.after(() => removeTemp(work));
test.run();
