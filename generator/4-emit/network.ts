// vms/<vm>/network.sh and containers/<c>/network.sh: iproute2 scripts that both the real guests and the
// namespace emulation run unchanged. Everything they print comes from the model; templates only lay it out.
import type { ContainerModel, LabModel, VmModel } from '../3-resolve/model.js';
import type { EmitContext, Emitter, OutputFile } from './files.js';
import { stagePlan } from '../rules/stages.js';

/** Kernel bridge timers are in centiseconds (ip-link and /sys/class/net/BR/bridge/* alike). */
const CENTISECONDS = 100;

interface PortLine {
  bridge: string;
  ifname: string;
  cost: number;
  priority: number;
  mtu: number;
}

function portMtu(model: LabModel, vm: VmModel, ifname: string, kind: string, fallback: number): number {
  if (kind === 'cable') return vm.nics.find((n) => n.guestName === ifname)?.mtu ?? fallback;
  if (kind === 'vxlan') return vm.vxlans.find((v) => v.ifname === ifname)?.mtu ?? fallback;
  for (const c of model.containers) for (const n of c.nics) if (n.hostName === ifname) return n.mtu;
  return fallback;
}

/** The VM as its network.sh builds it at the lab's stage: later bridges, addresses and tunnels left out
 *  (NICs keep their names and MTU from stage 0). At the final stage this is the VM itself. */
export function vmAtStage(model: LabModel, vm: VmModel): VmModel {
  const plan = stagePlan(model);
  const stage = model.teaching.stage;
  const vxlans = plan.vxlan <= stage ? vm.vxlans : [];
  const tunnels = new Set(vxlans.map((v) => v.ifname));
  const bridges = vm.bridges
    .filter((b) => plan.bridge(vm.name, b.name) <= stage)
    .map((b) => ({ ...b, ports: b.ports.filter((p) => p.kind !== 'vxlan' || tunnels.has(p.ifname)) }));
  const built = new Set(bridges.map((b) => b.name));
  const nics = vm.nics.map((n) =>
    n.bridge && !built.has(n.bridge) ? { ...n, bridge: undefined, address: undefined } : !n.bridge && plan.vmNicAddress(vm.name, n.guestName) > stage ? { ...n, address: undefined } : n,
  );
  return { ...vm, bridges, nics, vxlans };
}

export function vmNetworkView(model: LabModel, fullVm: VmModel, provenance: string): object {
  const vm = vmAtStage(model, fullVm);
  const ports: PortLine[] = vm.bridges.flatMap((br) =>
    br.ports.map((p) => ({ bridge: br.name, ifname: p.ifname, cost: p.cost, priority: p.priority, mtu: portMtu(model, vm, p.ifname, p.kind, br.mtu) })),
  );
  // Container veths are attached by LXD or the emulation, never by this script.
  const enslave = vm.bridges.flatMap((br) => br.ports.filter((p) => p.kind !== 'container').map((p) => ({ ifname: p.ifname, bridge: br.name })));
  const addresses = [
    ...vm.bridges.filter((b) => b.address).map((b) => ({ cidr: b.address?.cidr, dev: b.name })),
    ...vm.nics.filter((n) => n.address && !n.bridge).map((n) => ({ cidr: n.address?.cidr, dev: n.guestName })),
  ];
  // Bridges before their ports, underlays before tunnels: nothing forwards before STP has a say.
  const up = [...vm.bridges.map((b) => b.name), ...vm.nics.map((n) => n.guestName), ...vm.vxlans.map((v) => v.ifname)];
  return {
    provenance,
    vm: vm.name,
    label: `network.sh[${vm.name}]`,
    ipForward: vm.ipForward ? 1 : 0,
    nics: vm.nics,
    bridges: vm.bridges.map((b) => ({
      name: b.name,
      mac: b.mac,
      stp: b.stp ? 1 : 0,
      priority: b.priority,
      forwardDelay: b.timers.forwardDelay * CENTISECONDS,
      helloTime: b.timers.helloTime * CENTISECONDS,
      maxAge: b.timers.maxAge * CENTISECONDS,
      mtu: b.mtu,
    })),
    vxlans: vm.vxlans.map((v) => ({ ifname: v.ifname, vni: v.vni, port: v.port, local: v.local, underlay: v.underlayDevice, mac: v.mac, mtu: v.mtu, remotes: v.remotes })),
    enslave,
    ports,
    addresses,
    up,
  };
}

/** The container's NICs its network.sh configures at the lab's stage (later ones are the student's). */
function containerAtStage(model: LabModel, container: ContainerModel): ContainerModel {
  const plan = stagePlan(model);
  return { ...container, nics: container.nics.filter((n) => plan.containerNic(container.name, n.name) <= model.teaching.stage) };
}

export function containerNetworkView(container: ContainerModel, provenance: string): object {
  return {
    provenance,
    container: container.name,
    label: `network.sh[${container.name}]`,
    nics: container.nics.map((n) => ({ name: n.name, mac: n.mac, mtu: n.mtu, cidr: n.address?.cidr ?? '' })),
  };
}

export const vmNetworkPath = (vm: string) => `vms/${vm}/network.sh`;
export const containerNetworkPath = (container: string) => `containers/${container}/network.sh`;

export const emitNetworkScripts: Emitter = (ctx: EmitContext): OutputFile[] => {
  const { model, templates, provenance } = ctx;
  const vmFiles = model.vms.map((vm) => ({
    path: vmNetworkPath(vm.name),
    content: templates.render('network/vm-network.sh.hbs', vmNetworkView(model, vm, provenance)),
    executable: true,
  }));
  const containerFiles = model.containers.map((c) => ({
    path: containerNetworkPath(c.name),
    content: templates.render('network/container-network.sh.hbs', containerNetworkView(containerAtStage(model, c), provenance)),
    executable: true,
  }));
  return [...vmFiles, ...containerFiles];
};
