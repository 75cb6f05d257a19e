// The loaders: positions point at the value a diagnostic names, JSON syntax is checked exactly as
// JSON.parse does, and the YAML reference means the same as the JSON one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpecFile, parseSpecText } from '../generator/1-load/load.js';
import { SpecError } from '../generator/diagnostics.js';
import { repoRoot, runCli } from './support/cli.js';

/** Every scalar's recorded position must show that scalar's text (quoted or not). */
function checkScalarPositions(file: string): number {
  const loaded = loadSpecFile(join(repoRoot, file));
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  let checked = 0;
  const walk = (v: unknown, ptr: string) => {
    const pos = loaded.positions.get(ptr);
    assert.ok(pos, `${file}: no position for ${ptr}`);
    if (v !== null && typeof v === 'object') {
      for (const [k, c] of Object.entries(v)) walk(c, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      return;
    }
    const at = (lines[(pos?.line ?? 1) - 1] ?? '').slice((pos?.column ?? 1) - 1);
    const s = String(v);
    const first = s.split('\n')[0] as string;
    assert.ok([first, `"${first}`, `'${first}`].some((p) => at.startsWith(p)) || at.startsWith('>'), `${file}: ${ptr} is at ${pos?.line}:${pos?.column}, which shows ${JSON.stringify(at.slice(0, 30))}, not ${JSON.stringify(s.slice(0, 30))}`);
    checked++;
  };
  walk(loaded.value, '');
  return checked;
}

test('YAML positions point at every value of the reference lab', () => {
  assert.ok(checkScalarPositions('examples/practica6.yaml') > 100);
});

test('JSON positions point at every value of the reference lab', () => {
  assert.ok(checkScalarPositions('examples/practica6.json') > 100);
});

test('YAML positions hold for every YAML case of the golden suite that parses', () => {
  const dir = 'test/bad-specs';
  const files = [...readdirSync(join(repoRoot, dir)).map((f) => `${dir}/${f}`), ...readdirSync(join(repoRoot, dir, 'accepted')).map((f) => `${dir}/accepted/${f}`)].filter((f) => /\.ya?ml$/.test(f));
  let parsed = 0;
  for (const f of files) {
    try {
      loadSpecFile(join(repoRoot, f));
    } catch (e) {
      if (e instanceof SpecError) continue;
      throw e;
    }
    const value = loadSpecFile(join(repoRoot, f)).value;
    if (value === null || typeof value !== 'object') continue;
    checkScalarPositions(f);
    parsed++;
  }
  assert.ok(parsed >= 5, `only ${parsed} YAML cases parsed`);
});

test('a block value in YAML is located at its key', () => {
  const l = parseSpecText('name: x\nvms:\n  - name: a\n    role: host\n    bridges:\n      - name: br0\n', 'x.yaml');
  assert.equal(l.positions.get('/vms/0/bridges'), { line: 5, column: 5 });
  assert.equal(l.positions.get('/vms/0'), { line: 3, column: 5 });
  assert.equal(l.positions.get('/vms/0/bridges/0/name'), { line: 6, column: 15 });
});

test('the JSON scanner accepts and refuses exactly what JSON.parse does', () => {
  const text = readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8');
  let refused = 0;
  // Cut one character out at many places: every variant must get the same verdict from both.
  for (let k = 0; k < text.length; k += 7) {
    const variant = text.slice(0, k) + text.slice(k + 1);
    let nodeOk = true;
    try {
      JSON.parse(variant);
    } catch {
      nodeOk = false;
    }
    let oursOk = true;
    try {
      parseSpecText(variant, 'v.json');
    } catch (e) {
      assert.ok(e instanceof SpecError, `offset ${k}: not a SpecError: ${String(e)}`);
      oursOk = !e.diagnostics.some((d) => d.code === 'json-syntax');
    }
    assert.is(oursOk, nodeOk, `offset ${k}: JSON.parse says ${nodeOk}, the scanner says ${oursOk}`);
    if (!nodeOk) refused++;
  }
  assert.ok(refused > 100, `only ${refused} variants were invalid JSON`);
});

test('a JSON syntax error is located where the text goes wrong', () => {
  try {
    parseSpecText('{\n  "name": "x",\n  "vms": [ { "name": "a" "role": "host" } ]\n}\n', 'x.json');
    assert.unreachable('accepted');
  } catch (e) {
    assert.ok(e instanceof SpecError);
    assert.equal(e.positions?.get(''), { line: 3, column: 26 });
    assert.match(e.message, 'found the string "role"');
  }
});

test('a byte order mark is accepted', () => {
  const text = readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8');
  const l = parseSpecText('\uFEFF' + text, 'bom.json');
  assert.is((l.value as { name: string }).name, 'practica6');
});

test('inspect --json of the YAML and JSON reference labs is identical', () => {
  const json = runCli(['inspect', '--json', 'examples/practica6.json']);
  const yaml = runCli(['inspect', '--json', 'examples/practica6.yaml']);
  assert.is(json.status, 0, json.stderr);
  assert.is(yaml.status, 0, yaml.stderr);
  assert.ok(json.stdout.length > 1000);
  assert.fixture(yaml.stdout, json.stdout);
});

test('both reference labs validate clean with 0 warnings', () => {
  for (const f of ['examples/practica6.json', 'examples/practica6.yaml']) {
    const r = runCli(['validate', f]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, '');
    assert.match(r.stdout, `${f}: valid (5 VMs, 5 containers, 0 warnings)`);
  }
});

test('a missing spec file is bad input, reported without a stack trace', () => {
  const r = runCli(['validate', 'test/bad-specs/no-such-file.json']);
  assert.is(r.status, 2);
  assert.is(r.stderr, 'test/bad-specs/no-such-file.json: error [unreadable-file] at /: cannot read the spec (ENOENT)\n  hint: check the path; the spec is a .json, .yaml or .yml file\ngen-lab: 1 error\n');
});

test.run();
