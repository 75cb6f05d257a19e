#!/usr/bin/env node
// Front-end growth benchmark on specs of hostile shape (within the load limits): for each shape,
// a spec of size N and of size 2N goes through `gen-lab validate --timing` (a new process each) and
// the figures of the phases are printed with the ratio between the sizes. A ratio near 2 is linear;
// near 4 is quadratic. Prints figures, asserts nothing.
//   npm run build && node bench/hostile-shapes.js [N] [SHAPE...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'gen-lab.js');
const N = Number(process.argv[2] ?? 2000);
const only = process.argv.slice(3);

const ip = (i, base = 10) => `${base}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const sw = (i) => ({ name: `s${i}`, role: 'switch', bridges: [{ name: `b${i}`, stp: true }] });

/** Each shape: n -> spec. Sized so that N = 2000 stays well inside the load limits. */
export const SHAPES = {
  // Many subnets, addresses naming none: overlap check and subnet lookup per address.
  subnets: (n) => ({
    name: 'subnets',
    subnets: Array.from({ length: n }, (_, i) => ({ name: `n${i}`, cidr: `${ip(i * 4)}/30` })),
    vms: Array.from({ length: n }, (_, i) => ({ name: `s${i}`, role: 'switch', bridges: [{ name: `b${i}`, address: `${ip(i * 4 + 1)}/30` }] })),
  }),
  // A chain of VMs, two cables each: NIC counts per VM.
  cables: (n) => ({
    name: 'cables',
    vms: Array.from({ length: n }, (_, i) => ({ name: `v${i}`, role: 'client' })),
    cables: Array.from({ length: n - 1 }, (_, i) => ({ name: `c${i}`, ends: [{ vm: `v${i}` }, { vm: `v${i + 1}` }] })),
  }),
  // Cables to VMs that do not exist: every hint lists the known VMs.
  'unknown-refs': (n) => ({
    name: 'unknown',
    vms: Array.from({ length: n }, (_, i) => ({ name: `v${i}`, role: 'client' })),
    cables: Array.from({ length: n }, (_, i) => ({ name: `c${i}`, ends: [{ vm: `x${i}` }, { vm: `y${i}` }] })),
  }),
  // One address on every VM.
  'same-address': (n) => ({
    name: 'same',
    vms: Array.from({ length: n }, (_, i) => ({ name: `s${i}`, role: 'switch', bridges: [{ name: `b${i}`, address: '10.0.0.1/8' }] })),
  }),
  // One VXLAN segment over every host; the underlay is a chain of cables.
  vxlan: (n) => ({
    name: 'vxlan',
    subnets: [{ name: 'under', cidr: '10.0.0.0/8' }],
    vms: Array.from({ length: n }, (_, i) => ({ name: `h${i}`, role: 'host', bridges: [{ name: 'out', address: `${ip(i + 1)}/8` }, { name: 'in' }] })),
    cables: Array.from({ length: n - 1 }, (_, i) => ({ name: `c${i}`, ends: [{ vm: `h${i}`, bridge: 'out' }, { vm: `h${i + 1}`, bridge: 'out' }] })),
    vxlan: [{ name: 'seg', vni: 42, underlay: 'under', members: Array.from({ length: n }, (_, i) => ({ vm: `h${i}`, bridge: 'in' })) }],
  }),
  // A chain of STP switches declared from its far end: the spanning tree converges hop by hop.
  'stp-chain': (n) => ({
    name: 'chain',
    vms: Array.from({ length: n }, (_, i) => ({ name: `s${i}`, role: 'switch', bridges: [{ name: `b${i}`, stp: true, ...(i === n - 1 ? { priority: 4096 } : {}) }] })),
    cables: Array.from({ length: n - 1 }, (_, i) => ({ name: `c${i}`, ends: [{ vm: `s${i}`, bridge: `b${i}` }, { vm: `s${i + 1}`, bridge: `b${i + 1}` }] })),
  }),
  // One service: every container a backend, a tenth of them balancers too (on one LAN per host).
  service: (n) => {
    const hosts = Math.ceil(n / 50);
    const bal = Math.max(2, Math.floor(n / 20));
    return {
      name: 'service',
      vms: Array.from({ length: hosts }, (_, h) => ({ name: `h${h}`, role: 'host', bridges: [{ name: 'lan', address: `${ip(60000 + h)}/8` }] })),
      cables: Array.from({ length: hosts - 1 }, (_, h) => ({ name: `c${h}`, ends: [{ vm: `h${h}`, bridge: 'lan' }, { vm: `h${h + 1}`, bridge: 'lan' }] })),
      containers: Array.from({ length: n }, (_, i) => ({ name: `c${i}`, vm: `h${Math.floor(i / 50)}`, role: i < bal ? 'balancer' : 'web', nics: [{ bridge: 'lan', address: `${ip(i + 1)}/8` }] })),
      services: [{ name: 'web', port: 8000, balancers: Array.from({ length: bal }, (_, i) => `c${i}`), backends: Array.from({ length: n - bal }, (_, i) => ({ container: `c${bal + i}` })) }],
    };
  },
  // Container NICs on bridges of other VMs.
  'wrong-bridges': (n) => ({
    name: 'bridges',
    vms: Array.from({ length: n / 2 }, (_, h) => ({ name: `h${h}`, role: 'host', bridges: [{ name: `b${h}` }] })),
    containers: Array.from({ length: n / 2 }, (_, i) => ({ name: `c${i}`, vm: 'h0', nics: [{ bridge: `b${n / 2 - 1 - i}` }] })),
  }),
  // Many separate STP domains (one switch each): STP per domain.
  domains: (n) => ({ name: 'domains', vms: Array.from({ length: n }, (_, i) => sw(i)) }),
  // Many VRRP groups and services on one LAN of balancers.
  vrrp: (n) => {
    const hosts = Math.ceil(n / 50);
    return {
      name: 'vrrp',
      vms: Array.from({ length: hosts }, (_, h) => ({ name: `h${h}`, role: 'host', bridges: [{ name: 'lan', address: `${ip(60000 + h)}/8` }] })),
      containers: Array.from({ length: n }, (_, i) => ({ name: `b${i}`, vm: `h${Math.floor(i / 50)}`, role: 'balancer', nics: [{ bridge: 'lan', address: `${ip(i + 1)}/8` }] })),
      vrrp: Array.from({ length: Math.floor(n / 4) }, (_, g) => ({ name: `g${g}`, vrid: 1 + (g % 255), addresses: [ip(100000 + g)], members: [{ container: `b${2 * g}`, priority: 100 }, { container: `b${2 * g + 1}`, priority: 50 }] })),
    };
  },
  // Enum values far from every choice, long: the "did you mean" search.
  'long-enums': (n) => ({ name: 'enums', vms: Array.from({ length: n / 4 }, (_, i) => ({ name: `v${i}`, role: 'x'.repeat(1000) })) }),
  // Schema errors everywhere.
  'schema-errors': (n) => ({ name: 'errors', vms: Array.from({ length: n }, (_, i) => ({ name: `V${i}`, role: 7, memory: 'a lot' })) }),
};

function run(spec, dir, label) {
  const file = join(dir, `${label}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, 'validate', file, '--timing'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const phase = (name) => Number(new RegExp(`${name} ([\\d.]+) ms`).exec(r.stdout)?.[1] ?? NaN);
  return { status: r.status, wall, load: phase('load'), validate: phase('validate'), resolve: phase('resolve'), stderrBytes: r.stderr.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = mkdtempSync(join(tmpdir(), 'gen-lab-hostile-shapes-'));
  console.log(`hostile shapes: N = ${N} and 2N; figures in ms (validate phase = schema + checks; resolve only when valid)`);
  for (const [name, make] of Object.entries(SHAPES)) {
    if (only.length && !only.includes(name)) continue;
    const a = run(make(N), dir, `${name}-a`);
    const b = run(make(2 * N), dir, `${name}-b`);
    const fmt = (x) => (Number.isNaN(x) ? '   -' : x.toFixed(0).padStart(5));
    const ratio = (x, y) => (Number.isNaN(x) || Number.isNaN(y) || x < 1 ? '  -' : (y / x).toFixed(1).padStart(4));
    console.log(`${name.padEnd(14)} exit ${a.status}/${b.status}  wall ${fmt(a.wall)} ${fmt(b.wall)}  validate ${fmt(a.validate)} ${fmt(b.validate)} (x${ratio(a.validate, b.validate)})  resolve ${fmt(a.resolve)} ${fmt(b.resolve)} (x${ratio(a.resolve, b.resolve)})  stderr ${a.stderrBytes} ${b.stderrBytes} bytes`);
  }
  rmSync(dir, { recursive: true, force: true });
}
