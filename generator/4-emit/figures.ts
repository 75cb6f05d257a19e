// The lab's figures as one small graph description each (nodes, groups, edges, layout hints), drawn
// from the model only: layer 3 (subnets, addresses, VIPs), Ethernet (bridges, cables, STP, VXLAN),
// machines (what runs in each VM) and the VirtualBox wiring (adapters, internal networks, MACs).
// figure-text.ts writes them as Mermaid or Graphviz dot, figure-svg.ts lays them out as SVG.
// Words inside the figures come from the lab's language template (guide/<lang>/figure-words).
import type { Cidr, LabModel } from '../3-resolve/model.js';

export const VIEWS = ['l3', 'ethernet', 'machines', 'wiring'] as const;
export type ViewId = (typeof VIEWS)[number];

export type Shape = 'box' | 'round' | 'net' | 'vip' | 'port';

export interface FigNode {
  id: string;
  lines: string[];
  shape: Shape;
  /** Column of the layout (left to right). */
  rank: number;
  /** Horizontal band (top to bottom); a group lives in one band. */
  band: number;
  group?: string;
  /** Drawn heavier: the STP root, a VRRP master. */
  emphasis?: boolean;
  /** Placed at the height of the nodes it links to, not in a band of its own (an internal network). */
  float?: boolean;
}

export interface FigEdge {
  from: string;
  to: string;
  label?: string;
  dashed?: boolean;
  /** Drawn in red: a blocked STP port. */
  highlight?: boolean;
  /** Where along the line its label sits, from `from` (0..1). */
  labelAt?: number;
}

export interface Figure {
  view: ViewId;
  nodes: FigNode[];
  groups: { id: string; title: string }[];
  edges: FigEdge[];
}

/** The words the figures use, one `key: text` line each in guide/<lang>/figure-words.hbs. */
export const FIGURE_WORDS = ['host', 'switch', 'client', 'container', 'web', 'balancer', 'bridge', 'stpPriority', 'stpOff', 'root', 'blocked', 'master', 'backup', 'vrid', 'adapter', 'nat', 'intnet', 'promiscuous', 'vni', 'udp', 'cpus'] as const;
export type FigureWords = Record<(typeof FIGURE_WORDS)[number], string>;

const slug = (name: string) => name.replace(/-/g, '_');
const roleWord = (w: FigureWords, role: string) => (role in w ? w[role as keyof FigureWords] : role);

function subnetIndex(model: LabModel) {
  const order = new Map<string, { index: number; cidr: Cidr }>();
  const add = (c: Cidr) => {
    if (!order.has(c.subnet)) order.set(c.subnet, { index: order.size, cidr: c });
  };
  for (const s of model.subnets) add({ ip: s.network, prefix: s.prefix, cidr: `${s.network}/${s.prefix}`, subnet: s.name, network: `${s.network}/${s.prefix}` });
  for (const vm of model.vms) {
    for (const b of vm.bridges) if (b.address) add(b.address);
    for (const n of vm.nics) if (n.address) add(n.address);
  }
  for (const c of model.containers) for (const n of c.nics) if (n.address) add(n.address);
  return order;
}

