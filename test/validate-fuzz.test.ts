// Hostile input is bad input, never a crash: seeded mutations of the reference spec and files built
// to hurt a parser (test/support/hostile-cases.ts). Every case must end as a lab or as exit-2 bad
// input whose every error says where (a line or a pointer), what and a hint; none may throw
// anything else, hang, or (through the command line) write or change anything in the output folder.
//   SEED=123 node dist/test/validate-fuzz.test.js        one run again (the seed is printed)
//   SEED=123 CASE=77 node dist/test/validate-fuzz.test.js  one case, its input kept for a look
//   CASES=20000 ...                                       a longer run
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles, compileModel } from '../generator/compile.js';
import { locate, SpecError } from '../generator/diagnostics.js';
import { cliPath } from './support/cli.js';
import { hostileCase, WHOLE_FILE_VARIANTS, wholeFileCase, type HostileCase } from './support/hostile-cases.js';
import { changedPaths, makeTemp, removeTemp, snapshot } from './support/tree.js';

const SEED = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));
const ONE = process.env.CASE === undefined ? undefined : Number(process.env.CASE);
const CASES = Number(process.env.CASES ?? 2000);
const CLI_CASES = Number(process.env.CLI_CASES ?? 30);
/** Emitting is the slow part of a case that compiles; every EMIT_EVERY-th such case is emitted too. */
const EMIT_EVERY = 4;
const indexes = ONE !== undefined ? [ONE] : Array.from({ length: CASES }, (_, n) => n);
process.stdout.write(`validate-fuzz: SEED=${SEED}, ${indexes.length} cases in process, ${ONE !== undefined ? 1 : CLI_CASES} through the command line\n`);

/** Errors about the file as a whole carry no line: its name is the place. */
const WHOLE_FILE = new Set(['file-too-large', 'empty-spec', 'unreadable-file']);
const STACK_LINE = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;
/** A case that takes this long has hung (this is not a speed target: bench/hostile-load.js has those). */
const HANG_MS = 20_000;

const work = makeTemp('fuzz');
/** Case n: a random case, or for n < 0 the whole-file shape -1 - n (the command-line test runs each). */
const caseOf = (n: number): HostileCase => (n < 0 ? wholeFileCase(SEED, -1 - n) : hostileCase(SEED, n));
const reproduce = (n: number) => `SEED=${SEED} CASE=${n}`;

function writeCase(c: HostileCase, n: number): string {
  const dir = join(work, `case-${n}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, c.name);
  writeFileSync(file, c.bytes);
  return file;
}

/** What is wrong with how case n ended (or undefined), and whether it compiled. */
function judge(c: HostileCase, n: number): { problem?: string; compiled: boolean } {
  const file = writeCase(c, n);
  const t0 = performance.now();
  let outcome: string | undefined;
  let compiled = false;
  try {
    compileModel(file);
    compiled = true;
    if (n % EMIT_EVERY === 0) compileFiles(file);
  } catch (e) {
    if (!(e instanceof SpecError) || compiled) outcome = `threw ${(e as Error)?.constructor?.name}${compiled ? ' while emitting' : ''}: ${String((e as Error)?.message ?? e).slice(0, 300)}`;
    else {
      const errors = e.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length === 0) outcome = 'a SpecError without errors';
      for (const d of errors) {
        const where = locate(e.positions, d.pointer);
        if (!/^[a-z0-9-]+$/.test(d.code)) outcome = `bad code ${JSON.stringify(d.code)}`;
        else if (!d.hint) outcome = `[${d.code}] has no hint`;
        else if (!d.message) outcome = `[${d.code}] has no message`;
        else if (!where && !WHOLE_FILE.has(d.code)) outcome = `[${d.code}] at ${d.pointer} has no line`;
        else if (/\bundefined\b|\[object Object\]|(?<!")\bNaN\b(?!")/.test(`${d.message} ${d.hint}`)) outcome = `[${d.code}] says: ${d.message} / ${d.hint}`;
        if (outcome) break;
      }
      if (!outcome && STACK_LINE.test(e.message)) outcome = 'a stack trace in the report';
    }
  }
  const ms = performance.now() - t0;
  if (!outcome && ms > HANG_MS) outcome = `took ${ms.toFixed(0)} ms`;
  if (outcome) return { problem: `${reproduce(n)} (${c.label}; input kept in ${file}): ${outcome}`, compiled };
  removeTemp(join(work, `case-${n}`));
  return { compiled };
}

test(`every case is a lab or bad input with where, what and a hint (SEED=${SEED})`, () => {
  const failures: string[] = [];
  let compiled = 0;
  for (const n of indexes) {
    const j = judge(caseOf(n), n);
    if (j.problem) failures.push(j.problem);
    if (j.compiled) compiled++;
  }
  process.stdout.write(`validate-fuzz: ${compiled} of ${indexes.length} cases compiled, ${indexes.length - compiled} were refused\n`);
  // A mutator that broke every case would test only the refusals (and one that broke none, nothing).
  assert.equal(failures.slice(0, 10), [], `${failures.length} of ${indexes.length} cases failed`);
  if (ONE === undefined) assert.ok(compiled > indexes.length / 10 && compiled < indexes.length * 0.9, `${compiled} of ${indexes.length} compiled`);
});

test('through the command line: exit 0 or 2, no stack trace, nothing written or changed on a refusal', () => {
  const failures: string[] = [];
  // Each whole-file shape once (cases -1, -2, ...), then random cases after the in-process ones.
  const list = ONE !== undefined ? [ONE] : [...Array.from({ length: WHOLE_FILE_VARIANTS }, (_, k) => -1 - k), ...Array.from({ length: CLI_CASES }, (_, k) => CASES + k)];
  for (const n of list) {
    const c = caseOf(n);
    const file = writeCase(c, n);
    const out = join(work, `case-${n}`, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.txt'), 'a file gen-lab did not write\n');
    const before = snapshot(out);
    const r = spawnSync(process.execPath, [cliPath, file, '-o', out], { encoding: 'utf8', timeout: HANG_MS, maxBuffer: 1 << 26 });
    const say = (what: string) => failures.push(`${reproduce(n)} (${c.label}; input in ${file}): ${what}`);
    if (r.status !== 0 && r.status !== 2) say(`exit ${r.status}${r.signal ? ` (signal ${r.signal})` : ''}: ${r.stderr.slice(0, 300)}`);
    else if (STACK_LINE.test(r.stderr) || /internal error/.test(r.stderr)) say(`stderr: ${r.stderr.slice(0, 300)}`);
    else if (r.status === 2) {
      const changed = changedPaths(before, snapshot(out));
      if (changed.length) say(`refused, but the output folder changed: ${changed.join(', ')}`);
      else if (r.stdout !== '') say(`refused, but printed on stdout: ${r.stdout.slice(0, 200)}`);
      else if (!/^.*: (error|warning) \[[a-z0-9-]+\]/m.test(r.stderr) || !/\n {2}hint: /.test(r.stderr)) say(`a refusal without a diagnostic and hint: ${r.stderr.slice(0, 300)}`);
      else if (!/gen-lab: \d+ errors?; nothing written\n$/.test(r.stderr)) say(`the report does not end with the count: ${r.stderr.slice(-200)}`);
    }
    if (failures.length === 0 || !failures[failures.length - 1]?.startsWith(reproduce(n))) removeTemp(join(work, `case-${n}`));
  }
  assert.equal(failures.slice(0, 10), [], `${failures.length} of ${list.length} command-line cases failed`);
});

test.after(() => {
  if (ONE === undefined) removeTemp(work);
});

test.run();
