// Phase 3: a validated spec becomes the fully explicit lab model.
import type { ContainerSpec, LabSpec, StpTimersSpec, VmSpec } from '../spec.js';
import { boxFamilyId, type BoxFamilyId } from '../families/boxes.js';
import { imageFamilyId, isLocalImage, localImageAlias, type ImageFamilyId } from '../families/images.js';
import { parseChecksum } from '../lib/checksum.js';
import { libvirt } from '../providers/libvirt.js';
import { virtualbox } from '../providers/virtualbox.js';
import { buildL2Graph, containerNicName, l2Components, vxlanIfname, type L2Graph } from '../lib/l2graph.js';
import { deriveMac } from '../lib/mac.js';
import { formatIp, parseCidr, parseIp } from '../lib/ipv4.js';
import { computeStp, formatBridgeId, type StpBridgeInput } from '../lib/stp.js';
import { UnionFind } from '../lib/union-find.js';
import { SubnetIndex } from '../rules/subnets.js';
import { chooseUnderlay } from '../rules/vxlan.js';
import { chooseVrrpNic, compareVrrpRank } from '../rules/vrrp.js';
import { generatorVersion } from '../version.js';
import { specHash } from './canonical.js';
import * as D from './defaults.js';
import { FINAL_STAGE, STAGES, type Stage } from '../rules/stages.js';
import type {
  BridgeModel, BridgePortModel, Cidr, ContainerModel, L2DomainModel, L2Endpoint, LabModel, ServiceModel,
  CableEndModel, CableModel, StpTimers, VmModel, VmNicModel, VrrpGroupModel, VxlanSegmentModel,
} from './model.js';


export function resolveLab(spec: LabSpec): LabModel {
  const ctx = resolveContext(spec);
  const vms = resolveVms(ctx);
  const ports = portsOf(vms);
  const vxlan = resolveVxlan(ctx, ports);
  const containers = resolveContainers(ctx, ports);
  const containerByName = new Map(containers.map((c) => [c.name, c]));
  const containerOf = (name: string) => containerByName.get(name) as ContainerModel;
  const { domains: l2domains, stpRoles } = buildDomains(ctx.graph, vms, containers, ctx.domainId);
  const vrrp = resolveVrrp(spec, containerOf, new Map(l2domains.map((d) => [d.id, d])));
  const services = resolveServices(ctx, containerOf, vrrp);
  const lab = spec.name;
  const language = spec.language ?? 'en';

  // STP roles on every port of an STP bridge; 'none' elsewhere.
  for (const vm of vms) for (const br of vm.bridges) for (const p of br.ports) p.role = stpRoles.get(`${vm.name}/${br.name}`)?.get(p.ifname) ?? 'none';

  const model: LabModel = {
    name: lab,
    title: spec.title ?? lab,
    ...(spec.description ? { description: spec.description } : {}),
    language,
    guide: { teacherOnly: spec.guide?.teacherOnly ?? false },
    teaching: resolveTeaching(spec),
    generatorVersion,
    specHash: specHash(spec),
    provider: spec.defaults?.provider ?? 'virtualbox',
    ...(spec.defaults?.aptProxy ? { aptProxy: spec.defaults.aptProxy } : {}),
    vms,
    cables: cablesOf(vms),
    containers,
    l2domains,
    vrrp,
    services,
    vxlan,
    subnets: ctx.subnets,
  };
  for (const vm of vms) vm.providers = { virtualbox: virtualbox.resolveVm(model, vm), libvirt: libvirt.resolveVm(model, vm) };
  return model;
}

