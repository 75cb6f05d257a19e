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
