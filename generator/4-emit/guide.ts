// The lab guide, <lab>/README.md: what the lab holds, what the host needs, how to boot it, diagrams,
// the instructor's STP answer key and the checkpoints. Everything printed comes from the model; the
// template only lays it out. Spec text is escaped here (mdInline) because Markdown has no helper.
import type { LabModel, VmModel } from '../3-resolve/model.js';
import { emulationNotes } from './emulate.js';
import type { Emitter } from './files.js';
import { networkNotes } from './network.js';
import { bootNotes } from './vagrantfile.js';
import { mdCode, mdInline, mdTable } from './guide-markdown.js';
import { l2Diagram, l3Diagram, stpDiagram, type Diagram, MERMAID_MAX_EDGES, MERMAID_MAX_TEXT } from './guide-mermaid.js';

/** FACTS: the oldest Vagrant that drives each VirtualBox release. */
export const VAGRANT_FOR_VIRTUALBOX = [
  { virtualbox: '7.0', vagrant: '2.3.2' },
  { virtualbox: '7.1', vagrant: '2.4.2' },
  { virtualbox: '7.2', vagrant: '2.4.9' },
] as const;
/** Headroom for VirtualBox itself and the host desktop, on top of the guests' memory. */
export const HOST_RAM_HEADROOM_MIB = 1024;

const br = (parts: string[]) => (parts.length ? parts.join('<br>') : '-');

function vmRows(model: LabModel): string[][] {
  return model.vms.map((vm) => [
    mdCode(vm.name),
    vm.role,
    mdCode(vm.box) + (vm.boxVersion ? ` ${mdCode(vm.boxVersion)}` : ''),
    `${vm.memory} MiB`,
    String(vm.cpus),
    br([`1: NAT${vm.nat ? ' (default route)' : ''}`, ...vm.nics.map((n, i) => `${vm.providers.virtualbox.nics[i]?.adapter}: ${mdCode(n.cable)} to ${mdCode(n.peer.vm)}${n.bridge ? `, port of ${mdCode(n.bridge)}` : ''}${n.address ? `, ${mdCode(n.address.cidr)}` : ''}`)]),
    vm.description ? mdInline(vm.description) : '',
  ]);
}

function containerRows(model: LabModel): string[][] {
  return model.containers.map((c) => [
    mdCode(c.name),
    mdCode(c.vm),
    c.role,
    mdCode(c.image),
    br(c.nics.map((n) => `${mdCode(n.name)} on ${mdCode(n.bridge)}${n.address ? ` ${mdCode(n.address.cidr)}` : ''}, MTU ${n.mtu}`)),
    c.description ? mdInline(c.description) : '',
  ]);
}

function bridgeRows(model: LabModel): string[][] {
  return model.vms.flatMap((vm) =>
    vm.bridges.map((b) => [
      mdCode(vm.name),
      mdCode(b.name),
      b.stp ? `on, priority ${b.priority}, timers ${b.timers.forwardDelay}/${b.timers.helloTime}/${b.timers.maxAge} s` : 'off',
      b.address ? mdCode(b.address.cidr) : '-',
      String(b.mtu),
      br(b.ports.map((p) => `${p.portNo}: ${mdCode(p.ifname)} (${p.kind})`)),
    ]),
  );
}