/** Each cable once, from the end whose VM comes first in the model; its ends are NICs that name each other. */
function cablesOf(vms: VmModel[]): CableModel[] {
  const position = new Map(vms.map((v, i) => [v.name, i]));
  const end = (vm: VmModel, nic: VmNicModel): CableEndModel => ({
    vm: vm.name,
    nic: nic.guestName,
    mac: nic.mac,
    mtu: nic.mtu,
    ...(nic.bridge ? { bridge: nic.bridge } : {}),
    ...(nic.address ? { address: nic.address } : {}),
    l2domain: nic.l2domain,
  });
  const out: CableModel[] = [];
  const seen = new Set<string>();
  for (const vm of vms) {
    for (const nic of vm.nics) {
      const peerVm = vms.find((v) => v.name === nic.peer.vm);
      const peer = peerVm?.nics.find((n) => n.cable === nic.cable && (peerVm !== vm || n !== nic));
      if (!peerVm || !peer || seen.has(nic.cable) || (position.get(peerVm.name) ?? 0) < (position.get(vm.name) ?? 0)) continue;
      seen.add(nic.cable);
      out.push({ name: nic.cable, a: end(vm, nic), b: end(peerVm, peer) });
    }
  }
  return out;
}

/** What every part of the model is resolved from: the spec, its L2 graph, address and MTU lookups. */
interface Context {
  spec: LabSpec;
  lab: string;
  graph: L2Graph;
  domains: UnionFind;
  plainDomains: UnionFind;
  domainId: (node: string) => string;
  subnets: LabModel['subnets'];
  toCidr: (text: string | undefined, subnetName: string | undefined) => Cidr | undefined;
  mtu: (node: string) => number;
  stpTimers: (br: StpTimersSpec) => StpTimers;
  containersByVm: Map<string, string[]>;
  cableEndsByVm: Map<string, { cable: NonNullable<LabSpec['cables']>[number]; k: number }[]>;
  underlayOf: (seg: { underlay?: string }, m: { vm: string; local?: string }) => VmAddress | undefined;
}

function resolveContext(spec: LabSpec): Context {
  const lab = spec.name;
  const graph = buildL2Graph(spec);
  const domains = l2Components(graph, { withTunnels: true });
  const plainDomains = l2Components(graph, { withTunnels: false });
  const domainId = (node: string) => domains.find(node).replace(/^[a-z]+:/, '');
  const subnets = (spec.subnets ?? []).map((s) => {
    const p = parseCidr(s.cidr) as NonNullable<ReturnType<typeof parseCidr>>;
    return { name: s.name, network: formatIp(p.network), prefix: p.prefix, ...(s.description ? { description: s.description } : {}) };
  });
  const subnetIndex = new SubnetIndex(subnets.map((s) => ({ name: s.name, prefix: s.prefix, network: parseIp(s.network) as number })));
  const toCidr = (text: string | undefined, subnetName: string | undefined): Cidr | undefined => {
    if (text === undefined) return undefined;
    const p = parseCidr(text) as NonNullable<ReturnType<typeof parseCidr>>;
    const network = `${formatIp(p.network)}/${p.prefix}`;
    const named = subnetName ?? subnetIndex.firstContaining(p.ip, p.prefix)?.name;
    return { ip: formatIp(p.ip), prefix: p.prefix, cidr: `${formatIp(p.ip)}/${p.prefix}`, subnet: named ?? network, network };
  };

  // Per-VM indexes in spec order: looking these up per VM was quadratic in large labs.
  const containersByVm = new Map<string, string[]>();
  for (const c of spec.containers ?? []) pushTo(containersByVm, c.vm, c.name);
  const cableEndsByVm = new Map<string, { cable: NonNullable<LabSpec['cables']>[number]; k: number }[]>();
  for (const cable of spec.cables ?? []) cable.ends.forEach((end, k) => pushTo(cableEndsByVm, end.vm, { cable, k }));

  // The addresses of each VM in the order rules/vxlan.ts expects: its bridges', then its cable ends'.
  const vmAddresses = new Map<string, VmAddress[]>();
  for (const vm of spec.vms) {
    const list: VmAddress[] = [];
    for (const br of vm.bridges ?? []) if (br.address) list.push({ device: br.name, cidr: toCidr(br.address, br.subnet) as Cidr, l2node: `bridge:${vm.name}/${br.name}` });
    for (const { cable, k } of cableEndsByVm.get(vm.name) ?? []) {
      const end = cable.ends[k] as (typeof cable.ends)[number];
      if (end.address) list.push({ device: cable.name, cidr: toCidr(end.address, end.subnet) as Cidr, l2node: end.bridge ? `bridge:${vm.name}/${end.bridge}` : `nic:${vm.name}/${cable.name}` });
    }
    vmAddresses.set(vm.name, list);
  }
  const underlayOf = (seg: { underlay?: string }, m: { vm: string; local?: string }): VmAddress | undefined =>
    chooseUnderlay((vmAddresses.get(m.vm) ?? []).map((a) => ({ ip: a.cidr.ip, subnet: a.cidr.subnet, a })), m, seg.underlay)?.a;

  const mtu = domainMtus(spec, domains, underlayOf);
  const stpDefaults = { ...D.DEFAULT_STP, ...(spec.defaults?.stp ?? {}) };
  const stpTimers = (br: StpTimersSpec): StpTimers => ({ forwardDelay: br.forwardDelay ?? stpDefaults.forwardDelay, helloTime: br.helloTime ?? stpDefaults.helloTime, maxAge: br.maxAge ?? stpDefaults.maxAge });
  return { spec, lab, graph, domains, plainDomains, domainId, subnets, toCidr, mtu, stpTimers, containersByVm, cableEndsByVm, underlayOf };
}