/** Subnets in columns 1, 3, 5...; a node sits left of its only subnet (or right of the last one), or between its first two. */
export function l3Figure(model: LabModel, w: FigureWords, answers = true): Figure {
  const subnets = subnetIndex(model);
  const last = subnets.size - 1;
  const nodes: FigNode[] = [];
  const edges: FigEdge[] = [];
  for (const { index, cidr } of subnets.values()) nodes.push({ id: `net_${index}`, lines: cidr.subnet === cidr.network ? [cidr.network] : [cidr.subnet, cidr.network], shape: 'net', rank: 2 * index + 1, band: 0 });
  const place = (idx: number[]) => {
    const lo = Math.min(...idx);
    if (idx.length > 1 || (lo === last && last > 0)) return 2 * lo + 2;
    return 2 * lo;
  };
  const rankOf = new Map<string, number>();
  const addNode = (id: string, lines: string[], shape: 'box' | 'round', addrs: { dev: string; a: Cidr }[]) => {
    if (addrs.length === 0) return;
    const idx = [...new Set(addrs.map((x) => subnets.get(x.a.subnet)?.index ?? 0))];
    const rank = place(idx);
    rankOf.set(id, rank);
    nodes.push({ id, lines, shape, rank, band: 0 });
    for (const { dev, a } of addrs) edges.push({ from: id, to: `net_${subnets.get(a.subnet)?.index ?? 0}`, label: `${dev} ${a.ip}`, labelAt: 0.3 });
  };
  for (const vm of model.vms) {
    const addrs = [...vm.bridges.flatMap((b) => (b.address ? [{ dev: b.name, a: b.address }] : [])), ...vm.nics.flatMap((n) => (n.address ? [{ dev: n.guestName, a: n.address }] : []))];
    addNode(`vm_${slug(vm.name)}`, [vm.name, roleWord(w, vm.role)], 'box', addrs);
  }
  for (const c of model.containers) addNode(`ct_${slug(c.name)}`, [c.name, c.role === 'none' ? w.container : roleWord(w, c.role)], 'round', c.nics.flatMap((n) => (n.address ? [{ dev: n.name, a: n.address }] : [])));
  for (const g of model.vrrp) {
    const master = g.members.find((m) => m.container === g.expectedMaster);
    const backups = g.members.filter((m) => m.container !== g.expectedMaster).map((m) => m.container);
    const net = master ? subnets.get(master.address.subnet)?.index ?? 0 : 0;
    g.addresses.forEach((vip, i) => {
      const id = `vip_${slug(g.name)}_${i}`;
      const services = model.services.filter((s) => s.vips.includes(vip)).map((s) => `${s.name} :${s.port}`);
      const roles = answers ? [`${w.master}: ${g.expectedMaster}`, ...(backups.length ? [`${w.backup}: ${backups.join(', ')}`] : [])] : [];
      nodes.push({ id, lines: [`VIP ${vip}`, `VRRP ${g.name}, ${w.vrid} ${g.vrid}`, ...roles, ...services], shape: 'vip', rank: rankOf.get(`ct_${slug(g.expectedMaster)}`) ?? 2 * net, band: 0, emphasis: answers });
      edges.push({ from: id, to: `net_${net}`, labelAt: 0.3 });
    });
  }
  return { view: 'l3', nodes, groups: [], edges };
}

