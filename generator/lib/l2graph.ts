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
 */
export function loopsThroughNonStpBridges(graph: L2Graph): { bridge: L2NodeId; segments: string[] }[] {
  const found: { bridge: L2NodeId; segments: string[] }[] = [];
  for (const [id, br] of graph.bridges) {
    if (br.stp) continue;
    const mine = graph.segments.filter((s) => s.attachments.some((a) => a.node === id));
    const twice = mine.find((s) => s.attachments.filter((a) => a.node === id).length > 1);
    if (twice) {
      found.push({ bridge: id, segments: [twice.id] });
      continue;
    }
    const uf = new UnionFind();
    for (const seg of graph.segments) {
      for (const a of seg.attachments) if (a.node !== id) uf.union(`seg:${seg.id}`, a.node);
    }
    let pair: string[] | undefined;
    for (let a = 0; a < mine.length && !pair; a++)
      for (let b = a + 1; b < mine.length && !pair; b++)
        if (uf.find(`seg:${(mine[a] as L2Segment).id}`) === uf.find(`seg:${(mine[b] as L2Segment).id}`)) pair = [(mine[a] as L2Segment).id, (mine[b] as L2Segment).id];
    if (pair) found.push({ bridge: id, segments: pair });
  }
  return found;
}