function resolveVms(ctx: Context): VmModel[] {
  const { spec, lab, mtu, toCidr, domainId, stpTimers, containersByVm, cableEndsByVm } = ctx;
  // VMs, their NICs and bridges (ports filled in below, in the order the kernel will number them).
  return spec.vms.map((vm): VmModel => {
    const nics: VmNicModel[] = [];
    for (const { cable, k } of cableEndsByVm.get(vm.name) ?? []) {
      const end = cable.ends[k] as (typeof cable.ends)[number];
      const other = cable.ends[1 - k] as (typeof cable.ends)[number];
      const mac = deriveMac(lab, vm.name, cable.name);
      const l2node = end.bridge ? `bridge:${vm.name}/${end.bridge}` : `nic:${vm.name}/${cable.name}`;
      const address = toCidr(end.address, end.subnet);
      nics.push({
        index: nics.length,
        cable: cable.name,
        mac,
        guestName: cable.name,
        ...(end.bridge ? { bridge: end.bridge } : {}),
        ...(address ? { address } : {}),
        mtu: mtu(l2node),
        promiscuous: end.bridge !== undefined,
        stpCost: end.cost ?? D.DEFAULT_PORT_COST,
        stpPriority: end.portPriority ?? D.DEFAULT_PORT_PRIORITY,
        peer: { vm: other.vm, nic: cable.name },
        l2domain: domainId(l2node),
      });
    }
    const bridges: BridgeModel[] = (vm.bridges ?? []).map((br) => {
      const mac = deriveMac(lab, vm.name, 'bridge', br.name);
      const priority = br.priority ?? D.DEFAULT_BRIDGE_PRIORITY;
      const address = toCidr(br.address, br.subnet);
      return {
        name: br.name,
        vm: vm.name,
        mac,
        stp: br.stp ?? false,
        priority,
        bridgeId: formatBridgeId(priority, mac),
        timers: stpTimers(br),
        ...(address ? { address } : {}),
        mtu: mtu(`bridge:${vm.name}/${br.name}`),
        ports: [],
        l2domain: domainId(`bridge:${vm.name}/${br.name}`),
      };
    });
    const role = vm.role;
    const box = vmBox(spec, vm);
    return {
      name: vm.name,
      role,
      ...(vm.description ? { description: vm.description } : {}),
      ...box,
      memory: vm.memory ?? spec.defaults?.memory ?? D.DEFAULT_MEMORY[role],
      cpus: vm.cpus ?? spec.defaults?.cpus ?? D.DEFAULT_CPUS,
      nat: vm.nat ?? role === 'host',
      gui: vm.gui ?? false,
      nics,
      bridges,
      vxlans: [],
      ipForward: false,
      namespace: `${lab}-${vm.name}`,
      containers: containersByVm.get(vm.name) ?? [],
      // Filled in by the provider modules once the whole model exists.
      providers: undefined as unknown as VmModel['providers'],
    };
  });
}