/** Bridges, bridge-less NICs, containers and VXLAN segments, in columns by hops from the STP root. */
export function ethernetFigure(model: LabModel, w: FigureWords, answers = true): Figure {
  const nodes: FigNode[] = [];
  const edges: FigEdge[] = [];
  const bridgeNode = (vm: string, br: string) => `br_${slug(vm)}__${slug(br)}`;
  const stpRoots = new Set(model.l2domains.flatMap((d) => (d.stp ? [bridgeNode(d.stp.root.vm, d.stp.root.bridge)] : [])));
  // Without the answers (the teacher's copy has them) the root is neither marked nor placed first.
  const roots = answers ? stpRoots : new Set<string>();
  for (const vm of model.vms) {
    for (const br of vm.bridges) {
      const id = bridgeNode(vm.name, br.name);
      nodes.push({ id, lines: [`${vm.name}: ${br.name}`, ...(br.address ? [br.address.cidr] : []), br.stp ? `${w.stpPriority} ${br.priority}` : w.stpOff, ...(roots.has(id) ? [w.root] : [])], shape: 'box', rank: 0, band: 0, emphasis: roots.has(id) });
    }
    for (const nic of vm.nics) if (!nic.bridge) nodes.push({ id: `nic_${slug(vm.name)}__${slug(nic.guestName)}`, lines: [`${vm.name}: ${nic.guestName}`, ...(nic.address ? [nic.address.cidr] : [])], shape: 'box', rank: 0, band: 0 });
  }
  for (const c of model.containers) nodes.push({ id: `ct_${slug(c.name)}`, lines: [c.name, ...c.nics.map((n) => `${n.name} ${n.address?.cidr ?? ''}`.trim())], shape: 'round', rank: 0, band: 0 });
  for (const seg of model.vxlan) nodes.push({ id: `vx_${slug(seg.name)}`, lines: [`VXLAN ${seg.name}`, `${w.vni} ${seg.vni}, ${w.udp} ${seg.port}`], shape: 'vip', rank: 0, band: 0 });

  const portRole = new Map<string, string>();
  for (const vm of model.vms) for (const br of vm.bridges) for (const p of br.ports) portRole.set(`${vm.name}/${br.name}/${p.kind}:${p.link}`, answers ? p.role : 'none');
  const nicOf = new Map(model.vms.flatMap((v) => v.nics.map((n) => [`${v.name}/${n.cable}`, n] as const)));
  const endOf = (vm: string, cable: string) => {
    const nic = nicOf.get(`${vm}/${cable}`);
    return nic?.bridge ? { id: bridgeNode(vm, nic.bridge), role: portRole.get(`${vm}/${nic.bridge}/cable:${cable}`) } : { id: `nic_${slug(vm)}__${slug(nic?.guestName ?? cable)}`, role: undefined };
  };
  const drawn = new Set<string>();
  for (const vm of model.vms)
    for (const nic of vm.nics) {
      if (drawn.has(nic.cable)) continue;
      drawn.add(nic.cable);
      const a = endOf(vm.name, nic.cable);
      const b = endOf(nic.peer.vm, nic.cable);
      const blocked = a.role === 'blocked' || b.role === 'blocked';
      const roles = [a.role === 'blocked' ? `${w.blocked} ${vm.name}` : '', b.role === 'blocked' ? `${w.blocked} ${nic.peer.vm}` : ''].filter(Boolean);
      edges.push({ from: a.id, to: b.id, label: [nic.cable, ...roles].join(', '), dashed: blocked, highlight: blocked });
    }
  for (const c of model.containers)
    for (const n of c.nics) {
      const role = portRole.get(`${c.vm}/${n.bridge}/container:${c.name}/${n.name}`);
      // The container's box lists its NICs; only a blocked veth needs a label.
      edges.push({ from: bridgeNode(c.vm, n.bridge), to: `ct_${slug(c.name)}`, ...(role === 'blocked' ? { label: `${n.name}, ${w.blocked}` } : {}), highlight: role === 'blocked', dashed: role === 'blocked' });
    }
  for (const seg of model.vxlan)
    for (const m of seg.members) {
      const role = portRole.get(`${m.vm}/${m.bridge}/vxlan:${seg.name}`);
      edges.push({ from: bridgeNode(m.vm, m.bridge), to: `vx_${slug(seg.name)}`, label: [m.local, ...(role === 'blocked' ? [w.blocked] : [])].join(', '), dashed: true, highlight: role === 'blocked' });
    }
  // Columns: hops from the first STP root (then from the first node not reached yet), model order within.
  const adj = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    adj.get(e.from)?.push(e.to);
    adj.get(e.to)?.push(e.from);
  }
  const rank = new Map<string, number>();
  const starts = [...roots, ...nodes.map((n) => n.id)];
  let base = 0;
  for (const s of starts) {
    if (rank.has(s)) continue;
    rank.set(s, base);
    const queue = [s];
    let deepest = base;
    while (queue.length) {
      const id = queue.shift() as string;
      const r = rank.get(id) as number;
      deepest = Math.max(deepest, r);
      for (const next of adj.get(id) ?? [])
        if (!rank.has(next)) {
          rank.set(next, r + 1);
          queue.push(next);
        }
    }
    base = deepest + 1;
  }
  for (const n of nodes) n.rank = rank.get(n.id) ?? 0;
  return { view: 'ethernet', nodes, groups: [], edges };
}

