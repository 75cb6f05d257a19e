// vms/<vm>/cidata.iso: each VM's NoCloud seed (its user-data and a meta-data naming the instance),
// written here so that no host needs an ISO tool: Vagrant's own cloud_init builds the image with
// mkisofs, hdiutil or oscdimg, and the last ships only with the Windows ADK. Both providers attach
// the file as it is (VirtualBox as a DVD, libvirt as a CD-ROM); cloud-init finds it by its label.
import type { LabModel, VmModel } from '../3-resolve/model.js';
import { isoImage } from '../lib/iso9660.js';
import { USER_DATA_NAME } from './cloud-init.js';
import type { EmitContext, OutputFile } from './files.js';

/** The volume label cloud-init's NoCloud datasource looks for. */
export const SEED_VOLUME_ID = 'cidata';
export const SEED_NAME = 'cidata.iso';

export const seedPath = (vm: string) => `vms/${vm}/${SEED_NAME}`;

/** The instance id changes with the spec, so a changed lab is a new instance to cloud-init (the
 * fallback provisioner names the same instance when it applies the seed itself). */
export function instanceId(model: LabModel, vm: VmModel): string {
  return `gen-lab-${vm.name}-${model.specHash}`;
}

export function metaData(model: LabModel, vm: VmModel): string {
  return `instance-id: ${instanceId(model, vm)}\nlocal-hostname: ${vm.name}\n`;
}

/** A bundler after the user-data: the seed carries each VM's user-data byte for byte. */
export function emitCloudInitSeeds(ctx: EmitContext, earlier: OutputFile[]): OutputFile[] {
  const byPath = new Map(earlier.map((f) => [f.path, f]));
  return ctx.model.vms.map((vm) => {
    const userData = byPath.get(`vms/${vm.name}/${USER_DATA_NAME}`);
    if (!userData) throw new Error(`no user-data was emitted for ${vm.name}`);
    const bytes = isoImage(SEED_VOLUME_ID, [
      { name: 'meta-data', content: metaData(ctx.model, vm) },
      { name: 'user-data', content: userData.content },
    ]);
    return { path: seedPath(vm.name), content: '', bytes };
  });
}