function addressRows(model: LabModel): string[][] {
  const rows: { subnet: string; ip: string; cells: string[] }[] = [];
  const add = (node: string, ifname: string, a: { ip: string; cidr: string; subnet: string }) => rows.push({ subnet: a.subnet, ip: a.ip, cells: [mdCode(a.cidr), mdCode(node), mdCode(ifname), mdCode(a.subnet)] });
  for (const vm of model.vms) {
    for (const b of vm.bridges) if (b.address) add(vm.name, b.name, b.address);
    for (const n of vm.nics) if (n.address) add(vm.name, n.guestName, n.address);
  }
  for (const c of model.containers) for (const n of c.nics) if (n.address) add(c.name, n.name, n.address);
  for (const g of model.vrrp) for (const vip of g.addresses) rows.push({ subnet: g.members[0]?.address.subnet ?? '', ip: vip, cells: [mdCode(`${vip}/${g.prefix}`), `VRRP ${mdCode(g.name)} (virtual)`, '-', mdCode(g.members[0]?.address.subnet ?? '')] });
  const ipNumber = (ip: string) => ip.split('.').reduce((n, x) => n * 256 + Number(x), 0);
  const keyed = rows.map((r) => ({ ...r, n: ipNumber(r.ip) }));
  keyed.sort((a, b) => (a.subnet < b.subnet ? -1 : a.subnet > b.subnet ? 1 : a.n - b.n));
  return keyed.map((r) => r.cells);
}

function diagramBlock(d: Diagram, what: string): string {
  if (d.mermaid) return '```mermaid\n' + d.mermaid + '\n```';
  return `_The ${what} has ${d.edges} links (${d.chars} characters of Mermaid): more than Mermaid draws by default (${MERMAID_MAX_EDGES} links, ${MERMAID_MAX_TEXT} characters). The tables above list the same facts._`;
}

function stpSections(model: LabModel) {
  return model.l2domains
    .filter((d) => d.stp)
    .map((d) => {
      const stp = d.stp as NonNullable<typeof d.stp>;
      const bridges = model.vms.flatMap((vm) => vm.bridges.filter((b) => b.stp && b.l2domain === d.id));
      const rows = bridges.flatMap((b) => b.ports.map((p) => [mdCode(`${b.vm}/${b.name}`), mdCode(b.bridgeId), String(p.portNo), mdCode(p.ifname), `${p.kind} ${mdCode(p.link)}`, String(p.cost), p.role === 'blocked' ? '**blocked**' : p.role]));
      return {
        domain: mdCode(d.id),
        root: mdCode(`${stp.root.vm}/${stp.root.bridge}`),
        rootId: mdCode(stp.root.bridgeId),
        blocked: stp.blocked.length ? stp.blocked.map((b) => mdCode(`${b.vm}/${b.bridge} port ${b.port}`)).join(', ') : 'none (no loop)',
        forwardDelay: stp.forwardDelay,
        listenLearn: 2 * stp.forwardDelay,
        maxAge: stp.maxAge,
        helloTime: stp.helloTime,
        table: mdTable(['bridge', 'bridge id', 'port', 'interface', 'link', 'cost', 'expected role'], rows),
        diagram: diagramBlock(stpDiagram(model, d), 'spanning tree'),
      };
    });
}

