// Random valid labs of varied shape, for the emulation suite and the validation sweep. One seed, one
// lab, byte for byte (a tiny PRNG, no Math.random): a failing seed is reproduced with SEED=<seed>.
//
// Shape: 2-4 host VMs, each with an external STP bridge (address in the external subnet, the VXLAN
// underlay) and an internal bridge; 1-4 switch VMs cabled as a ring, triangle, star or partial mesh
// with the hosts (not every cable on a loop); one client on a switch. 2-4 balancers (eth0 external, eth1
// internal), 1-5 web servers, some hosts without any (their balancers have no local backend).
// 1-3 VRRP groups: one over every balancer, two over the same balancers mastered by different ones
// (active/active), or disjoint clusters. 1-3 services, each on one cluster's balancers with its own
// algorithm, port and backend set. One VXLAN segment joins the internal bridges of every host.
// Names, subnets, priorities and timers vary (timers stay near the kernel minimum: the suite waits
// for them: health checks every second).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';
import { mulberry32, type Rng } from './rng.js';

export type { Rng };
export const rng = mulberry32;

const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
function shuffle<T>(r: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export const ALGORITHMS = ['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'uri'] as const;
export const SHAPES = ['ring', 'triangle', 'star', 'mesh'] as const;

export interface RandomLab {
  seed: number;
  /** One line: hosts, switch shape, groups, services and algorithms. */
  summary: string;
  spec: Record<string, unknown>;
}

/** A valid lab spec for `seed`, named `name` (lab names are namespace prefixes: keep them short). */
export function randomLab(seed: number, name = `rl${seed % 100000}`): RandomLab {
  const r = rng(seed);
  const shape = pick(r, SHAPES);
  // Rings stay short: every cable of a ring is on the tree's one loop and is a fault to wait for.
  const H = shape === 'ring' ? int(r, 2, 3) : int(r, 2, 4);
  const S = shape === 'triangle' ? 3 : shape === 'mesh' ? 4 : shape === 'star' ? int(r, 2, 3) : int(r, 1, 2);
  const p = pick(r, ['a', 'b', 'x', 'n', 'k']);
  const hostName = (i: number) => `${p}h${i + 1}`;
  const swName = (i: number) => `${p}sw${i + 1}`;

  // Subnets: external /24 in 172.16-31 or 192.168, internal /24 in 10.x.
  const ext = pick(r, [`172.${int(r, 16, 31)}.${int(r, 0, 254)}`, `192.168.${int(r, 0, 254)}`]);
  const intn = `10.${int(r, 0, 254)}.${int(r, 0, 254)}`;
  const fd = 2;
  const maxAge = int(r, 6, 7);
  const hello = int(r, 1, 2);

  const vms: Record<string, unknown>[] = [];
  const cables: Record<string, unknown>[] = [];
  const usedNics = new Map<string, number>();
  const cable = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const e of [a, b]) usedNics.set(e['vm'] as string, (usedNics.get(e['vm'] as string) ?? 0) + 1);
    cables.push({ name: `c${cables.length + 1}`, ends: [a, b] });
  };
  for (let i = 0; i < H; i++) {
    vms.push({ name: hostName(i), role: 'host', memory: 1024, bridges: [{ name: `${p}e${i + 1}`, stp: true, address: `${ext}.${201 + i}/24`, subnet: 'ext' }, { name: `${p}i${i + 1}`, stp: false }] });
  }
  const rootSw = int(r, 0, S - 1);
  for (let i = 0; i < S; i++) vms.push({ name: swName(i), role: 'switch', bridges: [{ name: swName(i), stp: true, ...(i === rootSw ? { priority: 4096 } : r() < 0.3 ? { priority: 8192 * int(r, 1, 6) } : {}) }] });
  vms.push({ name: `${p}user`, role: 'client' });
  const sw = (i: number) => ({ vm: swName(i), bridge: swName(i) });
  const hostEnd = (i: number) => ({ vm: hostName(i), bridge: `${p}e${i + 1}` });

  // Switch fabric: ring: one cycle through the switches and hosts in random order; triangle: three
  // switches in a cycle; star: leaf switches on a centre; mesh: a ring of four switches with a
  // chord. In triangles and stars one host is on two switches (a loop through it); every other
  // host is on one (its cable has no other path: the fault matrix leaves it out).
  const fabric: [Record<string, unknown>, Record<string, unknown>][] = [];
  if (shape === 'ring') {
    const order = shuffle(r, [...Array.from({ length: S }, (_, i) => sw(i)), ...Array.from({ length: H }, (_, i) => hostEnd(i))]);
    for (let i = 0; i < order.length; i++) fabric.push([order[i] as Record<string, unknown>, order[(i + 1) % order.length] as Record<string, unknown>]);
  } else {
    if (shape === 'star') for (let i = 1; i < S; i++) fabric.push([sw(0), sw(i)]);
    else for (let i = 0; i < S; i++) fabric.push([sw(i), sw((i + 1) % S)]);
    if (shape === 'mesh') fabric.push([sw(0), sw(2)]);
    // A mesh has its loops among the switches; elsewhere one host closes a loop through itself.
    const dual = shape === 'mesh' ? -1 : int(r, 0, H - 1);
    for (let h = 0; h < H; h++) {
      const first = int(r, 0, S - 1);
      fabric.push([sw(first), hostEnd(h)]);
      if (h === dual) fabric.push([sw(S > 1 ? (first + int(r, 1, S - 1)) % S : 0), hostEnd(h)]);
    }
  }
  cable(sw(0), { vm: `${p}user`, address: `${ext}.100/24`, subnet: 'ext' });
  for (const [a, b] of fabric) cable(a, r() < 0.25 && b['bridge'] !== undefined && b['vm'] !== swName(0) && !String(b['vm']).includes('sw') ? { ...b, cost: pick(r, [10, 50, 200]) } : b);

  // Balancers and web servers.
  // Four balancers only as two disjoint pairs (two clusters); otherwise one cluster of 2-3.
  const B = H === 4 && r() < 0.3 ? 4 : int(r, 2, Math.min(3, H));
  const balHosts = shuffle(r, Array.from({ length: H }, (_, i) => i));
  const containers: Record<string, unknown>[] = [];
  const bals: string[] = [];
  for (let b = 0; b < B; b++) {
    const h = balHosts[b % H] as number;
    const n = `${p}lb${b + 1}`;
    bals.push(n);
    containers.push({ name: n, vm: hostName(h), role: 'balancer', nics: [{ name: 'eth0', bridge: `${p}e${h + 1}`, address: `${ext}.${10 + b}/24` }, { name: 'eth1', bridge: `${p}i${h + 1}`, address: `${intn}.${250 - b}/24` }] });
  }
  const W = int(r, 2, Math.min(4, H + 1));
  // Web servers leave at least one host without any when there are hosts to spare.
  const webHosts = shuffle(r, Array.from({ length: H }, (_, i) => i)).slice(0, Math.max(1, H - (r() < 0.6 ? 1 : 0)));
  const webs: string[] = [];
  for (let w = 0; w < W; w++) {
    const h = webHosts[w % webHosts.length] as number;
    const n = `${p}web${w + 1}`;
    webs.push(n);
    containers.push({ name: n, vm: hostName(h), role: 'web', nics: [{ name: 'eth0', bridge: `${p}i${h + 1}`, address: `${intn}.${1 + w}/24` }] });
  }

  // VRRP: clusters of balancers, each with one or two groups (two: active/active).
  const clusters: string[][] = B === 4 ? [bals.slice(0, 2), bals.slice(2)] : [bals];
  const vrrp: Record<string, unknown>[] = [];
  const groupsOf: string[][] = clusters.map(() => []);
  let vrid = int(r, 1, 200);
  let vipN = 254;
  for (let ci = 0; ci < clusters.length; ci++) {
    const members = clusters[ci] as string[];
    // Up to three groups in all; a cluster's groups are mastered by different balancers in turn.
    const nGroups = int(r, 1, Math.min(members.length, 3 - vrrp.length - (clusters.length - ci - 1)));
    const masters = shuffle(r, members);
    for (let gi = 0; gi < nGroups; gi++) {
      const g = `${p}g${vrrp.length + 1}`;
      groupsOf[ci]?.push(g);
      const master = masters[gi % masters.length] as string;
      const prios = shuffle(r, [100, 90, 80, 70]);
      vrrp.push({
        name: g,
        vrid: vrid++,
        advertInt: 1,
        addresses: [`${ext}.${vipN--}`],
        preempt: r() < 0.7,
        members: members.map((m, k) => ({ container: m, nic: 'eth0', priority: m === master ? 150 + int(r, 0, 50) : (prios[k] as number) })),
      });
    }
  }

  // Services: each on one cluster, its own algorithm, port and backends.
  const nServices = int(r, 1, 3);
  const algos = shuffle(r, ALGORITHMS);
  const services: Record<string, unknown>[] = [];
  const ports = shuffle(r, [8000, 8080, 8081, 9000, 8888, 8443]);
  for (let s = 0; s < nServices; s++) {
    const ci = s % clusters.length;
    const backends = shuffle(r, webs).slice(0, int(r, 1, webs.length));
    // Health checks every second (the suite waits for fall x interval per web and VXLAN fault).
    const interval = 1;
    services.push({
      name: `${p}svc${s + 1}`,
      balancers: clusters[ci],
      port: ports[s],
      algorithm: algos[s],
      check: { interval, rise: 2, fall: int(r, 2, 3) },
      backends: webs.filter((w) => backends.includes(w)).map((w) => ({ container: w, port: 80 })),
    });
  }

  const spec: Record<string, unknown> = {
    name,
    title: `Random lab, seed ${seed}`,
    language: pick(r, ['en', 'es']),
    defaults: { memory: 512, cpus: 1, stp: { forwardDelay: fd, helloTime: hello, maxAge } },
    subnets: [
      { name: 'ext', cidr: `${ext}.0/24` },
      { name: 'int', cidr: `${intn}.0/24` },
    ],
    vms,
    cables,
    containers,
    vrrp,
    services,
    vxlan: [{ name: `${p}vx`, vni: int(r, 1, 9000), port: 4789, underlay: 'ext', members: Array.from({ length: H }, (_, i) => ({ vm: hostName(i), bridge: `${p}i${i + 1}` })) }],
  };
  const summary = `seed ${seed}: ${H} hosts, ${S} switch(es) ${shape}, ${B} balancers, ${W} webs, ${vrrp.length} VRRP group(s) over ${clusters.length} cluster(s), services ${services.map((s) => `${s['name']}:${s['algorithm']}/${(s['backends'] as unknown[]).length}`).join(' ')}`;
  return { seed, summary, spec };
}

/** A seed for this run: SEED from the environment, else a fresh one (printed by the caller). */
export function runSeed(k = 0): number {
  const fixed = process.env['SEED'];
  if (fixed) return (Number(fixed.split(',')[k] ?? fixed.split(',')[0]) + (fixed.includes(',') ? 0 : k)) >>> 0;
  return (Date.now() * 7919 + process.pid * 104729 + k * 2654435761) >>> 0;
}

/** The seeds whose emulation once failed, kept as specs: test/specs/random-<seed>.json, sorted. */
export function keptRandomSpecs(): string[] {
  return readdirSync(join(repoRoot, 'test', 'specs')).filter((f) => /^random-\d+\.json$/.test(f)).sort();
}
