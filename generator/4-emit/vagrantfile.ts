// The Vagrantfile: one machine per VM with the model's MACs, each provider's part written by its
// own module (generator/providers), the cloud-init seed attached, a fallback provisioner for boxes
// that ignore it, and the uploads and container build that follow.
import type { LabModel, VmModel } from '../3-resolve/model.js';
import { PROVIDERS } from '../providers/index.js';
import { PROVISIONED_MARK_FILE, SEEN_MARK_FILE, USER_DATA_NAME } from './cloud-init.js';
import { seedPath } from './cidata.js';
import { preflightRuby } from './preflight.js';
import type { EmitContext, OutputFile } from './files.js';
import { containersScriptPath, guestImagePath } from './lxd.js';

/** Where the file provisioner uploads the VM's user-data for the fallback. */
export const FALLBACK_USER_DATA_PATH = '/tmp/gen-lab-user-data.yaml';
const ROLE_BOOT_ORDER: Record<VmModel['role'], number> = { switch: 0, host: 1, client: 2 };

/** Switches first (the STP ring forms), then hosts, then clients; model order within a role. */
export function bootOrder(model: LabModel): VmModel[] {
  return model.vms
    .map((vm, i) => ({ vm, i }))
    .sort((a, b) => ROLE_BOOT_ORDER[a.vm.role] - ROLE_BOOT_ORDER[b.vm.role] || a.i - b.i)
    .map((x) => x.vm);
}

/** Local image files the VM's containers are created from, uploaded before they are built. */
function vmImages(model: LabModel, vm: VmModel): { source: string; destination: string }[] {
  const files = new Set(model.containers.filter((c) => c.vm === vm.name && c.localImage).map((c) => c.image));
  return [...files].sort().map((source) => ({ source, destination: guestImagePath(source) }));
}

function vmView(ctx: EmitContext, vm: VmModel) {
  const { model, templates } = ctx;
  const userData = `vms/${vm.name}/${USER_DATA_NAME}`;
  const common = { name: vm.name, memory: vm.memory, cpus: vm.cpus, gui: vm.gui ? 'true' : 'false', userData, seed: seedPath(vm.name) };
  const providerBlocks = PROVIDERS.map((p) => templates.render(p.vmTemplate, { ...common, ...p.vmView(model, vm) }).trimEnd()).join('\n');
  return {
    name: vm.name,
    label: `${vm.name} (${vm.role})${vm.description ? `: ${vm.description}` : ''}`,
    box: vm.box,
    boxVersion: vm.boxVersion ?? '',
    boxUrl: vm.boxUrl ?? '',
    boxChecksum: vm.boxChecksum,
    userData,
    providerBlocks,
    images: vmImages(model, vm),
    containersScript: vm.containers.length > 0 ? `${containersScriptPath(vm.name)} setup` : '',
  };
}

export function fallbackScript(ctx: EmitContext): string {
  return ctx.templates.render('vagrant/cloud-init-fallback.sh.hbs', { uploadPath: FALLBACK_USER_DATA_PATH, markFile: PROVISIONED_MARK_FILE, seenFile: SEEN_MARK_FILE });
}

export function emitVagrantfile(ctx: EmitContext): OutputFile[] {
  const { model } = ctx;
  const typedTriggers = model.vms.some((vm) => vm.providers.virtualbox.chipset === 'ich9');
  const helpers = PROVIDERS.flatMap((p) => (p.helpersTemplate ? [ctx.templates.render(p.helpersTemplate, {}).trimEnd()] : []));
  const content = ctx.templates.render('vagrant/Vagrantfile.hbs', {
    provenance: ctx.provenance,
    title: model.title,
    vmCount: model.vms.length,
    experimentalBefore24: typedTriggers ? 'disks,typed_triggers' : 'disks',
    typedTriggers,
    fallback: fallbackScript(ctx).trimEnd(),
    fallbackUpload: FALLBACK_USER_DATA_PATH,
    labFiles: ctx.templates.render('vagrant/lab-files.rb.hbs', {}).trimEnd(),
    preflight: preflightRuby(ctx).trimEnd(),
    providerHelpers: helpers.join('\n\n'),
    specHash: model.specHash,
    vms: bootOrder(model).map((vm) => vmView(ctx, vm)),
  });
  return [{ path: 'Vagrantfile', content }];
}
