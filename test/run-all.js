#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) in its own process, echoes its output and
// sums the suites into the one closing line CI reads: "N passed, N failed".
//
// The boot suite (TCG guests, most of a CI run) runs in the background, niced, beside the others,
// which run one at a time. Where it judges timers inside its guests it asks for the machine
// (test/support/exclusive.ts): no other suite starts until it gives the machine back.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'dist', 'test');
const only = process.argv.slice(2);
const BACKGROUND = new Set(['boot.test.js']);
const BACKGROUND_NICE = 10;
// Suites that take minutes go first, so that none is still running when the boot suite asks for
// the machine (it waits for the running suite to end).
const LONG_FIRST = ['emulation.test.js', 'teaching.test.js', 'grading-mistakes.test.js'];

function find(d) {
  return readdirSync(d)
    .sort()
    .flatMap((e) => {
      const p = join(d, e);
      return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.js') ? [p] : [];
    });
}

// CI shows only the tail of a run: each failure's heading and first lines are repeated at the end.
const ANSI = /\x1b\[[0-9;]*m/g;
const FAILURE_LINES = 10;
function failureHeads(name, stdout) {
  const lines = stdout.replace(ANSI, '').split('\n');
  const heads = [];
  lines.forEach((line, i) => {
    if (!/^\s*FAIL\s+"/.test(line)) return;
    const body = lines.slice(i + 1, i + 1 + FAILURE_LINES).filter((l) => l.trim() && !/^\s*at /.test(l));
    heads.push([`${name}: ${line.trim()}`, ...body.map((l) => `    ${l.trim().slice(0, 300)}`)].join('\n'));
  });
  return heads;
}

/** A background suite's lines carry its name, so they read apart from the suite in front. */
function prefixed(name, write) {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) write(`[${name}] ${l}\n`);
  };
}

// running: the foreground suite now running; wanted: the background suite waiting for the machine;
// held: the background suite that has it (no foreground suite starts meanwhile).
const gate = { running: null, wanted: null, held: null, waiters: [] };
function grantIfIdle() {
  if (gate.wanted && !gate.running) {
    const { child, name } = gate.wanted;
    gate.held = name;
    gate.wanted = null;
    process.stdout.write(`\n=== ${name} has the machine to itself\n`);
    child.send({ type: 'exclusive-granted' });
  }
}
async function foregroundMayStart() {
  while (gate.wanted || gate.held) await new Promise((resolve) => gate.waiters.push(resolve));
}
function gateChanged() {
  grantIfIdle();
  for (const w of gate.waiters.splice(0)) w();
}

function run(file, name, background) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe', ...(background ? ['ipc'] : [])] });
    let stdout = '';
    const out = background ? prefixed(name, (s) => process.stdout.write(s)) : (s) => process.stdout.write(s);
    const err = background ? prefixed(name, (s) => process.stderr.write(s)) : (s) => process.stderr.write(s);
    if (background) {
      try {
        setPriority(child.pid, BACKGROUND_NICE);
      } catch {
        // Not permitted: the suite still runs, only less politely.
      }
      child.on('message', (m) => {
        if (m?.type === 'exclusive-acquire') {
          gate.wanted = { child, name };
          if (gate.running) process.stdout.write(`\n=== ${name} waits for ${gate.running} to end, then has the machine to itself\n`);
          gateChanged();
        } else if (m?.type === 'exclusive-release') {
          gate.held = null;
          process.stdout.write(`\n=== ${name} gives the machine back\n`);
          gateChanged();
        }
      });
    }
    // Streamed as it comes, so a long suite (the boot suite runs for many minutes) shows what it does.
    child.stdout.on('data', (d) => {
      stdout += d;
      out(String(d));
    });
    child.stderr.on('data', (d) => err(String(d)));
    child.on('close', (status, signal) => {
      if (background && gate.held === name) {
        gate.held = null;
        gateChanged();
      }
      resolve({ status, signal, stdout });
    });
  });
}

function judged(name, r, seconds) {
  const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(r.stdout ?? '')?.[1] ?? NaN);
  const total = num('Total');
  const ok = num('Passed');
  const skip = num('Skipped') || 0;
  let f;
  if (Number.isNaN(total) || Number.isNaN(ok)) {
    f = 1;
    process.stdout.write(`!!! ${name}: no uvu summary (exit ${r.status}, signal ${r.signal}); counted as 1 failed\n`);
  } else {
    f = total - ok - skip;
    if (r.status !== 0 && f === 0) f = 1;
  }
  return {
    name,
    passed: Number.isNaN(ok) ? 0 : ok,
    failed: f,
    skipped: Number.isNaN(total) ? 0 : skip,
    heads: f > 0 ? [...failureHeads(name, r.stdout), ...(Number.isNaN(total) ? [`${name}: no uvu summary`] : [])] : [],
    line: `${name}: ${Number.isNaN(ok) ? 0 : ok} passed, ${f} failed (${seconds.toFixed(1)} s)`,
  };
}

async function suite(file, background) {
  const name = relative(dir, file);
  const started = Date.now();
  process.stdout.write(`\n=== ${name}${background ? ` (in the background, nice ${BACKGROUND_NICE})` : ''}\n`);
  if (!background) gate.running = name;
  const r = await run(file, name, background);
  if (!background) {
    gate.running = null;
    gateChanged();
  }
  return judged(name, r, (Date.now() - started) / 1000);
}

const selected = find(dir).filter((file) => !only.length || only.some((o) => relative(dir, file).includes(o)));
const rank = (file) => {
  const i = LONG_FIRST.indexOf(relative(dir, file));
  return i < 0 ? LONG_FIRST.length : i;
};
const foreground = selected.filter((f) => !BACKGROUND.has(relative(dir, f))).sort((a, b) => rank(a) - rank(b));
const background = selected.filter((f) => BACKGROUND.has(relative(dir, f))).map((f) => suite(f, true));
const results = [];
for (const file of foreground) {
  await foregroundMayStart();
  results.push(await suite(file, false));
}
results.push(...(await Promise.all(background)));
results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

const sum = (k) => results.reduce((n, r) => n + r[k], 0);
const failures = results.flatMap((r) => r.heads);
if (failures.length) process.stdout.write(`\nfailures:\n${failures.join('\n')}\n`);
process.stdout.write(`\n${results.map((r) => r.line).join('\n')}\n`);
const skipped = sum('skipped');
process.stdout.write(`${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(sum('failed') > 0 ? 1 : 0);
