// Mermaid flowcharts of the lab (GitHub renders them): the L2 wiring, the L3 view and the expected
// spanning tree. They only draw what the model states; node ids come from names, which the schema
// restricts to [a-z0-9-], so replacing '-' by '_' keeps them unique and clear of Mermaid keywords.
import type { BridgeModel, BridgePortModel, Cidr, L2DomainModel, LabModel } from '../3-resolve/model.js';

/** Mermaid's default maxTextSize; a bigger chart shows an error box instead of a drawing. */
export const MERMAID_MAX_TEXT = 50_000;
/** Mermaid 11's default maxEdges. */
export const MERMAID_MAX_EDGES = 500;

const slug = (name: string) => name.replace(/-/g, '_');
export const vmId = (vm: string) => `vm_${slug(vm)}`;
export const bridgeId = (vm: string, bridge: string) => `br_${slug(vm)}__${slug(bridge)}`;
const vmNicId = (vm: string, nic: string) => `nic_${slug(vm)}__${slug(nic)}`;
const containerId = (c: string) => `ct_${slug(c)}`;
const vxlanId = (seg: string) => `vx_${slug(seg)}`;
const vipId = (group: string, i: number) => `vip_${slug(group)}_${i}`;

/** Text inside a quoted Mermaid label; entity codes keep quotes and tags from ending it. */
export function mermaidText(s: string): string {
  return s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
const label = (...lines: string[]) => `"${lines.map(mermaidText).join('<br/>')}"`;

/** A chart under construction: edges are counted so styles can address them by index. */
class Chart {
  readonly lines: string[] = ['flowchart LR'];
  private edges = 0;
  private readonly highlighted: number[] = [];

  node(text: string): void {
    this.lines.push(`  ${text}`);
  }

  edge(from: string, to: string, text?: string, opts: { dashed?: boolean; highlight?: boolean } = {}): void {
    const arrow = opts.dashed ? '-.-' : '---';
    this.lines.push(text === undefined ? `  ${from} ${arrow} ${to}` : `  ${from} ${arrow}|${label(text)}| ${to}`);
    if (opts.highlight) this.highlighted.push(this.edges);
    this.edges++;
  }

  get edgeCount(): number {
    return this.edges;
  }

  render(): string {
    const styles = this.highlighted.length ? [`  linkStyle ${this.highlighted.join(',')} stroke:#d00,stroke-width:3px,stroke-dasharray:6 4`] : [];
    return [...this.lines, ...styles].join('\n');
  }
}

export interface Diagram {
  /** Mermaid source, or undefined when the lab is too big for Mermaid to draw. */
  mermaid?: string;
  edges: number;
  chars: number;
}

function finish(chart: Chart): Diagram {
  const text = chart.render();
  const tooBig = text.length > MERMAID_MAX_TEXT || chart.edgeCount > MERMAID_MAX_EDGES;
  return { ...(tooBig ? {} : { mermaid: text }), edges: chart.edgeCount, chars: text.length };
}

const blockedAt = (ports: { vm: string; bridge: string; port: BridgePortModel }[]) =>
  ports.filter((p) => p.port.role === 'blocked').map((p) => `blocked at ${p.vm}/${p.bridge}`);

/** Every VM with its bridges and containers; cables, container veths and VXLAN segments as links. */
export function l2Diagram(model: LabModel): Diagram {
  const chart = new Chart();
  const portsByLink = new Map<string, { vm: string; bridge: string; port: BridgePortModel }[]>();
  for (const vm of model.vms)
    for (const br of vm.bridges)
      for (const port of br.ports) portsByLink.set(`${port.kind}:${port.link}`, [...(portsByLink.get(`${port.kind}:${port.link}`) ?? []), { vm: vm.name, bridge: br.name, port }]);
  const containersOf = new Map(model.vms.map((vm) => [vm.name, model.containers.filter((c) => c.vm === vm.name)]));

  for (const vm of model.vms) {
    chart.node(`subgraph ${vmId(vm.name)}[${label(`${vm.name} (${vm.role} VM)`)}]`);
    for (const br of vm.bridges) chart.node(`  ${bridgeId(vm.name, br.name)}[${label(...bridgeLines(br))}]`);
    for (const nic of vm.nics) if (!nic.bridge) chart.node(`  ${vmNicId(vm.name, nic.guestName)}[${label(`${vm.name}: ${nic.guestName}`, ...(nic.address ? [nic.address.cidr] : []))}]`);
    for (const c of containersOf.get(vm.name) ?? []) chart.node(`  ${containerId(c.name)}([${label(c.name, c.role === 'none' ? 'container' : c.role)}])`);
    if (vm.bridges.length === 0 && vm.nics.every((n) => n.bridge) && (containersOf.get(vm.name) ?? []).length === 0) chart.node(`  ${vmId(vm.name)}_self[${label(vm.name)}]`);
    chart.node('end');
  }

  const bridgeOfNic = new Map(model.vms.flatMap((v) => v.nics.map((n) => [`${v.name}/${n.cable}`, n.bridge] as const)));
  const endOf = (vm: string, cable: string): string => {
    const bridge = bridgeOfNic.get(`${vm}/${cable}`);
    return bridge ? bridgeId(vm, bridge) : vmNicId(vm, cable);
  };
  const drawn = new Set<string>();
  for (const vm of model.vms)
    for (const nic of vm.nics) {
      if (drawn.has(nic.cable)) continue;
      drawn.add(nic.cable);
      const blocked = blockedAt(portsByLink.get(`cable:${nic.cable}`) ?? []);
      chart.edge(endOf(vm.name, nic.cable), endOf(nic.peer.vm, nic.cable), [nic.cable, ...blocked].join(', '), { dashed: blocked.length > 0, highlight: blocked.length > 0 });
    }
  for (const c of model.containers)
    for (const nic of c.nics) {
      const blocked = blockedAt(portsByLink.get(`container:${c.name}/${nic.name}`) ?? []);
      chart.edge(containerId(c.name), bridgeId(c.vm, nic.bridge), [nic.name, ...(nic.address ? [nic.address.cidr] : []), ...blocked].join(' '), { highlight: blocked.length > 0 });
    }
  for (const seg of model.vxlan) {
    chart.node(`${vxlanId(seg.name)}((${label(`VXLAN ${seg.name}`, `VNI ${seg.vni}, UDP ${seg.port}`)}))`);
    for (const m of seg.members) {
      const blocked = blockedAt((portsByLink.get(`vxlan:${seg.name}`) ?? []).filter((p) => p.vm === m.vm));
      chart.edge(vxlanId(seg.name), bridgeId(m.vm, m.bridge), [`${m.vm} ${m.local}`, ...blocked].join(' '), { dashed: true, highlight: blocked.length > 0 });
    }
  }
  return finish(chart);
}

function bridgeLines(br: BridgeModel): string[] {
  return [`bridge ${br.name}`, ...(br.address ? [br.address.cidr] : []), br.stp ? `STP priority ${br.priority}` : 'STP off'];
}

/** Subnets and the interfaces with an address in each, plus the virtual addresses of VRRP groups. */
export function l3Diagram(model: LabModel): Diagram {
  const chart = new Chart();
  const nets = new Map<string, string>();
  const netNode = (c: Cidr) => {
    let id = nets.get(c.subnet);
    if (!id) {
      id = `net${nets.size}`;
      nets.set(c.subnet, id);
      chart.node(`${id}{{${label(c.subnet === c.network ? c.network : `${c.subnet}`, ...(c.subnet === c.network ? [] : [c.network]))}}}`);
    }
    return id;
  };
  for (const s of model.subnets) netNode({ ip: s.network, prefix: s.prefix, cidr: `${s.network}/${s.prefix}`, subnet: s.name, network: `${s.network}/${s.prefix}` });
  for (const vm of model.vms) {
    const addressed = [...vm.bridges.flatMap((b) => (b.address ? [{ dev: b.name, a: b.address }] : [])), ...vm.nics.flatMap((n) => (n.address ? [{ dev: n.guestName, a: n.address }] : []))];
    if (addressed.length === 0) continue;
    chart.node(`${vmId(vm.name)}[${label(vm.name)}]`);
    for (const { dev, a } of addressed) chart.edge(vmId(vm.name), netNode(a), `${dev} ${a.ip}`);
  }
  for (const c of model.containers) {
    const addressed = c.nics.filter((n) => n.address);
    if (addressed.length === 0) continue;
    chart.node(`${containerId(c.name)}([${label(c.name, c.role === 'none' ? 'container' : c.role)}])`);
    for (const n of addressed) chart.edge(containerId(c.name), netNode(n.address as Cidr), `${n.name} ${(n.address as Cidr).ip}`);
  }
  for (const g of model.vrrp) {
    const master = g.members.find((m) => m.container === g.expectedMaster);
    g.addresses.forEach((vip, i) => {
      const services = model.services.filter((s) => s.vips.includes(vip)).map((s) => `${s.name} :${s.port}`);
      chart.node(`${vipId(g.name, i)}((${label(`VIP ${vip}`, `VRRP ${g.name} vrid ${g.vrid}`, ...services)}))`);
      if (master) chart.edge(vipId(g.name, i), netNode(master.address), undefined);
      chart.edge(vipId(g.name, i), containerId(g.expectedMaster), 'expected master', { dashed: true });
    });
  }
  return finish(chart);
}

const roleShort: Record<BridgePortModel['role'], string> = { root: 'root port', designated: 'designated', blocked: 'BLOCKED', none: '-' };

/** The converged tree of one STP domain: bridges, the cables between them, blocked links in red. */
export function stpDiagram(model: LabModel, domain: L2DomainModel): Diagram {
  const chart = new Chart();
  const stp = domain.stp;
  const bridges = model.vms.flatMap((vm) => vm.bridges.filter((b) => b.stp && b.l2domain === domain.id));
  for (const br of bridges) {
    const isRoot = stp?.root.vm === br.vm && stp.root.bridge === br.name;
    chart.node(`${bridgeId(br.vm, br.name)}[${label(`${br.vm}/${br.name}`, `id ${br.bridgeId}`, ...(isRoot ? ['ROOT BRIDGE'] : []))}]`);
  }
  const ends = new Map<string, { br: BridgeModel; port: BridgePortModel }[]>();
  for (const br of bridges) for (const port of br.ports) if (port.kind !== 'container') ends.set(`${port.kind}:${port.link}`, [...(ends.get(`${port.kind}:${port.link}`) ?? []), { br, port }]);
  for (const [, list] of [...ends].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [a, b] = list;
    if (!a || !b || list.length !== 2) continue;
    const blocked = a.port.role === 'blocked' || b.port.role === 'blocked';
    const text = `${a.port.link}: ${a.br.name} ${roleShort[a.port.role]} / ${b.br.name} ${roleShort[b.port.role]}`;
    chart.edge(bridgeId(a.br.vm, a.br.name), bridgeId(b.br.vm, b.br.name), text, { dashed: blocked, highlight: blocked });
  }
  return finish(chart);
}
