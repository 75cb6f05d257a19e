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

/**
 * One STP domain in index form: bridges, ports and LANs numbered once, so the tree can be computed
 * again without some LAN (the fault matrix cuts each cable in turn) without rebuilding any map.
 */
export interface PreparedStp {
  bridges: StpBridgeInput[];
  root: number;
  /** Per port, in bridge order then port order. */
  ports: StpPort[];
  /** Per bridge: its port numbers in order, and its LANs once each in order of first port. */
  bridgePorts: number[][];
  bridgeLans: number[][];
  /** Per LAN: the ports attached, in port order. */
  lanPorts: number[][];
  lanIndex: Map<string, number>;
}

/** A port in index form: its bridge and LAN by number, its 802.1D port id. */
export interface StpPort {
  bridge: number;
  lan: number;
  id: number;
  cost: number;
  ifname: string;
}

/** Roles per port number ('cut' for a port on the LAN left out), and each bridge's root path cost. */
export interface StpRun {
  roles: (StpRole | 'cut')[];
  cost: number[];
}

export function prepareStp(bridges: StpBridgeInput[]): PreparedStp {
  if (bridges.length === 0) throw new Error('computeStp: no bridges');
  let root = 0;
  bridges.forEach((b, i) => {
    if (b.bridgeId < (bridges[root] as StpBridgeInput).bridgeId) root = i;
  });
  const lanIndex = new Map<string, number>();
  const ports: PreparedStp['ports'] = [];
  const bridgePorts: number[][] = [];
  const bridgeLans: number[][] = [];
  const lanPorts: number[][] = [];
  bridges.forEach((b, bi) => {
    const own: number[] = [];
    const lans: number[] = [];
    for (const p of b.ports) {
      let lan = lanIndex.get(p.lan);
      if (lan === undefined) {
        lan = lanPorts.length;
        lanIndex.set(p.lan, lan);
        lanPorts.push([]);
      }
      if (!lans.includes(lan)) lans.push(lan);
      (lanPorts[lan] as number[]).push(ports.length);
      own.push(ports.length);
      ports.push({ bridge: bi, lan, id: portId(p), cost: p.cost, ifname: p.ifname });
    }
    bridgePorts.push(own);
    bridgeLans.push(lans);
  });
  return { bridges, root, ports, bridgePorts, bridgeLans, lanPorts, lanIndex };
}

/** 802.1D order of two (root path cost, bridge id, port id) vectors. */
function cmpVector(ca: number, ba: string, pa: number, cb: number, bb: string, pb: number): number {
  return ca !== cb ? ca - cb : ba !== bb ? (ba < bb ? -1 : 1) : pa - pb;
}

/** The converged tree of a prepared domain, leaving out LAN `cutLan` (-1: none) and its ports. */
export function runStp(d: PreparedStp, cutLan = -1): StpRun {
  const { bridges, ports } = d;
  const cost = bridges.map((_, i) => (i === d.root ? 0 : Infinity));
  // Root path costs: a bridge's cost is the least, over its ports, of the cost of the best other
  // bridge on that port's LAN plus the port's cost; that fixpoint is the shortest-path distance
  // from the root, so Dijkstra finds it. (Relaxing every bridge in rounds until nothing changed
  // took one round per hop: quadratic in a long chain of switches.) A LAN is relaxed once, from
  // the first of its bridges to be settled: a later one is no cheaper.
  const heap = new MinHeap<number>();
  heap.push(0, d.root);
  const settled = new Uint8Array(bridges.length);
  const lanDone = new Uint8Array(d.lanPorts.length);
  if (cutLan >= 0) lanDone[cutLan] = 1;
  for (let top = heap.pop(); top; top = heap.pop()) {
    const [c, b] = top;
    if (settled[b] || c !== cost[b]) continue;
    settled[b] = 1;
    for (const lan of d.bridgeLans[b] as number[]) {
      if (lanDone[lan]) continue;
      lanDone[lan] = 1;
      for (const pi of d.lanPorts[lan] as number[]) {
        const port = ports[pi] as StpPort;
        if (port.bridge === b || settled[port.bridge]) continue;
        const via = c + port.cost;
        if (via < (cost[port.bridge] as number)) {
          cost[port.bridge] = via;
          heap.push(via, port.bridge);
        }
      }
    }
  }
  const idOf = (b: number) => (bridges[b] as StpBridgeInput).bridgeId;
  // The designated port of each LAN: the least (root path cost, bridge id, port id), first on a tie.
  const designated = d.lanPorts.map((onLan, lan) => {
    if (lan === cutLan) return -1;
    let best = -1;
    for (const pi of onLan) {
      const p = ports[pi] as StpPort;
      const q = ports[best] as StpPort | undefined;
      if (!q || cmpVector(cost[p.bridge] as number, idOf(p.bridge), p.id, cost[q.bridge] as number, idOf(q.bridge), q.id) < 0) best = pi;
    }
    return best;
  });
  const roles: StpRun['roles'] = ports.map((p) => (p.lan === cutLan ? 'cut' : 'blocked'));
  d.bridgePorts.forEach((own, b) => {
    // The root port: 802.1D order of root path cost through it, designated bridge, designated
    // port, then our own port id, over ports whose LAN's designated port is another reachable bridge's.
    const offer = (pi: number) => {
      const p = ports[pi];
      if (!p) return undefined;
      const via = ports[designated[p.lan] as number];
      return via && via.bridge !== b && Number.isFinite(cost[via.bridge]) ? { p, via, c: (cost[via.bridge] as number) + p.cost } : undefined;
    };
    let rootPort = -1;
    if (b !== d.root)
      for (const pi of own) {
        const o = offer(pi);
        const best = offer(rootPort);
        if (o && (!best || (cmpVector(o.c, idOf(o.via.bridge), o.via.id, best.c, idOf(best.via.bridge), best.via.id) || o.p.id - best.p.id) < 0)) rootPort = pi;
      }
    for (const pi of own) {
      if (roles[pi] === 'cut') continue;
      if (pi === rootPort) roles[pi] = 'root';
      else if (designated[(ports[pi] as StpPort).lan] === pi) roles[pi] = 'designated';
    }
  });
  return { roles, cost };
}

/** Bridges of one STP domain (all with STP on). */
export function computeStp(bridges: StpBridgeInput[]): StpResult {
  const d = prepareStp(bridges);
  const { roles, cost } = runStp(d);
  return {
    root: (bridges[d.root] as StpBridgeInput).key,
    rootCost: new Map(bridges.map((b, i) => [b.key, cost[i] as number])),
    roles: new Map(bridges.map((b, i) => [b.key, new Map((d.bridgePorts[i] as number[]).map((pi) => [(d.ports[pi] as StpPort).ifname, roles[pi] as StpRole]))])),
  };
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
