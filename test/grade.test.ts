// The lab folder's ./grade and `gen-lab grade`, without root or a running lab: the generated
// checkpoints are replaced by stand-ins that source the real lib.sh and make known judgements, so
// the records, the report's words, the score, the JSON, the CSV and the exit codes are what is under
// test (the checkpoints themselves are the teaching and emulation suites').
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const require = createRequire(import.meta.url);
const work = makeTemp('grade');
const practica6 = join(repoRoot, 'examples', 'practica6.json');
const course = join(repoRoot, 'examples', 'courses', 'english');
const SCRIPTS = ['cp1-stp.sh', 'cp2-vrrp.sh', 'cp3-service.sh', 'cp4-vxlan.sh'];

let labs = 0;
/** A fresh lab folder whose checkpoint N runs bodies[N-1] after sourcing the real lib.sh. */
function lab(bodies: string[], opts: { spec?: string; templates?: string[]; dir?: string } = {}): string {
  const dir = opts.dir ?? join(work, `lab${++labs}`);
  const r = runCli([opts.spec ?? practica6, '-o', dir, ...(opts.templates ?? []).flatMap((t) => ['--templates', t])]);
  assert.is(r.status, 0, r.stderr);
  SCRIPTS.forEach((s, i) => {
    const body = bodies[i] ?? 'finish';
    const script = body.startsWith('#!') ? body : `#!/usr/bin/env bash\n. "$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)/lib.sh"\n${body}\n`;
    writeFileSync(join(dir, 'emulate', 'checks', s), script, { mode: 0o755 });
  });
  return dir;
}

function grade(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const clean = { ...process.env, ...env };
  if (!('RUNNER' in env)) delete clean.RUNNER;
  const r = spawnSync(join(dir, 'grade'), args, { encoding: 'utf8', env: clean });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Report = { score: number; maxScore: number; runner: string; language: string; stage: number; lab: string; checkpoints: { number: number; name: string; weight: number; result: string; evidence: { kind: string; what: string; expected: string; seen: string }[] }[] };
const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'grade-report.schema.json'), 'utf8')) as object;
const Ajv2020 = require('ajv/dist/2020.js').default as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
function readReport(file: string): Report {
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  assert.ok(validate(report), `report breaks the schema: ${JSON.stringify(validate.errors)}`);
  return report;
}

const mixed = [
  'pass "lab converged"\nexpect "root bridge" "8000.aa" "8000.aa"\nfinish',
  'pass "client reaches the VIP"\nexpect "VIP holder" "bal1" "bal2"\nfinish',
  'expect "servers answering" "serv1 serv2" "serv1 serv2"\nfinish',
  'fail "tunnel vx-vxint missing"\nfinish',
];

test('lib.sh records each judgement as kind<TAB>what<TAB>expected<TAB>seen, and prints what it did before', () => {
  const dir = lab(['pass "plain"\npass "w" "e" "s"\nfail "f" "1" "2"\nnote "a note"\nexpect "x" "a\tb" "a\nb"\nfail two words\nfinish']);
  const script = join(dir, 'emulate', 'checks', 'cp1-stp.sh');
  const record = join(work, 'records.tsv');
  const withReport = spawnSync(script, [], { encoding: 'utf8', env: { ...process.env, CHECK_REPORT: record } });
  assert.is(withReport.status, 1);
  assert.is(readFileSync(record, 'utf8'), ['ok\tplain\t\t', 'ok\tw\te\ts', 'fail\tf\t1\t2', 'note\ta note\t\t', 'fail\tx\ta b\ta b', 'fail\ttwo words\t\t', 'result\tfail', ''].join('\n'));
  const env = { ...process.env };
  delete env.CHECK_REPORT;
  const without = spawnSync(script, [], { encoding: 'utf8', env });
  assert.is(withReport.stdout, without.stdout, 'CHECK_REPORT changes nothing on the terminal');
  assert.match(without.stdout, /^ {2}ok {3}w: se esperaba 'e', se vio 's'$/m, 'in the lab\'s language');
  assert.match(without.stdout, /^ {2}FAIL f: se esperaba '1', se vio '2'$/m);
  assert.match(without.stdout, /^ {2}ok {3}plain$/m);
  assert.match(without.stdout, /^ {5}a note$/m);
  assert.match(without.stdout, /^FAIL cp1-stp\.sh: 3 failed$/m);
});