/** Bridge ports in the order the kernel numbers them: cable NICs first (here), then VXLAN devices and container veths as they are resolved. */
interface Ports {
  vmOf: (name: string) => VmModel;
  addPort: (vm: string, bridge: string, port: Omit<BridgePortModel, 'portNo' | 'role'>) => void;
}

function portsOf(vms: VmModel[]): Ports {
  const vmByName = new Map(vms.map((v) => [v.name, v]));
  const bridgeByKey = new Map(vms.flatMap((v) => v.bridges.map((b) => [`${v.name}/${b.name}`, b] as const)));
  const vmOf = (name: string) => vmByName.get(name) as VmModel;
  const bridgeOf = (vm: string, name: string) => bridgeByKey.get(`${vm}/${name}`) as BridgeModel;
  const addPort = (vm: string, bridge: string, port: Omit<BridgePortModel, 'portNo' | 'role'>) => {
    const br = bridgeOf(vm, bridge);
    br.ports.push({ ...port, portNo: br.ports.length + 1, role: 'none' });
  };
  for (const vm of vms) for (const nic of vm.nics) if (nic.bridge) addPort(vm.name, nic.bridge, { ifname: nic.guestName, kind: 'cable', cost: nic.stpCost, priority: nic.stpPriority, link: nic.cable });
  return { vmOf, addPort };
}

function resolveVxlan(ctx: Context, { vmOf, addPort }: Ports): VxlanSegmentModel[] {
  const { spec, lab, mtu, underlayOf } = ctx;
  // VXLAN segments and devices (validation made sure every member has an underlay address).
  const vxlan: VxlanSegmentModel[] = (spec.vxlan ?? []).map((seg) => {
    const members = seg.members.map((m) => {
      const chosen = underlayOf(seg, m) as VmAddress;
      return { vm: m.vm, bridge: m.bridge, local: chosen.cidr.ip, device: chosen.device, l2node: chosen.l2node, subnet: chosen.cidr.subnet };
    });
    const first = members[0] as (typeof members)[number];
    const underlayMtu = mtu(first.l2node);
    const innerMtu = mtu(`bridge:${first.vm}/${first.bridge}`);
    return { name: seg.name, vni: seg.vni, port: seg.port ?? D.DEFAULT_VXLAN_PORT, underlaySubnet: seg.underlay ?? first.subnet, innerMtu, underlayMtu, members: members.map(({ l2node: _node, subnet: _subnet, ...member }) => member) };
  });
  for (const seg of vxlan) {
    for (const m of seg.members) {
      const vm = vmOf(m.vm);
      vm.vxlans.push({
        ifname: vxlanIfname(seg.name),
        segment: seg.name,
        vni: seg.vni,
        port: seg.port,
        local: m.local,
        underlayDevice: m.device,
        remotes: seg.members.filter((o) => o.vm !== m.vm).map((o) => o.local),
        bridge: m.bridge,
        mtu: seg.innerMtu,
        mac: deriveMac(lab, m.vm, 'vxlan', seg.name),
      });
      addPort(m.vm, m.bridge, { ifname: vxlanIfname(seg.name), kind: 'vxlan', cost: D.DEFAULT_PORT_COST, priority: D.DEFAULT_PORT_PRIORITY, link: seg.name });
    }
  }

  return vxlan;
}

