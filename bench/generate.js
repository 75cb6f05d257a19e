#!/usr/bin/env node
// Generation benchmark: cold wall time of `gen-lab SPEC -o DIR` (a new node process per run, a fresh
// output folder per run), median of N runs, for the reference lab and for synthetic labs of 25, 50
// and 100 hosts (10 containers each) to show how time grows with size. Prints figures, asserts nothing.
//   npm run bench            (builds first)
//   node bench/generate.js [RUNS]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticSpec } from './synthetic-spec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'gen-lab.cjs');
const runs = Number(process.argv[2] ?? 10);
const work = mkdtempSync(join(tmpdir(), 'gen-lab-bench-'));
const TARGET_REFERENCE_MS = 150;
const TARGET_SYNTHETIC_MS = 1000;

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

function generateOnce(spec, i) {
  const out = join(work, `out-${i}`);
  const c0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, spec, '-o', out], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  cpu.push(childrenCpuMs() - c0);
  if (r.status !== 0) throw new Error(`gen-lab failed on ${spec} (exit ${r.status}):\n${r.stderr.split("\n").slice(0, 20).join("\n")}`);
  rmSync(out, { recursive: true, force: true });
  return ms;
}

/** Phase times of one extra run, from gen-lab's own --timing line. */
function phases(spec) {
  const out = join(work, 'out-timing');
  const r = spawnSync(process.execPath, [cli, spec, '-o', out, '--timing'], { encoding: 'utf8' });
  rmSync(out, { recursive: true, force: true });
  const files = /wrote .*: (\d+) changed/.exec(r.stdout)?.[1] ?? '?';
  const write = /write ([\d.]+) ms/.exec(r.stdout)?.[1] ?? '?';
  const line = r.stdout.split('\n').find((l) => l.startsWith('load ')) ?? '';
  return `${files} files; ${line.replace(/, total.*/, '')}, write ${write} ms (in-process)`;
}

let cpu = [];
function bench(label, spec, nodes) {
  cpu = [];
  const times = Array.from({ length: runs }, (_, i) => generateOnce(spec, i));
  const m = median(times);
  console.log(`${label.padEnd(28)} median ${m.toFixed(0).padStart(5)} ms  min ${Math.min(...times).toFixed(0).padStart(5)}  max ${Math.max(...times).toFixed(0).padStart(5)}  cpu ${median(cpu).toFixed(0).padStart(5)} ms  ${nodes} nodes, ${(m / nodes).toFixed(2)} ms/node`);
  console.log(`${''.padEnd(28)} ${phases(spec)}`);
  return m;
}

console.log(`gen-lab generation benchmark: node ${process.version}, ${runs} cold runs each (new process, fresh folder in ${tmpdir()})`);
console.log(`load average ${(existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8') : '? ? ?').split(' ').slice(0, 3).join(' ')} on this machine: wall times include waiting for a CPU, cpu = user + system of the run\n`);
const reference = join(root, 'examples', 'practica6.json');
const refMs = bench('reference practica6', reference, 10);

const sizes = [25, 50, 100];
const results = [];
for (const hosts of sizes) {
  const spec = syntheticSpec(hosts);
  const file = join(work, `synthetic-${hosts}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const nodes = spec.vms.length + spec.containers.length;
  results.push({ hosts, nodes, ms: bench(`synthetic ${hosts} hosts`, file, nodes) });
}
rmSync(work, { recursive: true, force: true });

// Linear growth: the marginal cost per node between sizes should stay flat.
console.log('\ngrowth (marginal ms per added node):');
for (let i = 1; i < results.length; i++) {
  const a = results[i - 1];
  const b = results[i];
  console.log(`  ${a.hosts} -> ${b.hosts} hosts: ${((b.ms - a.ms) / (b.nodes - a.nodes)).toFixed(2)} ms/node`);
}
const big = results[results.length - 1];
console.log(`\ntargets: reference ${refMs.toFixed(0)} ms (<= ${TARGET_REFERENCE_MS}: ${refMs <= TARGET_REFERENCE_MS ? 'met' : 'MISSED'}), synthetic 100 hosts ${big.ms.toFixed(0)} ms (<= ${TARGET_SYNTHETIC_MS}: ${big.ms <= TARGET_SYNTHETIC_MS ? 'met' : 'MISSED'})`);
