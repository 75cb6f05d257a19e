// The spanning tree computed by Dijkstra (generator/lib/stp.ts) must equal the 802.1D fixpoint the
// previous round-by-round relaxation reached: same root path costs, same role for every port, on
// random bridged networks with ties in costs (seeded; SEED=... reproduces a run).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeStp, portId, prepareStp, runStp, type StpBridgeInput, type StpPortInput, type StpResult, type StpRole } from '../generator/lib/stp.js';

const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
function rng(s: number) {
  let x = s >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

type Vector = [number, string, number];
const cmpVector = (a: Vector, b: Vector): number => (a[0] !== b[0] ? a[0] - b[0] : a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[2] - b[2]);

/** The algorithm as it was before Dijkstra (rounds of relaxation until nothing changes), kept as the reference. */
function referenceStp(bridges: StpBridgeInput[]): StpResult {
  const sorted = [...bridges].sort((a, b) => (a.bridgeId < b.bridgeId ? -1 : a.bridgeId > b.bridgeId ? 1 : 0));
  const root = sorted[0];
  if (!root) throw new Error('computeStp: no bridges');
  const cost = new Map<string, number>(bridges.map((b) => [b.key, b.key === root.key ? 0 : Infinity]));
  const byLan = new Map<string, { bridge: StpBridgeInput; port: StpPortInput }[]>();
  for (const b of bridges)
    for (const p of b.ports) {
      const list = byLan.get(p.lan);
      if (list) list.push({ bridge: b, port: p });
      else byLan.set(p.lan, [{ bridge: b, port: p }]);
    }

  // The designated port of a LAN only changes when the root cost of a bridge on it does, so it is
  // remembered per LAN and forgotten on such a change (recomputing it per port per round was the hot spot).
  type Designated = { bridge: StpBridgeInput; port: StpPortInput; v: Vector } | undefined;
  const designatedMemo = new Map<string, Designated>();
  const lansOf = new Map<string, string[]>(bridges.map((b) => [b.key, [...new Set(b.ports.map((p) => p.lan))]]));
  const setCost = (key: string, c: number) => {
    cost.set(key, c);
    for (const lan of lansOf.get(key) ?? []) designatedMemo.delete(lan);
  };
  const designatedOf = (lan: string): Designated => {
    if (designatedMemo.has(lan)) return designatedMemo.get(lan);
    let best: Designated;
    for (const att of byLan.get(lan) ?? []) {
      const v: Vector = [cost.get(att.bridge.key) as number, att.bridge.bridgeId, portId(att.port)];
      if (!best || cmpVector(v, best.v) < 0) best = { ...att, v };
    }
    designatedMemo.set(lan, best);
    return best;
  };
  const rootPortOf = (b: StpBridgeInput) => {
    let best: { port: StpPortInput; v: [number, string, number, number] } | undefined;
    for (const p of b.ports) {
      const d = designatedOf(p.lan);
      if (!d || d.bridge.key === b.key || !Number.isFinite(d.v[0])) continue;
      const v: [number, string, number, number] = [d.v[0] + p.cost, d.v[1], d.v[2], portId(p)];
      // 802.1D order: root path cost, designated bridge, designated port, then our own port id.
      const order = best ? cmpVector([v[0], v[1], v[2]], [best.v[0], best.v[1], best.v[2]]) || v[3] - best.v[3] : -1;
      if (order < 0) best = { port: p, v };
    }
    return best;
  };
  for (let round = 0; round <= bridges.length; round++) {
    let changed = false;
    for (const b of bridges) {
      if (b.key === root.key) continue;
      const rp = rootPortOf(b);
      const c = rp ? rp.v[0] : Infinity;
      if (c !== cost.get(b.key)) {
        setCost(b.key, c);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const roles = new Map<string, Map<string, StpRole>>();
  for (const b of bridges) {
    const m = new Map<string, StpRole>();
    const rp = b.key === root.key ? undefined : rootPortOf(b);
    for (const p of b.ports) {
      const d = designatedOf(p.lan);
      if (rp && rp.port.ifname === p.ifname) m.set(p.ifname, 'root');
      else if (d && d.bridge.key === b.key && d.port.ifname === p.ifname) m.set(p.ifname, 'designated');
      else m.set(p.ifname, 'blocked');
    }
    roles.set(b.key, m);
  }
  return { root: root.key, rootCost: cost, roles };
}

function randomNetwork(r: () => number): StpBridgeInput[] {
  const n = 2 + Math.floor(r() * 12);
  const lans = 1 + Math.floor(r() * 10);
  const pick = (k: number) => Math.floor(r() * k);
  const bridges: StpBridgeInput[] = Array.from({ length: n }, (_, i) => ({
    key: `vm${i}/br`,
    // Few priorities and MAC endings, so equal bridge ids are rare but equal priorities common.
    bridgeId: `${(pick(3) * 4096).toString(16).padStart(4, '0')}.0800270000${pick(256).toString(16).padStart(2, '0')}${i}`,
    ports: [],
  }));
  // A connected core: bridge i joins a LAN some earlier bridge is on; then random extra ports.
  const portsOf = (b: StpBridgeInput) => b.ports as StpPortInput[];
  const addPort = (b: StpBridgeInput, lan: string) => portsOf(b).push({ ifname: `p${b.ports.length}`, portNo: b.ports.length + 1, priority: [128, 128, 64][pick(3)] as number, cost: 1 + pick(3) * 50, lan });
  addPort(bridges[0] as StpBridgeInput, 'lan0');
  for (let i = 1; i < n; i++) {
    const earlier = bridges[pick(i)] as StpBridgeInput;
    const lan = (earlier.ports[pick(earlier.ports.length)] as StpPortInput).lan;
    addPort(bridges[i] as StpBridgeInput, r() < 0.5 ? lan : `lan${pick(lans)}`);
    if (r() < 0.5) addPort(bridges[i] as StpBridgeInput, lan);
  }
  for (let extra = pick(n * 2); extra > 0; extra--) addPort(bridges[pick(n)] as StpBridgeInput, `lan${pick(lans)}`);
  return bridges;
}

const rolesOf = (r: StpResult) => [...r.roles].map(([k, m]) => `${k}: ${[...m].map(([p, role]) => `${p}=${role}`).join(' ')}`);
const costsOf = (r: StpResult) => [...r.rootCost].map(([k, c]) => `${k}=${c}`);

test(`Dijkstra and the round-by-round fixpoint agree on 3,000 random networks (SEED=${seed})`, () => {
  const r = rng(seed);
  for (let n = 0; n < 3000; n++) {
    const net = randomNetwork(r);
    const want = referenceStp(net);
    const got = computeStp(net);
    const what = `network ${n} of SEED=${seed}: ${JSON.stringify(net)}`;
    assert.is(got.root, want.root, what);
    assert.equal(costsOf(got), costsOf(want), what);
    assert.equal(rolesOf(got), rolesOf(want), what);
  }
});

test(`a tree computed without one LAN equals the fixpoint of the network with that LAN's ports removed, on 1,000 random networks (SEED=${seed})`, () => {
  const r = rng(seed + 1);
  let cuts = 0;
  for (let n = 0; n < 1000; n++) {
    const net = randomNetwork(r);
    const prepared = prepareStp(net);
    const lans = [...prepared.lanIndex];
    const [lan, cut] = lans[Math.floor(r() * lans.length)] as [string, number];
    const without = net.map((b) => ({ ...b, ports: b.ports.filter((p) => p.lan !== lan) }));
    const want = referenceStp(without);
    const { roles, cost } = runStp(prepared, cut);
    const what = `network ${n} of SEED=${seed} without ${lan}: ${JSON.stringify(net)}`;
    assert.equal(net.map((b, i) => `${b.key}=${cost[i]}`), costsOf(want), what);
    const got = net.map((b, i) => `${b.key}: ${(prepared.bridgePorts[i] as number[]).filter((pi) => roles[pi] !== 'cut').map((pi) => `${prepared.ports[pi]?.ifname}=${roles[pi]}`).join(' ')}`);
    assert.equal(got, rolesOf(want), what);
    cuts += prepared.ports.filter((p) => p.lan === cut).length;
  }
  assert.ok(cuts > 1000, `the cut LANs held ports (${cuts})`);
});

test('a chain of 3,000 switches declared from its far end still gets every port a role', () => {
  const n = 3000;
  const chain: StpBridgeInput[] = Array.from({ length: n }, (_, i) => ({
    key: `s${i}/b`,
    bridgeId: `${(i === n - 1 ? 4096 : 32768).toString(16).padStart(4, '0')}.08002700${String(i).padStart(4, '0')}`,
    ports: [...(i > 0 ? [{ ifname: 'left', portNo: 1, priority: 128, cost: 100, lan: `c${i - 1}` }] : []), ...(i < n - 1 ? [{ ifname: 'right', portNo: 2, priority: 128, cost: 100, lan: `c${i}` }] : [])],
  }));
  const got = computeStp(chain);
  assert.is(got.root, `s${n - 1}/b`);
  assert.is(got.rootCost.get('s0/b'), 100 * (n - 1));
  const roles: StpRole[] = [...got.roles.values()].flatMap((m) => [...m.values()]);
  assert.not.ok(roles.includes('blocked'), 'a chain has no loop to cut');
});

test.run();