test('practica6: the report in Spanish, its stage names and weights, failures first, the weighted score, exit 1', () => {
  const dir = lab(mixed);
  const r = grade(dir, ['--json', join(dir, 'r.json')]);
  assert.is(r.status, 1, r.stderr);
  const out = r.stdout;
  assert.match(out, /^Evaluación de la práctica practica6: Práctica 6/m);
  assert.match(out, /^Comprobada en: la emulación/m);
  assert.match(out, /^Punto de control 1: Red Ethernet externa con STP \(peso 25\): SUPERADO$/m);
  assert.match(out, /^Punto de control 2: Redundancia del primer salto con VRRP \(peso 30\): NO SUPERADO$/m);
  assert.match(out, /^Punto de control 3: Servicio web balanceado \(peso 30\): SUPERADO$/m);
  assert.match(out, /^Punto de control 4: LAN interna unida con VXLAN \(peso 15\): NO SUPERADO$/m);
  assert.match(out, /^ {2}✗ VIP holder: se esperaba 'bal1', se vio 'bal2'$/m);
  assert.match(out, /^ {2}✗ tunnel vx-vxint missing$/m);
  assert.match(out, /^ {2}✓ root bridge: 8000\.aa$/m);
  assert.ok(out.indexOf('✗ VIP holder') < out.indexOf('✓ client reaches the VIP'), 'a failed judgement is listed before the passed ones made before it');
  assert.match(out, /\nNota: 55 de 100\n$/);
  assert.not.match(out, /expected|saw|Score/, 'no English word in a Spanish report');
  const report = readReport(join(dir, 'r.json'));
  assert.equal([report.score, report.maxScore, report.language, report.runner, report.stage, report.lab], [55, 100, 'es', 'emulation', 4, 'practica6']);
  assert.equal(report.checkpoints.map((c) => [c.number, c.weight, c.result]), [[1, 25, 'pass'], [2, 30, 'fail'], [3, 30, 'pass'], [4, 15, 'fail']]);
  // JSON keeps the order the checkpoint judged in.
  assert.equal(report.checkpoints[1]?.evidence, [
    { kind: 'ok', what: 'client reaches the VIP', expected: '', seen: '' },
    { kind: 'fail', what: 'VIP holder', expected: 'bal1', seen: 'bal2' },
  ]);
});

test('every checkpoint passing: exit 0 and the full score; the runner word follows --runner', () => {
  const dir = lab(['pass a\nfinish', 'pass b\nfinish', 'pass c\nfinish', 'pass d\nfinish']);
  const r = grade(dir, ['--runner', 'vagrant', '--json', join(dir, 'r.json')]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Comprobada en: el laboratorio Vagrant arrancado$/m);
  assert.match(r.stdout, /Nota: 100 de 100\n$/);
  assert.is(readReport(join(dir, 'r.json')).runner, 'vagrant');
});

test('the checkpoints get RUNNER from --runner, else from $RUNNER', () => {
  const dir = lab(['expect runner vagrant "$RUNNER"\nfinish']);
  assert.is(grade(dir, ['--only', '1']).status, 1);
  assert.is(grade(dir, ['--only', '1', '--runner', 'vagrant']).status, 0);
  assert.is(grade(dir, ['--only', '1'], { RUNNER: 'vagrant' }).status, 0);
});