/** The checkpoints that apply to this lab, in the handout's order (L2, VRRP, service, VXLAN). */
function checkpoints(model: LabModel): { title: string; steps: string[] }[] {
  const out: { title: string; steps: string[] }[] = [];
  const client = model.vms.find((v) => v.role === 'client' && v.nics.some((n) => n.address));
  const stpDomains = model.l2domains.filter((d) => d.stp);
  if (stpDomains.length) {
    const steps: string[] = [];
    for (const d of stpDomains) {
      const stp = d.stp as NonNullable<typeof d.stp>;
      steps.push(`The root bridge is ${mdCode(`${stp.root.vm}/${stp.root.bridge}`)}: on every STP bridge of the domain \`cat /sys/class/net/BRIDGE/bridge/root_id\` reads ${mdCode(stp.root.bridgeId)}, e.g. \`vagrant ssh ${stp.root.vm} -c 'cat /sys/class/net/${stp.root.bridge}/bridge/root_id'\`.`);
      for (const b of stp.blocked) steps.push(`Port ${mdCode(b.port)} of ${mdCode(b.bridge)} blocks: \`vagrant ssh ${b.vm} -c 'bridge link show dev ${b.port}'\` shows \`state blocking\`.`);
      steps.push(`Take down a forwarding port on the loop (\`sudo ip link set DEV down\` in its VM): the blocked port forwards after at most max age + 2 x forward delay (${stp.maxAge} + ${2 * stp.forwardDelay} s); traffic across the break stops meanwhile, and bringing the port back costs ${2 * stp.forwardDelay} s again.`);
    }
    out.push({ title: 'Layer 2 with STP', steps });
  }
  if (model.vrrp.length) {
    const steps: string[] = [];
    for (const g of model.vrrp) {
      const master = g.members.find((m) => m.container === g.expectedMaster);
      steps.push(`${mdCode(g.expectedMaster)} (priority ${master?.priority ?? '?'}) holds ${g.addresses.map(mdCode).join(', ')}: \`vagrant ssh ${master?.vm ?? '?'} -c 'sudo lxc exec ${g.expectedMaster} -- ip -4 addr'\`.`);
      if (client) steps.push(`From ${mdCode(client.name)}: \`vagrant ssh ${client.name} -c 'ping -c 3 ${g.addresses[0] ?? ''}'\`.`);
      steps.push(`Take the master's link down (\`vagrant ssh ${master?.vm ?? '?'} -c 'sudo lxc exec ${g.expectedMaster} -- ip link set ${master?.nic ?? 'eth0'} down'\`): a backup takes the address after the master-down interval, ${g.masterDownInterval.toFixed(2)} s (3 x ${g.advertInt} s + skew).${g.preempt ? ` Back up, ${mdCode(g.expectedMaster)} preempts.` : ''}`);
    }
    out.push({ title: 'VRRP', steps });
  }
  if (model.services.length) {
    const steps: string[] = [];
    for (const s of model.services) {
      const url = `http://${s.vips[0] ?? s.bind}:${s.port}/`;
      const master = model.vrrp.find((g) => s.balancers.some((b) => b.container === g.expectedMaster))?.expectedMaster ?? s.balancers[0]?.container;
      const mb = s.balancers.find((b) => b.container === master);
      steps.push(`${client ? `From ${mdCode(client.name)}, r` : 'R'}epeat \`curl -s ${url}\`: the answers come in turn (${mdCode(s.algorithm)}) from ${(mb?.reachableWithoutTunnels ?? []).map(mdCode).join(', ') || 'no server'} before the VXLAN exists (balancer ${mdCode(master ?? '?')}, source address ${mdCode(mb?.sourceAddress ?? '?')}).`);
      steps.push(`Health checks every ${s.check.interMs / 1000} s, ${s.check.fall} failures mark a server down: stop Apache in one server and watch it leave the rotation.`);
    }
    out.push({ title: 'Load-balanced service', steps });
  }
  if (model.vxlan.length) {
    const steps: string[] = [];
    for (const seg of model.vxlan) steps.push(`VXLAN ${mdCode(seg.name)} (VNI ${seg.vni}) joins ${seg.members.map((m) => mdCode(`${m.vm}/${m.bridge}`)).join(', ')}; inner MTU ${seg.innerMtu}, underlay MTU ${seg.underlayMtu}. \`vagrant ssh ${seg.members[0]?.vm ?? '?'} -c 'sudo tcpdump -ni any udp port ${seg.port}'\` shows the tunnel carry a request.`);
    for (const s of model.services) steps.push(`Now every balancer of ${mdCode(s.name)} reaches ${s.backends.map((b) => mdCode(b.container)).join(', ')}.`);
    out.push({ title: 'VXLAN across hosts', steps });
  }
  return out;
}

function requirements(model: LabModel) {
  const guestMib = model.vms.reduce((sum, vm) => sum + vm.memory, 0);
  return {
    guestMib,
    hostMib: guestMib + HOST_RAM_HEADROOM_MIB,
    hostGib: ((guestMib + HOST_RAM_HEADROOM_MIB) / 1024).toFixed(1),
    cpus: model.vms.reduce((sum, vm) => sum + vm.cpus, 0),
    ich9: model.vms.filter((vm) => vm.providers.virtualbox.chipset === 'ich9').map((vm) => mdCode(vm.name)),
    vagrantTable: mdTable(['VirtualBox', 'Vagrant at least'], VAGRANT_FOR_VIRTUALBOX.map((r) => [r.virtualbox, r.vagrant])),
    boxes: [...new Set(model.vms.map((vm) => vm.box))].sort().map(mdCode),
  };
}

