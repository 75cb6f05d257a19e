// Golden suite: every spec in test/bad-specs goes through the real CLI (`gen-lab validate`) and its
// stderr must equal the reviewed .expected file byte for byte. Specs in test/bad-specs/accepted
// are valid and exit 0 (their stderr holds warnings, or nothing).
// Refresh after a deliberate message change: UPDATE_GOLDEN=1, then review every diff by eye.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from './support/cli.js';
import { LOAD_LIMITS } from '../generator/1-load/limits.js';

const update = process.env.UPDATE_GOLDEN === '1';
const casesDir = 'test/bad-specs';
const isSpec = (f: string) => /\.(json|ya?ml)$/.test(f);
const list = (dir: string) => readdirSync(join(repoRoot, dir)).filter(isSpec).sort().map((f) => `${dir}/${f}`);
const badCases = list(casesDir);
const acceptedCases = list(`${casesDir}/accepted`);
const STACK_LINE = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

function golden(rel: string, stderr: string): string | undefined {
  const file = join(repoRoot, `${rel}.expected`);
  if (update) writeFileSync(file, stderr);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

test('the suite is big enough and mixes JSON and YAML', () => {
  assert.ok(badCases.length >= 45, `only ${badCases.length} bad specs`);
  assert.ok(badCases.filter((f) => /\.ya?ml$/.test(f)).length >= 6, 'fewer than 6 YAML cases');
});

for (const rel of badCases) {
  test(`bad spec ${rel}`, () => {
    const r = runCli(['validate', rel]);
    assert.is(r.status, 2, `exit code of ${rel}; stderr:\n${r.stderr}`);
    assert.is(r.stdout, '', 'nothing on stdout');
    assert.not.match(r.stderr, STACK_LINE, 'no stack trace');
    assert.not.match(r.stderr, /internal error/, 'no internal error');
    assert.ok(r.stderr.startsWith(`${rel}`), 'every report starts with the file');
    const want = golden(rel, r.stderr);
    assert.ok(want !== undefined, `${rel}.expected is missing; run with UPDATE_GOLDEN=1 and review it`);
    assert.fixture(r.stderr, want as string);
  });
}

// Cases too big to commit: written to a temporary folder at test time and validated from there (by
// a relative path, so the report starts with the same name); their goldens live in test/bad-specs/generated.
const GENERATED: { name: string; text: () => string | Buffer }[] = [
  { name: 'file-too-large.json', text: () => `{ "name": "big", "vms": [], "description": "${'x'.repeat(LOAD_LIMITS.maxFileBytes)}" }` },
  { name: 'too-many-values.json', text: () => `{ "name": "many", "vms": [${Array.from({ length: LOAD_LIMITS.maxValues }, () => '0').join(', ')}] }` },
  // A VXLAN segment of 65 members: the schema's cap (its output grows with the square of the members).
  { name: 'vxlan-too-many-members.json', text: () => JSON.stringify({ name: 'wide', vms: [{ name: 'h0', role: 'host' }], vxlan: [{ name: 'seg', vni: 1, members: Array.from({ length: 65 }, (_, i) => ({ vm: `h${i}`, bridge: 'br' })) }] }, null, 1) },
  // 70 switches with one address: 69 errors, of which the report shows the first REPORT_LIMITS.maxDiagnostics.
  { name: 'many-same-errors.json', text: () => JSON.stringify({ name: 'same', vms: Array.from({ length: 70 }, (_, i) => ({ name: `s${i}`, role: 'switch', bridges: [{ name: 'br', address: '10.0.0.1/24' }] })) }, null, 1) },
];
const generatedDir = mkdtempSync(join(tmpdir(), 'gen-lab-golden-'));
for (const g of GENERATED) {
  test(`bad spec generated/${g.name}`, () => {
    writeFileSync(join(generatedDir, g.name), g.text());
    const r = runCli(['validate', g.name], { cwd: generatedDir });
    assert.is(r.status, 2, `exit code of ${g.name}; stderr:\n${r.stderr}`);
    assert.is(r.stdout, '', 'nothing on stdout');
    assert.not.match(r.stderr, STACK_LINE, 'no stack trace');
    const want = golden(`${casesDir}/generated/${g.name}`, r.stderr);
    assert.ok(want !== undefined, `${casesDir}/generated/${g.name}.expected is missing; run with UPDATE_GOLDEN=1 and review it`);
    assert.fixture(r.stderr, want as string);
  });
}
test.after(() => rmSync(generatedDir, { recursive: true, force: true }));

for (const rel of acceptedCases) {
  test(`accepted spec ${rel}`, () => {
    const r = runCli(['validate', rel]);
    assert.is(r.status, 0, `exit code of ${rel}; stderr:\n${r.stderr}`);
    const warnings = (r.stderr.match(/: warning \[/g) ?? []).length;
    assert.match(r.stdout, new RegExp(`^${rel.replace(/[.]/g, '\\.')}: valid \\(.*, ${warnings} warnings?\\)\\n$`));
    assert.not.match(r.stderr, /: error \[/, 'no errors');
    assert.not.match(r.stderr, STACK_LINE, 'no stack trace');
    const want = golden(rel, r.stderr);
    assert.ok(want !== undefined, `${rel}.expected is missing; run with UPDATE_GOLDEN=1 and review it`);
    assert.fixture(r.stderr, want as string);
  });
}

test('equal VRRP priorities are a warning: validate exits 0 and prints it', () => {
  const r = runCli(['validate', `${casesDir}/accepted/vrrp-equal-priority.json`]);
  assert.is(r.status, 0);
  assert.match(r.stderr, /warning \[vrrp-equal-priority\] at \/vrrp\/0\/members\/1\/priority/);
});

test('every diagnostic code the checks can emit has a golden case', () => {
  const sources = ['generator/1-load', 'generator/2-validate'].flatMap((d) => readdirSync(join(repoRoot, d)).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(repoRoot, d, f), 'utf8')));
  // error('code', ...) and warning(...) calls, and the limits' own LoadLimitError('code', ...).
  const codes = new Set(sources.flatMap((s) => [...s.matchAll(/\b(?:error|warning|LoadLimitError)\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1] as string)));
  // unreadable-file needs a missing file (test/load-cli.test.ts); 'schema' is the fallback for ajv
  // keywords the schema does not use.
  for (const c of ['unreadable-file', 'schema']) codes.delete(c);
  const goldens = [...badCases, ...acceptedCases, ...GENERATED.map((g) => `${casesDir}/generated/${g.name}`)].map((rel) => (existsSync(join(repoRoot, `${rel}.expected`)) ? readFileSync(join(repoRoot, `${rel}.expected`), 'utf8') : '')).join('\n');
  const missing = [...codes].filter((c) => !goldens.includes(`[${c}]`)).sort();
  assert.equal(missing, [], `codes without a golden case: ${missing.join(', ')}`);
});

test.run();
