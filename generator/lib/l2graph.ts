// The L2 graph of a spec: bridges and end NICs joined by segments (cables, container NICs, VXLAN).
// Shared by validation (loops, reachability) and resolution (domains, STP).
import type { LabSpec } from '../spec.js';
import { UnionFind } from './union-find.js';

export type L2NodeId = string;

export interface L2Segment {
  id: string;
  kind: 'cable' | 'container' | 'vxlan';
  /** Pointer of the spec element that makes this segment. */
  pointer: string;
  /** Attached nodes, each with the port (interface) name it attaches through. */
  attachments: { node: L2NodeId; ifname: string }[];
}

export interface L2Graph {
  bridges: Map<L2NodeId, { vm: string; bridge: string; stp: boolean; pointer: string }>;
  segments: L2Segment[];
}

export const bridgeNode = (vm: string, bridge: string): L2NodeId => `bridge:${vm}/${bridge}`;
export const vmNicNode = (vm: string, ifname: string): L2NodeId => `nic:${vm}/${ifname}`;
export const containerNicNode = (container: string, nic: string): L2NodeId => `cnic:${container}/${nic}`;
export const vxlanIfname = (segment: string): string => `vx-${segment}`;

export function containerNicName(nic: { name?: string }, index: number): string {
  return nic.name ?? `eth${index}`;
}

/** Build the graph; references must already be known to resolve. */
export function buildL2Graph(spec: LabSpec): L2Graph {
  const bridges: L2Graph['bridges'] = new Map();
  spec.vms.forEach((vm, i) =>
    (vm.bridges ?? []).forEach((br, j) =>
      bridges.set(bridgeNode(vm.name, br.name), { vm: vm.name, bridge: br.name, stp: br.stp ?? false, pointer: `/vms/${i}/bridges/${j}` }),
    ),
  );
  const segments: L2Segment[] = [];
  (spec.cables ?? []).forEach((cable, i) => {
    segments.push({
      id: `cable:${cable.name}`,
      kind: 'cable',
      pointer: `/cables/${i}`,
      attachments: cable.ends.map((end) => ({
        node: end.bridge ? bridgeNode(end.vm, end.bridge) : vmNicNode(end.vm, cable.name),
        ifname: cable.name,
      })),
    });
  });
  const containerVm = new Map((spec.containers ?? []).map((c) => [c.name, c.vm]));
  (spec.containers ?? []).forEach((c, i) =>
    c.nics.forEach((nic, j) => {
      const name = containerNicName(nic, j);
      segments.push({
        id: `container:${c.name}/${name}`,
        kind: 'container',
        pointer: `/containers/${i}/nics/${j}`,
        attachments: [
          { node: containerNicNode(c.name, name), ifname: name },
          { node: bridgeNode(containerVm.get(c.name) as string, nic.bridge), ifname: `${c.name}-${name}` },
        ],
      });
    }),
  );
  (spec.vxlan ?? []).forEach((seg, i) =>
    segments.push({
      id: `vxlan:${seg.name}`,
      kind: 'vxlan',
      pointer: `/vxlan/${i}`,
      attachments: seg.members.map((m) => ({ node: bridgeNode(m.vm, m.bridge), ifname: vxlanIfname(seg.name) })),
    }),
  );
  return { bridges, segments };
}

/** Connected components: node id -> representative. */
export function l2Components(graph: L2Graph, options: { withTunnels: boolean }): UnionFind {
  const uf = new UnionFind();
  for (const id of graph.bridges.keys()) uf.find(id);
  for (const seg of graph.segments) {
    if (!options.withTunnels && seg.kind === 'vxlan') {
      for (const a of seg.attachments) uf.find(a.node);
      continue;
    }
    const [first, ...rest] = seg.attachments;
    if (!first) continue;
    uf.find(first.node);
    for (const a of rest) uf.union(first.node, a.node);
  }
  return uf;
}

/**
 * Bridges with STP off that lie on a loop. In the bipartite graph of bridges and segments, bridge B
 * is on a cycle when two of its segments stay connected without B, or it has two ports on one segment.
 * Two edges at B have endpoints connected without B exactly when they lie in one biconnected block,
 * so one block decomposition of the whole graph answers every bridge (it was one union-find per
 * bridge, quadratic in large labs). The reported pair is the first in segment order, as before.
 */
