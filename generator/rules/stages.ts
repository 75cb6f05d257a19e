// The stage at which each part of a lab is built, derived from what the model holds (teaching mode):
// stage N is what a student has after completing the handout up to checkpoint N. Emit asks it what
// to configure in a lab stopped at a stage; the checks ask it which checkpoint judges what. One
// home for both, so a checkpoint never judges something its stage does not build.
//
//   0  machines, cables, packages, container images: nothing configured
//   1  the Ethernet fabric: bridges that carry cables or STP, and every bridge in a LAN with a client
//      VM, with STP and the VMs' own addresses
//   2  first-hop redundancy: the VRRP members' containers, their VRRP NICs, keepalived
//   3  the services: every other container and container NIC, the bridges that only carry those,
//      haproxy and the web servers
//   4  the overlay: VXLAN devices (and bridges that only carry them)
import type { BridgeModel, LabModel } from '../3-resolve/model.js';
import type { DaemonId } from '../families/images.js';

export type Stage = 0 | 1 | 2 | 3 | 4;
export const FINAL_STAGE: Stage = 4;
export const STAGES: readonly Stage[] = [0, 1, 2, 3, 4];
/** A daemon, as images.ts names them (apache: the web server). */
export type StagedDaemon = DaemonId;

export interface StagePlan {
  /** Stage at which the bridge exists, with its STP settings and its own address. */
  bridge(vm: string, bridge: string): Stage;
  /** Stage at which a VM NIC (not a bridge port) gets its address. */
  vmNicAddress(vm: string, nic: string): Stage;
  /** Stage at which the container is created (before it, only its image is present). */
  container(name: string): Stage;
  /** Stage at which a container NIC is attached and addressed. */
  containerNic(container: string, nic: string): Stage;
  /** Stage at which a daemon of a container is configured and running. */
  daemon(container: string, daemon: StagedDaemon): Stage;
  /** Stage at which a VXLAN segment's devices exist. */
  readonly vxlan: Stage;
}

const key = (a: string, b: string) => `${a}/${b}`;

/** The stages of every element of `model`. */
// Asked per VM, per container and per file by the emitters; a model never changes once resolved, so
// one plan per model (recomputing it made emit quadratic in the lab's size).
const plans = new WeakMap<LabModel, StagePlan>();
export function stagePlan(model: LabModel): StagePlan {
  let plan = plans.get(model);
  if (!plan) plans.set(model, (plan = computeStagePlan(model)));
  return plan;
}

function computeStagePlan(model: LabModel): StagePlan {
  const vrrpNics = new Set(model.vrrp.flatMap((g) => g.members.map((m) => key(m.container, m.nic))));
  const vrrpContainers = new Set(model.vrrp.flatMap((g) => g.members.map((m) => m.container)));
  const clientDomains = new Set(model.vms.filter((v) => v.role === 'client').flatMap((v) => v.nics.map((n) => n.l2domain)));

  const containerNic = (container: string, nic: string): Stage => (vrrpNics.has(key(container, nic)) ? 2 : 3);
  const container = (name: string): Stage => (vrrpContainers.has(name) ? 2 : 3);

  const bridgeStage = (vmRole: string, b: BridgeModel): Stage => {
    if (vmRole === 'switch' || b.stp || clientDomains.has(b.l2domain) || b.ports.some((p) => p.kind === 'cable')) return 1;
    const nicStages = b.ports.filter((p) => p.kind === 'container').map((p) => {
      const [c = '', n = ''] = p.link.split('/');
      return containerNic(c, n);
    });
    return nicStages.length > 0 ? (Math.min(...nicStages) as Stage) : 4;
  };
  const bridges = new Map<string, Stage>();
  for (const vm of model.vms) for (const b of vm.bridges) bridges.set(key(vm.name, b.name), bridgeStage(vm.role, b));

  return {
    bridge: (vm, bridge) => bridges.get(key(vm, bridge)) ?? 1,
    vmNicAddress: () => 1,
    container,
    containerNic,
    daemon: (c, d) => (d === 'keepalived' ? (vrrpContainers.has(c) ? 2 : 3) : 3),
    vxlan: 4,
  };
}

/** Whether the lab's stage, or one before it, prebuilds the containers of later stages (created bare:
 *  packages in, no lab NIC, no daemon), so that the student wires them instead of creating them. */
export function prebuildsContainers(model: LabModel): boolean {
  return model.teaching.stages.slice(0, model.teaching.stage + 1).some((s) => s.prebuildContainers);
}