/** Containers and their NICs; each NIC's host-side veth becomes a port of its bridge. */
function resolveContainers(ctx: Context, { addPort }: Ports): ContainerModel[] {
  const { spec, lab, mtu, toCidr, domainId } = ctx;
  const language = spec.language ?? 'en';
  return (spec.containers ?? []).map((c): ContainerModel => {
    const role = c.role ?? 'none';
    const nics = c.nics.map((nic, j) => {
      const name = containerNicName(nic, j);
      const mac = deriveMac(lab, c.name, name);
      const address = toCidr(nic.address, nic.subnet);
      const l2node = `cnic:${c.name}/${name}`;
      return { name, mac, hostName: `${c.name}-${name}`, bridge: nic.bridge, ...(address ? { address } : {}), mtu: mtu(l2node), l2domain: domainId(l2node) };
    });
    for (const nic of nics) addPort(c.vm, nic.bridge, { ifname: nic.hostName, kind: 'container', cost: D.DEFAULT_PORT_COST, priority: D.DEFAULT_PORT_PRIORITY, link: `${c.name}/${nic.name}` });
    const heading = c.page?.heading ?? (language === 'es' ? `Esto es el servidor ${c.name}` : `This is server ${c.name}`);
    return {
      name: c.name,
      vm: c.vm,
      ...containerImage(spec, c),
      role,
      ...(c.description ? { description: c.description } : {}),
      nics,
      ...(role === 'web' ? { pageHeading: heading } : {}),
      namespace: `${lab}-${c.name}`,
    };
  });
}

function resolveVrrp(spec: LabSpec, containerOf: (name: string) => ContainerModel, domainById: Map<string, L2DomainModel>): VrrpGroupModel[] {
  // VRRP groups.
  return (spec.vrrp ?? []).map((g): VrrpGroupModel => {
    const vip0 = parseIp(g.addresses[0] as string) as number;
    const members = g.members.map((m) => {
      const c = containerOf(m.container);
      const candidates = c.nics.map((n) => ({ name: n.name, nic: n, ...(n.address ? { address: { network: parseIp(n.address.network.split('/')[0] as string) as number, prefix: n.address.prefix } } : {}) }));
      const found = (chooseVrrpNic(candidates, m.nic, vip0) as (typeof candidates)[number]).nic;
      return { container: c.name, vm: c.vm, nic: found.name, address: found.address as Cidr, priority: m.priority, initialState: 'BACKUP' as const };
    });
    const byRank = [...members].sort((a, b) => compareVrrpRank({ priority: a.priority, ip: parseIp(a.address.ip) as number }, { priority: b.priority, ip: parseIp(b.address.ip) as number }));
    const master = byRank[0] as (typeof byRank)[number];
    const masterDomain = containerOf(master.container).nics.find((n) => n.name === master.nic)?.l2domain;
    const domain = masterDomain === undefined ? undefined : domainById.get(masterDomain);
    const listenLearn = domain?.stp ? 2 * domain.stp.forwardDelay : 0;
    const advertInt = g.advertInt ?? 1;
    const bestBackup = byRank[1]?.priority ?? master.priority;
    return {
      name: g.name,
      vrid: g.vrid,
      advertInt,
      addresses: [...g.addresses],
      prefix: master.address.prefix,
      preempt: g.preempt ?? true,
      members,
      expectedMaster: master.container,
      l2domain: domain?.id ?? '',
      garpMasterDelay: domain?.stp ? listenLearn + 1 : D.KEEPALIVED_DEFAULT_GARP_DELAY,
      masterDownInterval: 3 * advertInt + (256 - bestBackup) / 256,
      stpListenLearn: listenLearn,
    };
  });

}