test('English course: English words and the default stage names of a spec that names none', () => {
  const dir = lab(mixed, { spec: join(course, 'lab.json'), templates: [join(course, 'templates')] });
  const r = grade(dir, ['--json', join(dir, 'r.json')]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stdout, /^Checkpoint 1: Ethernet fabric with STP \(weight 25\): PASS$/m);
  assert.match(r.stdout, /^Checkpoint 2: First-hop redundancy with VRRP \(weight 25\): FAIL$/m);
  assert.match(r.stdout, /^Checkpoint 3: Load-balanced services \(weight 25\): PASS$/m);
  assert.match(r.stdout, /^Checkpoint 4: VXLAN overlay \(weight 25\): FAIL$/m);
  assert.match(r.stdout, /^ {2}✗ VIP holder: expected 'bal1', saw 'bal2'$/m);
  assert.match(r.stdout, /\nScore: 50 out of 100\n$/);
  const report = readReport(join(dir, 'r.json'));
  assert.equal([report.language, report.score], ['en', 50]);
  assert.equal(report.checkpoints.map((c) => c.name), ['Ethernet fabric with STP', 'First-hop redundancy with VRRP', 'Load-balanced services', 'VXLAN overlay']);
});

test('JSON: quotes, backslashes, braces, & and control characters survive exactly; tabs and newlines become spaces', () => {
  const what = 'a "quoted" \\ back\\\\slash {seen} & amp \x01\x1f\x7f é';
  const dir = lab([`expect ${shq(what)} ${shq('x\ty')} ${shq('line1\nline2')}\nnote ${shq('50% done, & {what}')}\nfinish`]);
  const r = grade(dir, ['--only', '1', '--json', join(dir, 'r.json')]);
  assert.is(r.status, 1, r.stderr);
  const ev = readReport(join(dir, 'r.json')).checkpoints[0]?.evidence;
  assert.equal(ev, [
    { kind: 'fail', what, expected: 'x y', seen: 'line1 line2' },
    { kind: 'note', what: '50% done, & {what}', expected: '', seen: '' },
  ]);
  assert.ok(r.stdout.includes(`✗ ${what}: se esperaba 'x y', se vio 'line1 line2'`), 'the text report prints the values as they are, braces and & included');
});

test('CSV: one RFC 4180 line per lab after a header, a folder name with a comma and a quote quoted', () => {
  const parent = join(work, 'class, 2026 "A"');
  mkdirSync(parent);
  const csv = join(work, 'grades.csv');
  const a = lab(mixed, { dir: join(parent, 'ana') });
  const b = lab(['pass ok\nfinish', 'pass ok\nfinish', 'pass ok\nfinish', 'pass ok\nfinish'], { dir: join(parent, 'O"Brien, Bo') });
  assert.is(grade(a, ['--csv', csv]).status, 1);
  assert.is(grade(b, ['--csv', csv]).status, 0);
  const text = readFileSync(csv, 'utf8');
  const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;
  assert.is(text, ['dir,lab,score,cp1,cp2,cp3,cp4', `${quoted(a)},practica6,55,pass,fail,pass,fail`, `${quoted(b)},practica6,100,pass,pass,pass,pass`, ''].join('\r\n'));
  assert.equal(parseCsv(text)[2], [b, 'practica6', '100', 'pass', 'pass', 'pass', 'pass']);
});

test('a checkpoint that stops before finish fails, saying so with its last lines', () => {
  const dir = lab(['pass fine\nfinish', '#!/usr/bin/env bash\necho "must run as root"\nexit 2\n']);
  const r = grade(dir, ['--only', '1,2', '--json', join(dir, 'r.json')]);
  assert.is(r.status, 1);
  assert.match(r.stdout, /^ {2}✗ cp2-vrrp\.sh terminó con el código 2 sin dar su resultado$/m);
  assert.match(r.stdout, /^ {2}· must run as root$/m);
  const report = readReport(join(dir, 'r.json'));
  assert.equal(report.checkpoints.map((c) => c.result), ['pass', 'fail', 'skip', 'skip']);
  assert.is(report.score, 25);
});

test('--only runs those checkpoints and reports the rest skipped, with no evidence; exit 0 when they pass', () => {
  const dir = lab(['fail never-run\nfinish', 'pass b\nfinish', 'fail never-run\nfinish', 'pass d\nfinish']);
  const r = grade(dir, ['--only', '2,4', '--json', join(dir, 'r.json')]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Punto de control 1: .*: NO EJECUTADO$/m);
  assert.not.match(r.stdout, /never-run/);
  const report = readReport(join(dir, 'r.json'));
  assert.equal(report.checkpoints.map((c) => [c.result, c.evidence.length]), [['skip', 0], ['pass', 1], ['skip', 0], ['pass', 1]]);
  assert.is(report.score, 45);
});