/** Markdown the other back ends write about their own part (they escape their own spec text). */
function slots(model: LabModel) {
  return {
    bootNotes: bootNotes(model).trimEnd(),
    networkNotes: networkNotes(model).trimEnd(),
    emulationNotes: emulationNotes(model).trimEnd(),
  };
}

export function guideView(model: LabModel) {
  const slotText = slots(model);
  const bridges = bridgeRows(model);
  return {
    titleMd: mdInline(model.title),
    descriptionMd: model.description ? mdInline(model.description) : '',
    name: model.name,
    language: model.language,
    provider: model.provider,
    firstVm: model.vms[0]?.name ?? '',
    client: model.vms.find((v) => v.role === 'client')?.name ?? '',
    counts: { vms: model.vms.length, containers: model.containers.length, cables: new Set(model.vms.flatMap((v: VmModel) => v.nics.map((n) => n.cable))).size },
    vmTable: mdTable(['VM', 'role', 'box', 'memory', 'CPUs', 'NICs (adapter: cable)', 'notes'], vmRows(model)),
    containerTable: model.containers.length ? mdTable(['container', 'VM', 'role', 'image', 'NICs', 'notes'], containerRows(model)) : '',
    bridgeTable: bridges.length ? mdTable(['VM', 'bridge', 'STP', 'address', 'MTU', 'ports in kernel order'], bridges) : '',
    addressTable: mdTable(['address', 'node', 'interface', 'subnet'], addressRows(model)),
    subnetTable: model.subnets.length ? mdTable(['subnet', 'network', 'notes'], model.subnets.map((s) => [mdCode(s.name), mdCode(`${s.network}/${s.prefix}`), s.description ? mdInline(s.description) : ''])) : '',
    vrrpTable: model.vrrp.length ? mdTable(['group', 'VRID', 'virtual addresses', 'members (priority)', 'expected master', 'master down after'], model.vrrp.map((g) => [mdCode(g.name), String(g.vrid), g.addresses.map(mdCode).join(', '), g.members.map((m) => `${mdCode(m.container)}/${m.nic} (${m.priority})`).join(', '), mdCode(g.expectedMaster), `${g.masterDownInterval.toFixed(2)} s`])) : '',
    serviceTable: model.services.length ? mdTable(['service', 'listens on', 'algorithm', 'balancers', 'servers'], model.services.map((s) => [mdCode(s.name), [...s.vips, s.bind].map((a) => mdCode(`${a}:${s.port}`)).join(', '), s.algorithm, s.balancers.map((b) => mdCode(b.container)).join(', '), s.backends.map((b) => mdCode(`${b.container} ${b.address}:${b.port}`)).join(', ')])) : '',
    vxlanTable: model.vxlan.length ? mdTable(['segment', 'VNI', 'UDP port', 'members', 'inner MTU'], model.vxlan.map((s) => [mdCode(s.name), String(s.vni), String(s.port), s.members.map((m) => `${mdCode(`${m.vm}/${m.bridge}`)} via ${mdCode(m.local)}`).join(', '), String(s.innerMtu)])) : '',
    requirements: requirements(model),
    l2Diagram: diagramBlock(l2Diagram(model), 'L2 diagram'),
    l3Diagram: diagramBlock(l3Diagram(model), 'L3 diagram'),
    stp: stpSections(model),
    checkpoints: checkpoints(model).map((c, i) => ({ number: i + 1, ...c })),
    ...slotText,
  };
}

export const emitGuide: Emitter = ({ model, templates, provenance }) => [
  { path: 'README.md', content: templates.render('guide/README.md.hbs', { provenance, ...guideView(model) }) },
];