/** One band per VM: its NICs and VXLAN devices, its bridges, its containers. */
export function machinesFigure(model: LabModel, w: FigureWords): Figure {
  const nodes: FigNode[] = [];
  const edges: FigEdge[] = [];
  const groups: Figure['groups'] = [];
  const containersOf = new Map<string, LabModel['containers']>();
  for (const c of model.containers) containersOf.set(c.vm, [...(containersOf.get(c.vm) ?? []), c]);
  model.vms.forEach((vm, band) => {
    const group = `vm_${slug(vm.name)}`;
    groups.push({ id: group, title: `${vm.name} (${roleWord(w, vm.role)}, ${vm.memory} MiB, ${vm.cpus} ${w.cpus})` });
    const nicId = (n: string) => `${group}__nic_${slug(n)}`;
    const brId = (b: string) => `${group}__br_${slug(b)}`;
    for (const n of vm.nics) nodes.push({ id: nicId(n.guestName), lines: [n.guestName === n.cable ? n.guestName : `${n.guestName} (${n.cable})`, ...(n.address ? [n.address.cidr] : [])], shape: 'port', rank: 0, band, group });
    for (const x of vm.vxlans) nodes.push({ id: nicId(x.ifname), lines: [x.ifname, `${w.vni} ${x.vni}`], shape: 'port', rank: 0, band, group });
    for (const b of vm.bridges) {
      nodes.push({ id: brId(b.name), lines: [`${w.bridge} ${b.name}`, ...(b.address ? [b.address.cidr] : []), b.stp ? `${w.stpPriority} ${b.priority}` : w.stpOff], shape: 'box', rank: 1, band, group });
    }
    for (const n of vm.nics) if (n.bridge) edges.push({ from: nicId(n.guestName), to: brId(n.bridge) });
    for (const x of vm.vxlans) edges.push({ from: nicId(x.ifname), to: brId(x.bridge), dashed: true });
    for (const c of containersOf.get(vm.name) ?? []) {
      const id = `${group}__ct_${slug(c.name)}`;
      // Each NIC says its bridge in the box: labels on lines that meet at one box would collide.
      nodes.push({ id, lines: [c.name, c.role === 'none' ? w.container : roleWord(w, c.role), ...c.nics.map((n) => `${n.name}: ${n.bridge}${n.address ? ` ${n.address.ip}` : ''}`)], shape: 'round', rank: 2, band, group });
      for (const n of c.nics) edges.push({ from: brId(n.bridge), to: id });
    }
  });
  return { view: 'machines', nodes, groups, edges };
}

/** The VirtualBox wiring: each VM's adapters (NAT, then one per cable with its MAC), the internal networks between them. */
export function wiringFigure(model: LabModel, w: FigureWords): Figure {
  const nodes: FigNode[] = [];
  const edges: FigEdge[] = [];
  const groups: Figure['groups'] = [];
  const intnets = new Map<string, string>();
  model.vms.forEach((vm, band) => {
    const group = `vm_${slug(vm.name)}`;
    const vb = vm.providers.virtualbox;
    groups.push({ id: group, title: `${vm.name} (VirtualBox, ${vb.chipset.toUpperCase()})` });
    nodes.push({ id: `${group}__a1`, lines: [`${w.adapter} 1: ${w.nat}`], shape: 'port', rank: 0, band, group });
    vm.nics.forEach((nic, i) => {
      const a = vb.nics[i];
      if (!a) return;
      const id = `${group}__a${a.adapter}`;
      nodes.push({ id, lines: [`${w.adapter} ${a.adapter}: ${nic.guestName}`, `MAC ${a.macPlain}`, ...(a.promiscuous ? [`${w.promiscuous}: allow-all`] : [])], shape: 'port', rank: 0, band, group });
      let net = intnets.get(a.intnet);
      if (!net) {
        net = `intnet_${intnets.size}`;
        intnets.set(a.intnet, net);
        nodes.push({ id: net, lines: [w.intnet, a.intnet], shape: 'net', rank: 1, band, float: true });
      }
      edges.push({ from: id, to: net });
    });
  });
  return { view: 'wiring', nodes, groups, edges };
}

/** `answers: false` leaves out what the answer keys say (STP root and blocked ports, VRRP master). */
export function buildFigure(view: ViewId, model: LabModel, w: FigureWords, answers = true): Figure {
  switch (view) {
    case 'l3':
      return l3Figure(model, w, answers);
    case 'ethernet':
      return ethernetFigure(model, w, answers);
    case 'machines':
      return machinesFigure(model, w);
    case 'wiring':
      return wiringFigure(model, w);
  }
}