test('bad usage exits 2 and runs nothing', () => {
  const dir = lab(['touch ran\nfinish']);
  for (const args of [['--runner', 'docker'], ['--only', '5'], ['--only', 'x'], ['--bogus'], ['--json']]) {
    const r = grade(dir, args);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^grade: /);
  }
  assert.is(spawnSync('test', ['-e', join(dir, 'ran')]).status, 1);
});

test('a course overrides the words file by file; a words file lacking a word is a template error (exit 2)', () => {
  const templates = join(work, 'course-words');
  mkdirSync(join(templates, 'partials', 'grade', 'es'), { recursive: true });
  const builtin = readFileSync(join(repoRoot, 'templates', 'partials', 'grade', 'es', 'words.hbs'), 'utf8');
  writeFileSync(join(templates, 'partials', 'grade', 'es', 'words.hbs'), builtin.replace(/^pass: .*$/m, 'pass: APTO'));
  const dir = lab(['pass a\nfinish'], { templates: [templates] });
  assert.match(grade(dir, ['--only', '1']).stdout, /^Punto de control 1: .*: APTO$/m);
  writeFileSync(join(templates, 'partials', 'grade', 'es', 'words.hbs'), builtin.replace(/^score: .*\n/m, ''));
  const r = runCli([practica6, '-o', join(work, 'broken'), '--templates', templates]);
  assert.is(r.status, 2);
  assert.match(r.stderr, /words\.hbs.*lacks the grade report words score/);
});

test('gen-lab grade: passes the exit status through and checks the JSON against the schema', () => {
  const failing = lab(mixed);
  const r1 = runCli(['grade', failing, '--json', join(failing, 'r.json')]);
  assert.is(r1.status, 1, r1.stderr);
  assert.match(r1.stdout, /Nota: 55 de 100/);
  assert.is(readReport(join(failing, 'r.json')).score, 55);
  const passing = lab(['pass a\nfinish', 'pass b\nfinish', 'pass c\nfinish', 'pass d\nfinish']);
  const csv = join(work, 'cli.csv');
  const r0 = runCli(['grade', passing, '--runner', 'vagrant', '--csv', csv]);
  assert.is(r0.status, 0, r0.stderr);
  assert.match(readFileSync(csv, 'utf8'), /,practica6,100,pass,pass,pass,pass\r\n$/);
});

test('gen-lab grade: a report that breaks the schema is a bug (exit 70), not a grade', () => {
  const dir = lab([]);
  renameSync(join(dir, 'grade'), join(dir, 'grade.real'));
  writeFileSync(join(dir, 'grade'), '#!/usr/bin/env bash\nwhile [ $# -gt 0 ]; do [ "$1" = --json ] && echo \'{"lab":"x"}\' >"$2"; shift; done\nexit 0\n', { mode: 0o755 });
  const r = runCli(['grade', dir]);
  assert.is(r.status, 70);
  assert.match(r.stderr, /does not match .*grade-report\.schema\.json/);
});

test('gen-lab grade: what is not a lab folder exits 2 with a hint', () => {
  const old = join(work, 'old-lab');
  mkdirSync(join(old, 'emulate'), { recursive: true });
  writeFileSync(join(old, 'emulate', 'up.sh'), '');
  for (const [target, why] of [[join(work, 'nothing-here'), /does not exist/], [practica6, /is a file.*\n.*looks like a spec/], [work, /not a gen-lab lab folder/], [old, /without \.\/grade/]] as const) {
    const r = runCli(['grade', target]);
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, why);
    assert.match(r.stderr, /^ {2}hint: /m);
  }
});

test.after(() => removeTemp(work));

/** A single-quoted bash word. */
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** RFC 4180 records (quoted fields with "" for a quote; CRLF ends a record). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

test.run();