export function loopsThroughNonStpBridges(graph: L2Graph): { bridge: L2NodeId; segments: string[] }[] {
  const { blockOfEdge, incidence } = edgeBlocks(graph);
  const found: { bridge: L2NodeId; segments: string[] }[] = [];
  for (const [id, br] of graph.bridges) {
    if (br.stp) continue;
    const mine = incidence.get(id) ?? [];
    const twice = mine.find((m) => m.edges.length > 1);
    if (twice) {
      found.push({ bridge: id, segments: [(graph.segments[twice.segment] as L2Segment).id] });
      continue;
    }
    const firstInBlock = new Map<number, number>();
    let pair: [number, number] | undefined;
    for (let j = 0; j < mine.length; j++) {
      const block = blockOfEdge[(mine[j] as (typeof mine)[number]).edges[0] as number] as number;
      const first = firstInBlock.get(block);
      if (first === undefined) firstInBlock.set(block, j);
      else if (!pair || first < pair[0]) pair = [first, j];
    }
    if (pair) found.push({ bridge: id, segments: pair.map((k) => (graph.segments[(mine[k] as (typeof mine)[number]).segment] as L2Segment).id) });
  }
  return found;
}

/** Biconnected blocks of the segment/node graph (iterative Tarjan), and each bridge's segments in order. */
function edgeBlocks(graph: L2Graph): { blockOfEdge: Int32Array; incidence: Map<L2NodeId, { segment: number; edges: number[] }[]> } {
  const index = new Map<string, number>();
  const vertex = (key: string) => {
    let v = index.get(key);
    if (v === undefined) {
      v = index.size;
      index.set(key, v);
    }
    return v;
  };
  const edgeEnds: [number, number][] = [];
  const incidence = new Map<L2NodeId, { segment: number; edges: number[] }[]>();
  graph.segments.forEach((seg, i) => {
    const s = vertex(`seg:${i}`);
    for (const a of seg.attachments) {
      const e = edgeEnds.length;
      edgeEnds.push([s, vertex(`node:${a.node}`)]);
      let list = incidence.get(a.node);
      if (!list) incidence.set(a.node, (list = []));
      const last = list[list.length - 1];
      if (last && last.segment === i) last.edges.push(e);
      else list.push({ segment: i, edges: [e] });
    }
  });
  const n = index.size;
  const adjacency: { to: number; edge: number }[][] = Array.from({ length: n }, () => []);
  edgeEnds.forEach(([a, b], e) => {
    (adjacency[a] as { to: number; edge: number }[]).push({ to: b, edge: e });
    (adjacency[b] as { to: number; edge: number }[]).push({ to: a, edge: e });
  });
  const disc = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const blockOfEdge = new Int32Array(edgeEnds.length).fill(-1);
  const edgeStack: number[] = [];
  let time = 0;
  let blocks = 0;
  for (let root = 0; root < n; root++) {
    if (disc[root] !== -1) continue;
    disc[root] = low[root] = time++;
    const frames: { v: number; via: number; next: number }[] = [{ v: root, via: -1, next: 0 }];
    while (frames.length > 0) {
      const f = frames[frames.length - 1] as { v: number; via: number; next: number };
      const adj = adjacency[f.v] as { to: number; edge: number }[];
      if (f.next < adj.length) {
        const { to, edge } = adj[f.next++] as { to: number; edge: number };
        if (edge === f.via) continue;
        if (disc[to] === -1) {
          edgeStack.push(edge);
          disc[to] = low[to] = time++;
          frames.push({ v: to, via: edge, next: 0 });
        } else if ((disc[to] as number) < (disc[f.v] as number)) {
          edgeStack.push(edge);
          low[f.v] = Math.min(low[f.v] as number, disc[to] as number);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (!parent) continue;
      low[parent.v] = Math.min(low[parent.v] as number, low[f.v] as number);
      if ((low[f.v] as number) >= (disc[parent.v] as number)) {
        for (;;) {
          const e = edgeStack.pop() as number;
          blockOfEdge[e] = blocks;
          if (e === f.via) break;
        }
        blocks++;
      }
    }
  }
  return { blockOfEdge, incidence };
}
