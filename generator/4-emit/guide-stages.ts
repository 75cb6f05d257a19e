// Teaching mode in the lab guide: for a lab stopped at a stage, what each stage builds, as the facts
// of the assignment (names, addresses, NICs, priorities, ports: what the spec fixes) and never as
// the answer (the configuration files and scripts of a later stage, which the lab does not ship).
// README.md lists the facts of the stages left; TEACHER.md says where each stage's answer is: the
// files of the whole lab (gen-lab --stage 4) that carry it, and the checkpoint that grades it.
// Which element belongs to which stage is stagePlan's alone; this file only groups by it.
import type { LabModel } from '../3-resolve/model.js';
import { FINAL_STAGE, prebuildsContainers, STAGES, stagePlan, type Stage, type StagePlan } from '../rules/stages.js';
import { IMAGE_FAMILIES, rolePackages } from '../families/images.js';
import { CHECKPOINTS, checkpointPath } from './checks.js';
import type { EmitContext } from './files.js';
import { emitHaproxy } from './haproxy.js';
import { emitKeepalived } from './keepalived.js';
import { containersScriptFile, profileFile } from './lxd.js';
import { containerNetworkPath, vmNetworkPath } from './network.js';
import { daemonFileStage } from './stage-model.js';
import { emitWeb } from './web.js';

const max = (stages: Stage[]): Stage => (stages.length ? (Math.max(...stages) as Stage) : 0);

function bridgeTasks(model: LabModel, plan: StagePlan, n: Stage) {
  const roots = new Set(model.l2domains.flatMap((d) => (d.stp ? [`${d.stp.root.vm}/${d.stp.root.bridge}`] : [])));
  return model.vms.flatMap((vm) =>
    vm.bridges
      .filter((b) => plan.bridge(vm.name, b.name) === n)
      .map((b) => ({
        vm: vm.name,
        name: b.name,
        stp: b.stp,
        priority: b.priority,
        root: roots.has(`${vm.name}/${b.name}`),
        cidr: b.address?.cidr ?? '',
        nics: b.ports.filter((p) => p.kind === 'cable').map((p) => p.ifname),
      })),
  );
}

function vmAddressTasks(model: LabModel, plan: StagePlan, n: Stage) {
  return model.vms.flatMap((vm) => vm.nics.filter((x) => !x.bridge && x.address && plan.vmNicAddress(vm.name, x.guestName) === n).map((x) => ({ vm: vm.name, nic: x.guestName, cidr: x.address?.cidr ?? '' })));
}

/** Containers created at stage n, and those created before it that get a NIC at n. */
function containerTasks(model: LabModel, plan: StagePlan, n: Stage) {
  const prebuilt = prebuildsContainers(model);
  return model.containers.flatMap((c) => {
    const nics = c.nics.filter((x) => plan.containerNic(c.name, x.name) === n).map((x) => ({ name: x.name, bridge: x.bridge, cidr: x.address?.cidr ?? '' }));
    const create = plan.container(c.name) === n;
    if (!create && nics.length === 0) return [];
    return [{ name: c.name, vm: c.vm, role: c.role, image: c.image, create: create && !prebuilt, prebuilt: create && prebuilt, packages: rolePackages(IMAGE_FAMILIES[c.imageFamily], c.role), nics }];
  });
}

function vrrpTasks(model: LabModel, plan: StagePlan, n: Stage) {
  return model.vrrp
    .filter((g) => max(g.members.map((m) => plan.daemon(m.container, 'keepalived'))) === n)
    .map((g) => ({ name: g.name, vrid: g.vrid, advertInt: g.advertInt, preempt: g.preempt, addresses: g.addresses, prefix: g.prefix, members: g.members.map((m) => ({ container: m.container, vm: m.vm, nic: m.nic, priority: m.priority })) }));
}