function resolveServices(ctx: Context, containerOf: (name: string) => ContainerModel, vrrp: VrrpGroupModel[]): ServiceModel[] {
  const { spec, domains, plainDomains } = ctx;
  // Services. The VIPs of a service: those of every group with one of its balancers, in group order.
  const groupsOfContainer = new Map<string, number[]>();
  vrrp.forEach((g, k) => g.members.forEach((m) => pushTo(groupsOfContainer, m.container, k)));
  const vipsOf = (balancers: string[]) => {
    const groups = [...new Set(balancers.flatMap((b) => groupsOfContainer.get(b) ?? []))].sort((a, b) => a - b);
    return groups.flatMap((k) => (vrrp[k] as VrrpGroupModel).addresses);
  };
  return (spec.services ?? []).map((s): ServiceModel => {
    const balancerDomains = new Set(s.balancers.flatMap((b) => containerOf(b).nics.filter((n) => n.address).map((n) => n.l2domain)));
    const backends = s.backends.map((b) => {
      const c = containerOf(b.container);
      const nic = c.nics.find((n) => n.address && balancerDomains.has(n.l2domain)) ?? c.nics.find((n) => n.address);
      return { container: c.name, address: (nic?.address as Cidr).ip, port: b.port ?? 80, weight: b.weight ?? 1, expectUnreachableFrom: [...(b.expectUnreachableFrom ?? [])] };
    });
    // The L2 components each backend has an address in, computed once per union-find, not per balancer.
    const backendComponents = (uf: UnionFind) => s.backends.map((b) => ({ name: b.container, components: containerOf(b.container).nics.filter((n) => n.address).map((n) => uf.find(`cnic:${b.container}/${n.name}`)) }));
    const withTunnels = backendComponents(domains);
    const withoutTunnels = backendComponents(plainDomains);
    const reach = (bal: string, uf: UnionFind, candidates: { name: string; components: string[] }[]) => {
      const mine = new Set(containerOf(bal).nics.filter((n) => n.address).map((n) => uf.find(`cnic:${bal}/${n.name}`)));
      return candidates.filter((b) => b.components.some((x) => mine.has(x))).map((b) => b.name);
    };
    const backendSubnets = new Set(backends.map((b) => containerOf(b.container).nics.find((n) => n.address?.ip === b.address)?.address?.network));
    const balancers = s.balancers.map((bal) => {
      const c = containerOf(bal);
      const src = c.nics.find((n) => n.address && backendSubnets.has(n.address.network));
      return { container: bal, sourceAddress: src?.address?.ip ?? '', reachable: reach(bal, domains, withTunnels), reachableWithoutTunnels: reach(bal, plainDomains, withoutTunnels) };
    });
    const interMs = (s.check?.interval ?? 2) * 1000;
    return {
      name: s.name,
      bind: s.bind ?? '*',
      port: s.port,
      algorithm: s.algorithm ?? 'roundrobin',
      check: { interMs, rise: s.check?.rise ?? 2, fall: s.check?.fall ?? 3, path: s.check?.path ?? '/' },
      timeouts: { connectMs: Math.min(D.HAPROXY_CONNECT_TIMEOUT_MS, interMs), clientMs: D.HAPROXY_CLIENT_SERVER_TIMEOUT_MS, serverMs: D.HAPROXY_CLIENT_SERVER_TIMEOUT_MS, checkMs: interMs },
      retries: D.HAPROXY_RETRIES,
      backends,
      balancers,
      vips: vipsOf(s.balancers),
    };
  });

}

/** The box of a VM, where Vagrant finds it and its family (validation refused unknown families). */
function vmBox(spec: LabSpec, vm: VmSpec): Pick<VmModel, 'box' | 'boxVersion' | 'boxUrl' | 'boxChecksum' | 'boxFamily'> {
  const d = spec.defaults ?? {};
  const box = vm.box ?? d.box ?? D.DEFAULT_BOX;
  const version = vm.boxVersion ?? d.boxVersion;
  const url = vm.boxUrl ?? d.boxUrl;
  const checksum = parseChecksum(vm.boxChecksum ?? d.boxChecksum);
  return {
    box,
    ...(version ? { boxVersion: version } : {}),
    ...(url ? { boxUrl: url } : {}),
    ...(checksum ? { boxChecksum: checksum } : {}),
    boxFamily: boxFamilyId(box, vm.boxFamily ?? d.boxFamily) as BoxFamilyId,
  };
}

