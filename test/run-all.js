#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) in its own process, echoes its output and
// sums the suites into the one closing line CI reads: "N passed, N failed".
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'dist', 'test');
const only = process.argv.slice(2);

function find(d) {
  return readdirSync(d)
    .sort()
    .flatMap((e) => {
      const p = join(d, e);
      return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.js') ? [p] : [];
    });
}

function runStreaming(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (status, signal) => resolve({ status, signal, stdout }));
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
const failures = [];

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];
for (const file of find(dir)) {
  const name = relative(dir, file);
  if (only.length && !only.some((o) => name.includes(o))) continue;
  const started = Date.now();
  process.stdout.write(`\n=== ${name}\n`);
  // Streamed as it comes, so a long suite (the boot suite runs for many minutes) shows what it does.
  const r = await runStreaming(file);
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
    passed += ok;
    skipped += skip;
  }
  failed += f;
  if (f > 0) failures.push(...failureHeads(name, r.stdout), ...(Number.isNaN(total) ? [`${name}: no uvu summary`] : []));
  summary.push(`${name}: ${Number.isNaN(ok) ? 0 : ok} passed, ${f} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
if (failures.length) process.stdout.write(`\nfailures:\n${failures.join('\n')}\n`);
process.stdout.write(`\n${summary.join('\n')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 ? 1 : 0);
