// The converged 802.1D spanning tree that the kernel bridges will reach, computed ahead of time
// so the lab guide and the checks know the root and every blocked port.

export interface StpPortInput {
  ifname: string;
  portNo: number;
  priority: number;
  cost: number;
  /** Segment (LAN) the port is attached to. */
  lan: string;
}

export interface StpBridgeInput {
  key: string;
  bridgeId: string;
  ports: StpPortInput[];
}

export type StpRole = 'root' | 'designated' | 'blocked';

export interface StpResult {
  root: string;
  rootCost: Map<string, number>;
  roles: Map<string, Map<string, StpRole>>;
}

export const portId = (p: { priority: number; portNo: number }): number => p.priority * 1024 + p.portNo;

export function formatBridgeId(priority: number, mac: string): string {
  return `${priority.toString(16).padStart(4, '0')}.${mac.replace(/:/g, '').toLowerCase()}`;
}

type Vector = [number, string, number];
const cmpVector = (a: Vector, b: Vector): number =>
  a[0] !== b[0] ? a[0] - b[0] : a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[2] - b[2];

/** Bridges of one STP domain (all with STP on). */
export function computeStp(bridges: StpBridgeInput[]): StpResult {
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
  // Root path costs: a bridge's cost is the least, over its ports, of the cost of the best other
  // bridge on that port's LAN plus the port's cost; that fixpoint is the shortest-path distance
  // from the root, so Dijkstra finds it. (Relaxing every bridge in rounds until nothing changed
  // took one round per hop: quadratic in a long chain of switches.) A LAN is relaxed once, from
  // the first of its bridges to be settled: a later one is no cheaper.
  const heap = new MinHeap<StpBridgeInput>();
  heap.push(0, root);
  const settled = new Set<string>();
  const lanDone = new Set<string>();
  for (let top = heap.pop(); top; top = heap.pop()) {
    const [c, b] = top;
    if (settled.has(b.key) || c !== cost.get(b.key)) continue;
    settled.add(b.key);
    for (const lan of lansOf.get(b.key) ?? []) {
      if (lanDone.has(lan)) continue;
      lanDone.add(lan);
      for (const att of byLan.get(lan) ?? []) {
        if (att.bridge.key === b.key || settled.has(att.bridge.key)) continue;
        const via = c + att.port.cost;
        if (via < (cost.get(att.bridge.key) as number)) {
          setCost(att.bridge.key, via);
          heap.push(via, att.bridge);
        }
      }
    }
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

/** A binary min-heap of (priority, item); stale entries are skipped by the caller. */
class MinHeap<T> {
  private readonly items: [number, T][] = [];

  push(priority: number, item: T): void {
    const a = this.items;
    a.push([priority, item]);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as [number, T])[0] <= priority) break;
      [a[i], a[parent]] = [a[parent] as [number, T], a[i] as [number, T]];
      i = parent;
    }
  }

  pop(): [number, T] | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && (a[l] as [number, T])[0] < (a[m] as [number, T])[0]) m = l;
        if (r < a.length && (a[r] as [number, T])[0] < (a[m] as [number, T])[0]) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as [number, T], a[i] as [number, T]];
        i = m;
      }
    }
    return top;
  }
}