function containerImage(spec: LabSpec, c: ContainerSpec): Pick<ContainerModel, 'image' | 'imageFamily' | 'imageAlias' | 'localImage'> {
  const image = c.image ?? spec.defaults?.image ?? D.DEFAULT_IMAGE;
  const local = isLocalImage(image);
  return {
    image,
    imageFamily: imageFamilyId(image, c.imageFamily ?? spec.defaults?.imageFamily) as ImageFamilyId,
    imageAlias: local ? localImageAlias(image) : image,
    localImage: local,
  };
}

/** MTU of every L2 node: 1500 or the largest explicit bridge MTU of its domain, then VXLAN policy. */
function domainMtus(spec: LabSpec, domains: UnionFind, underlayOf: (seg: { underlay?: string }, m: { vm: string; local?: string }) => VmAddress | undefined): (node: string) => number {
  const byDomain = new Map<string, number>();
  spec.vms.forEach((vm) =>
    (vm.bridges ?? []).forEach((br) => {
      const d = domains.find(`bridge:${vm.name}/${br.name}`);
      if (br.mtu !== undefined) byDomain.set(d, Math.max(byDomain.get(d) ?? 0, br.mtu));
    }),
  );
  const get = (d: string) => byDomain.get(d) ?? D.DEFAULT_MTU;
  for (const seg of spec.vxlan ?? []) {
    const inner = domains.find(`bridge:${seg.members[0]?.vm}/${seg.members[0]?.bridge}`);
    const underlays = seg.members.map((m) => underlayOf(seg, m)?.l2node).filter((n): n is string => n !== undefined).map((n) => domains.find(n));
    if ((seg.mtu ?? 'lower-inner') === 'lower-inner') {
      const lowest = minOf(underlays.map(get));
      byDomain.set(inner, Math.min(get(inner), lowest - D.VXLAN_OVERHEAD));
    } else {
      for (const u of underlays) byDomain.set(u, Math.max(get(u), get(inner) + D.VXLAN_OVERHEAD));
    }
  }
  return (node: string) => get(domains.find(node));
}

/** An address of a VM with the device that carries it and that device's L2 node. */
interface VmAddress {
  device: string;
  cidr: Cidr;
  l2node: string;
}

type StpRoles = Map<string, Map<string, 'root' | 'designated' | 'blocked'>>;

