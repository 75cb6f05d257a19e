// Teaching mode: the lab as built at its stage, for the emitters that only lay out what exists
// (the emulation's data). Everything it leaves out is decided by stagePlan; at the final stage it is
// the model itself, so a whole lab's output is unchanged.
import type { LabModel } from '../3-resolve/model.js';
import { FINAL_STAGE, stagePlan, type Stage, type StagePlan } from '../rules/stages.js';
import { daemonOfFile } from '../families/images.js';
import type { OutputFile } from './files.js';
import { vmAtStage } from './network.js';

export function modelAtStage(model: LabModel): LabModel {
  const stage = model.teaching.stage;
  if (stage === FINAL_STAGE) return model;
  const plan = stagePlan(model);
  const containers = model.containers
    .filter((c) => plan.container(c.name) <= stage)
    .map((c) => ({ ...c, nics: c.nics.filter((n) => plan.containerNic(c.name, n.name) <= stage) }));
  const vrrp = model.vrrp.filter((g) => g.members.every((m) => plan.daemon(m.container, 'keepalived') <= stage));
  // Without the overlay a balancer reaches only the servers on its own VM (true of the reference lab,
  // whose internal LAN spans VMs only through VXLAN; a lab cabling it across VMs would reach more).
  const vmOf = new Map(model.containers.map((c) => [c.name, c.vm]));
  const services = model.services
    .filter((s) => s.balancers.every((b) => plan.daemon(b.container, 'haproxy') <= stage))
    .map((s) => (plan.vxlan <= stage ? s : { ...s, balancers: s.balancers.map((b) => ({ ...b, reachable: b.reachable.filter((r) => vmOf.get(r) === vmOf.get(b.container)) })) }));
  // A container port exists once its NIC does (the veth is the container's, not the VM's).
  const nics = new Set(containers.flatMap((c) => c.nics.map((n) => `${c.name}/${n.name}`)));
  const vms = model.vms.map((vm) => {
    const v = vmAtStage(model, vm);
    return { ...v, bridges: v.bridges.map((b) => ({ ...b, ports: b.ports.filter((p) => p.kind !== 'container' || nics.has(p.link)) })) };
  });
  return { ...model, vms, containers, vrrp, services };
}


/** A container's daemon files only once its daemon is built: a later stage's config is the student's
 *  answer, so it is not shipped (and the emulation starts a daemon only when its config is there). */
export function daemonFilesAtStage(model: LabModel, files: OutputFile[]): OutputFile[] {
  const plan = stagePlan(model);
  return files.filter((f) => (daemonFileStage(plan, f.path) ?? 0) <= model.teaching.stage);
}

/** The stage whose daemon a container file configures (containers/<c>/<file>), or undefined for a
 *  file that is no daemon's. */
export function daemonFileStage(plan: StagePlan, path: string): Stage | undefined {
  const [, container = '', file = ''] = path.split('/');
  const daemon = daemonOfFile(file);
  return daemon === undefined ? undefined : plan.daemon(container, daemon);
}