function serviceTasks(model: LabModel, plan: StagePlan, n: Stage) {
  return model.services
    .filter((s) => max(s.balancers.map((b) => plan.daemon(b.container, 'haproxy'))) === n)
    .map((s) => ({
      name: s.name,
      listens: [...s.vips, s.bind].map((a) => `${a}:${s.port}`),
      algorithm: s.algorithm,
      balancers: s.balancers.map((b) => b.container),
      backends: s.backends.map((b) => ({ container: b.container, address: `${b.address}:${b.port}`, weight: b.weight })),
      check: { intervalS: s.check.interMs / 1000, rise: s.check.rise, fall: s.check.fall, path: s.check.path },
    }));
}

function webTasks(model: LabModel, plan: StagePlan, n: Stage) {
  return model.containers.filter((c) => c.role === 'web' && plan.daemon(c.name, 'apache') === n).map((c) => ({ container: c.name, vm: c.vm, heading: c.pageHeading ?? '' }));
}

function vxlanTasks(model: LabModel, plan: StagePlan, n: Stage) {
  if (plan.vxlan !== n) return [];
  return model.vxlan.map((s) => ({ name: s.name, vni: s.vni, port: s.port, innerMtu: s.innerMtu, members: s.members.map((m) => ({ vm: m.vm, bridge: m.bridge, local: m.local })) }));
}

/** The files of the whole lab that hold stage n's answer: network scripts of the nodes it changes,
 *  LXD files of the containers it creates or wires, and the daemon files it configures. */
function answerFiles(ctx: EmitContext, plan: StagePlan, n: Stage, tasks: ReturnType<typeof stageTasks>): string[] {
  const { model } = ctx;
  const vmsTouched = new Set([...tasks.bridges.map((b) => b.vm), ...tasks.vmAddresses.map((a) => a.vm), ...tasks.vxlan.flatMap((s) => s.members.map((m) => m.vm))]);
  const vmScripts = model.vms.filter((vm) => vmsTouched.has(vm.name)).map((vm) => vmNetworkPath(vm.name));
  const lxdHosts = new Set(tasks.containers.map((c) => c.vm));
  const whole = { ...ctx, model: { ...model, teaching: { ...model.teaching, stage: FINAL_STAGE } } };
  const daemonFiles = [...emitKeepalived(whole), ...emitHaproxy(whole), ...emitWeb(whole)].map((f) => f.path).filter((p) => daemonFileStage(plan, p) === n);
  const containerFiles = tasks.containers.filter((c) => c.nics.length > 0).flatMap((c) => [containerNetworkPath(c.name), profileFile(c.name)]);
  const hostScripts = model.vms.filter((vm) => lxdHosts.has(vm.name)).map((vm) => containersScriptFile(vm.name));
  return [...new Set([...vmScripts, ...hostScripts, ...containerFiles, ...daemonFiles])].sort();
}

function stageTasks(model: LabModel, plan: StagePlan, n: Stage) {
  return {
    bridges: bridgeTasks(model, plan, n),
    vmAddresses: vmAddressTasks(model, plan, n),
    containers: containerTasks(model, plan, n),
    vrrp: vrrpTasks(model, plan, n),
    services: serviceTasks(model, plan, n),
    web: webTasks(model, plan, n),
    vxlan: vxlanTasks(model, plan, n),
  };
}

/** The guide's view of teaching mode; `staged` is false for a whole lab, whose guide has no stages. */
export function teachingView(ctx: EmitContext) {
  const { model } = ctx;
  const stage = model.teaching.stage;
  const plan = stagePlan(model);
  const stages = STAGES.filter((n) => n > 0).map((n) => {
    const s = model.teaching.stages[n];
    const tasks = stageTasks(model, plan, n);
    const built = n <= stage;
    const checkpoint = CHECKPOINTS[n - 1];
    return {
      number: n,
      name: s?.name ?? '',
      weight: s?.weight ?? 0,
      built,
      checkpoint: checkpoint ? checkpointPath(checkpoint) : '',
      ...tasks,
      empty: Object.values(tasks).every((list) => list.length === 0),
      answers: built ? [] : answerFiles(ctx, plan, n, tasks),
    };
  });
  return { staged: stage < FINAL_STAGE, stage, final: FINAL_STAGE, stage0Name: model.teaching.stages[0]?.name ?? '', stages, left: stages.filter((s) => !s.built) };
}