function buildDomains(graph: L2Graph, vms: VmModel[], containers: ContainerModel[], domainId: (n: string) => string): { domains: L2DomainModel[]; stpRoles: StpRoles } {
  const byId = new Map<string, L2DomainModel>();
  const subnetsSeen = new Map<string, Set<string>>();
  const get = (node: string) => {
    const id = domainId(node);
    let d = byId.get(id);
    if (!d) {
      d = { id, endpoints: [], subnets: [] };
      byId.set(id, d);
      subnetsSeen.set(id, new Set());
    }
    return d;
  };
  const add = (node: string, e: L2Endpoint) => {
    const d = get(node);
    d.endpoints.push(e);
    const seen = subnetsSeen.get(d.id) as Set<string>;
    if (e.address && !seen.has(e.address.subnet)) {
      seen.add(e.address.subnet);
      d.subnets.push(e.address.subnet);
    }
  };
  for (const vm of vms) {
    for (const br of vm.bridges) add(`bridge:${vm.name}/${br.name}`, { kind: 'bridge', node: vm.name, ifname: br.name, ...(br.address ? { address: br.address } : {}) });
    for (const nic of vm.nics) if (!nic.bridge) add(`nic:${vm.name}/${nic.guestName}`, { kind: 'vm-nic', node: vm.name, ifname: nic.guestName, ...(nic.address ? { address: nic.address } : {}) });
  }
  for (const c of containers) for (const nic of c.nics) add(`cnic:${c.name}/${nic.name}`, { kind: 'container-nic', node: c.name, ifname: nic.name, ...(nic.address ? { address: nic.address } : {}) });

  // STP per domain: non-STP bridges pass BPDUs like hubs, so their segments merge into one LAN.
  const lans = new UnionFind();
  for (const seg of graph.segments) lans.find(seg.id);
  const segmentsOfNode = new Map<string, string[]>();
  for (const seg of graph.segments) for (const node of new Set(seg.attachments.map((a) => a.node))) pushTo(segmentsOfNode, node, seg.id);
  for (const [id, br] of graph.bridges) {
    if (br.stp) continue;
    const mine = segmentsOfNode.get(id) ?? [];
    for (const s of mine.slice(1)) lans.union(mine[0] as string, s);
  }
  const segOfPort = new Map<string, string>();
  for (const seg of graph.segments) for (const a of seg.attachments) if (a.node.startsWith('bridge:')) segOfPort.set(`${a.node.slice(7)}/${a.ifname}`, seg.id);
  const stpRoles: StpRoles = new Map();
  // STP bridges by domain, in VM and bridge order (one pass; a scan of every bridge per domain was quadratic).
  const stpBridgesByDomain = new Map<string, BridgeModel[]>();
  for (const vm of vms) for (const br of vm.bridges) if (br.stp) pushTo(stpBridgesByDomain, br.l2domain, br);
  for (const d of byId.values()) {
    const inputs: StpBridgeInput[] = [];
    const models: BridgeModel[] = [];
    for (const br of stpBridgesByDomain.get(d.id) ?? []) {
      models.push(br);
      inputs.push({
        key: `${br.vm}/${br.name}`,
        bridgeId: br.bridgeId,
        ports: br.ports.map((p) => ({ ifname: p.ifname, portNo: p.portNo, priority: p.priority, cost: p.cost, lan: lans.find(segOfPort.get(`${br.vm}/${br.name}/${p.ifname}`) ?? `lone:${br.vm}/${br.name}/${p.ifname}`) })),
      });
    }
    if (inputs.length === 0) continue;
    const result = computeStp(inputs);
    for (const [k, m] of result.roles) stpRoles.set(k, m);
    const root = models.find((b) => `${b.vm}/${b.name}` === result.root) as BridgeModel;
    const blocked: { vm: string; bridge: string; port: string }[] = [];
    for (const [key, roles] of result.roles) {
      const [vm, bridge] = key.split('/') as [string, string];
      for (const [port, role] of roles) if (role === 'blocked') blocked.push({ vm, bridge, port });
    }
    d.stp = {
      root: { vm: root.vm, bridge: root.name, bridgeId: root.bridgeId },
      blocked,
      forwardDelay: maxOf(models.map((b) => b.timers.forwardDelay)),
      maxAge: maxOf(models.map((b) => b.timers.maxAge)),
      helloTime: maxOf(models.map((b) => b.timers.helloTime)),
      rootCost: models.map((b) => ({ vm: b.vm, bridge: b.name, cost: result.rootCost.get(`${b.vm}/${b.name}`) ?? 0 })),
    };
  }
  return { domains: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), stpRoles };
}

/** Math.max without spreading a list into arguments (a long list overflowed the stack that way). */
function maxOf(values: number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

function minOf(values: number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The spec's stage and stages over the defaults: a lab built whole, with equal checkpoint weights. */
function resolveTeaching(spec: LabSpec): LabModel['teaching'] {
  const stage = (spec.stage ?? FINAL_STAGE) as Stage;
  const stages = STAGES.map((n) => {
    const s = spec.stages?.[n];
    return { ...(s?.name ? { name: s.name } : {}), weight: s?.weight ?? D.STAGE_WEIGHTS[n], prebuildContainers: s?.prebuild?.containers ?? false };
  });
  return { stage, stages };
}
