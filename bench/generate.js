#!/usr/bin/env node
// Generation benchmark: cold wall time of `gen-lab SPEC -o DIR` (a new node process per run, a fresh
// output folder per run), median of N runs, for the reference lab and for synthetic labs of 25, 50
// and 100 hosts (10 containers each) to show how time grows with size. Prints figures, asserts nothing.
//   npm run bench            (builds first)
//   node bench/generate.js [RUNS]
//
// Each lab is written twice: to tmpfs (/dev/shm), where the figure is gen-lab's own work, and to the
// disk (os.tmpdir(), or TMPDIR), where it adds what this machine's disk charges per file created.
// The targets are judged on tmpfs; the last line says what the disk added per file written. On the
// VMs this was built on, a create cost ~25 µs while the virtual disk had credit and ~600-800 µs once
// a burst of writes had it throttled, so the disk figures vary from run to run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticSpec } from './synthetic-spec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'gen-lab.js');
const runs = Number(process.argv[2] ?? 10);
const TARGET_REFERENCE_MS = 150;
const TARGET_SYNTHETIC_MS = 1000;
const TMPFS_MAGIC = 0x01021994;

const places = [];
if (existsSync('/dev/shm') && statfsSync('/dev/shm').type === TMPFS_MAGIC) places.push({ label: 'tmpfs', dir: mkdtempSync('/dev/shm/gen-lab-bench-') });
const diskDir = mkdtempSync(join(tmpdir(), 'gen-lab-bench-'));
if (statfsSync(diskDir).type !== TMPFS_MAGIC) places.push({ label: 'disk', dir: diskDir });
const specs = mkdtempSync(join(tmpdir(), 'gen-lab-bench-specs-'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** CPU time (user + system) of waited-for children, in ms (Linux /proc; clock ticks of 10 ms). */
function childrenCpuMs() {
  if (!existsSync('/proc/self/stat')) return NaN;
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** What creating one empty file costs in `dir` right now, in µs (median of 5 batches of 100). */
function createCostUs(dir) {
  const probe = join(dir, 'create-probe');
  const batches = [];
  for (let b = 0; b < 5; b++) {
    mkdirSync(probe);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) writeFileSync(join(probe, `f${i}`), '');
    batches.push(Number(process.hrtime.bigint() - t0) / 1e3 / 100);
    rmSync(probe, { recursive: true });
  }
  return median(batches);
}

function generateOnce(spec, out, cpu) {
  const c0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, spec, '-o', out], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  cpu.push(childrenCpuMs() - c0);
  if (r.status !== 0) throw new Error(`gen-lab failed on ${spec} (exit ${r.status}):\n${r.stderr.split('\n').slice(0, 20).join('\n')}`);
  rmSync(out, { recursive: true, force: true });
  return ms;
}

/** Phase times of one extra run, from gen-lab's own --timing lines. */
function phases(spec, dir) {
  const out = join(dir, 'out-timing');
  const r = spawnSync(process.execPath, [cli, spec, '-o', out, '--timing'], { encoding: 'utf8' });
  rmSync(out, { recursive: true, force: true });
  const files = /wrote .*: (\d+) changed/.exec(r.stdout)?.[1] ?? '?';
  const writeMs = Number(/write ([\d.]+) ms/.exec(r.stdout)?.[1] ?? NaN);
  const write = /write ([\d.]+ ms \(creates: \w+\))/.exec(r.stdout)?.[1] ?? '?';
  const line = r.stdout.split('\n').find((l) => l.startsWith('load ')) ?? '';
  const cache = /code cache (\w+)/.exec(r.stdout)?.[1] ?? '?';
  return { files: Number(files), writeMs, text: `${files} files; ${line.replace(/, total.*/, '')}, write ${write}; code cache ${cache} (one run, in-process)` };
}

function bench(label, spec, nodes) {
  const byPlace = {};
  for (const place of places) {
    const cpu = [];
    const times = Array.from({ length: runs }, (_, i) => generateOnce(spec, join(place.dir, `out-${i}`), cpu));
    const m = median(times);
    const p = phases(spec, place.dir);
    console.log(`${label.padEnd(22)} ${place.label.padEnd(5)} median ${m.toFixed(0).padStart(5)} ms  min ${Math.min(...times).toFixed(0).padStart(5)}  max ${Math.max(...times).toFixed(0).padStart(5)}  cpu ${median(cpu).toFixed(0).padStart(5)} ms  ${(m / nodes).toFixed(2)} ms/node`);
    console.log(`${''.padEnd(28)} ${p.text}`);
    byPlace[place.label] = { ms: m, files: p.files, writeMs: p.writeMs };
  }
  return byPlace;
}

console.log(`gen-lab generation benchmark: node ${process.version}, ${runs} cold runs per figure (new process, fresh output folder)`);
console.log(`load average ${(existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8') : '? ? ?').split(' ').slice(0, 3).join(' ')}: wall times include waiting for a CPU; cpu = user + system of the run`);
for (const place of places) console.log(`${place.label.padEnd(5)} ${place.dir}: creating a file costs ${(place.createUs = createCostUs(place.dir)).toFixed(0)} µs now`);
console.log('');

const reference = bench('reference practica6', join(root, 'examples', 'practica6.json'), 10);
const sizes = [25, 50, 100];
const results = [];
for (const hosts of sizes) {
  const spec = syntheticSpec(hosts);
  const file = join(specs, `synthetic-${hosts}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const nodes = spec.vms.length + spec.containers.length;
  results.push({ hosts, nodes, byPlace: bench(`synthetic ${hosts} hosts`, file, nodes) });
}
for (const place of places) rmSync(place.dir, { recursive: true, force: true });
rmSync(diskDir, { recursive: true, force: true });
rmSync(specs, { recursive: true, force: true });

// Linear growth: the marginal cost per node between sizes should stay flat.
console.log('\ngrowth (marginal ms per added node):');
for (const place of places) {
  const steps = results.slice(1).map((b, i) => {
    const a = results[i];
    return `${a.hosts} -> ${b.hosts} hosts ${((b.byPlace[place.label].ms - a.byPlace[place.label].ms) / (b.nodes - a.nodes)).toFixed(2)}`;
  });
  console.log(`  ${place.label.padEnd(5)} ${steps.join(', ')} ms/node`);
}

const judged = places[0];
const verdict = (ms, target) => `${ms.toFixed(0)} ms (<= ${target}: ${ms <= target ? 'met' : 'MISSED'})`;
const big = results[results.length - 1].byPlace;
console.log(`\ntargets, judged on ${judged.label}: reference ${verdict(reference[judged.label].ms, TARGET_REFERENCE_MS)}, synthetic 100 hosts ${verdict(big[judged.label].ms, TARGET_SYNTHETIC_MS)}`);
for (const place of places) {
  const perFile = (r) => `${r.writeMs.toFixed(0)} ms for ${r.files} files (${((r.writeMs * 1000) / r.files).toFixed(0)} µs each)`;
  console.log(`write phase on ${place.label.padEnd(5)}: reference ${perFile(reference[place.label])}, synthetic 100 hosts ${perFile(big[place.label])}`);
}
