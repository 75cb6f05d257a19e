// The Vagrantfile: one machine per VM with the model's MACs, each provider's part written by its
// own module (generator/providers), cloud-init attached, a fallback provisioner for boxes that
// ignore it, and the uploads and container build that follow.
import type { LabModel, VmModel } from '../3-resolve/model.js';
import { PROVIDERS } from '../providers/index.js';
import { PROVISIONED_MARK_FILE, SEEN_MARK_FILE, USER_DATA_NAME } from './cloud-init.js';
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
  const common = { name: vm.name, memory: vm.memory, cpus: vm.cpus, gui: vm.gui ? 'true' : 'false', userData };
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
    experimental: typedTriggers ? 'cloud_init,disks,typed_triggers' : 'cloud_init,disks',
    typedTriggers,
    fallback: fallbackScript(ctx).trimEnd(),
    fallbackUpload: FALLBACK_USER_DATA_PATH,
    libvirtHelpers: helpers.join('\n\n'),
    specHash: model.specHash,
    vms: bootOrder(model).map((vm) => vmView(ctx, vm)),
  });
  return [{ path: 'Vagrantfile', content }];
}
/** Markdown for the lab guide: how `vagrant up` brings the lab to life, and what to do when it does not. */
export function bootNotes(model: LabModel): string {
  const order = bootOrder(model).map((vm) => `\`${vm.name}\``).join(', ');
  const hosts = model.vms.filter((vm) => vm.containers.length > 0);
  const noNat = model.vms.filter((vm) => !vm.nat).map((vm) => `\`${vm.name}\``);
  const boxes = [...new Set(model.vms.map((vm) => (vm.boxVersion ? `${vm.box} ${vm.boxVersion}` : vm.box)))].map((b) => `\`${b}\``).join(', ');
  const lines = [
    '## How the lab boots',
    '',
    `\`vagrant up\` (VirtualBox) creates the VMs one by one in this order: ${order}. Switches come first so the`,
    'STP tree has its root before the hosts join it.',
    '',
    `1. **Box** (${boxes}): needs cloud-init in the box. Every cable is a VirtualBox internal network named`,
    `   \`${model.name}-<cable>\`; the model's MAC goes on each adapter, and the guest recognises its NICs by MAC,`,
    '   never by name or order. Adapter 1 is Vagrant\'s NAT (SSH and package downloads). Adapters that join a',
    '   guest bridge are promiscuous (`allow-all`), or frames for containers and the VRRP address would be dropped.',
    '2. **cloud-init** reads `vms/<vm>/user-data.yaml` from a cidata ISO that Vagrant builds (needs `mkisofs`,',
    '   Debian package `genisoimage`; the Vagrantfile sets `VAGRANT_EXPERIMENTAL=cloud_init,disks`, needed',
    '   before Vagrant 2.4). It writes this VM\'s part of the lab folder to `/opt/gen-lab`, installs the unit',
    '   `gen-lab-network.service` (runs `network.sh` at every boot, before `network-online.target`) and runs it.',
    '3. **Fallback**: some boxes ignore Vagrant\'s cloud-init (bento, chef/bento#1655). The provisioner',
    '   `gen-lab-cloud-init` then installs the same user-data as a NoCloud seed and runs cloud-init\'s stages;',
    '   when cloud-init already did the job (`/var/lib/gen-lab/provisioned` holds the spec hash) it does nothing.',
  ];
  if (hosts.length > 0) {
    lines.push(
      `4. **Containers** (${hosts.map((h) => `\`${h.name}\``).join(', ')}): \`containers.sh setup\` installs the LXD snap, applies`,
      '   `lxd-preseed.yaml` (a `dir` pool and a NAT bridge used only to install packages), loads each container\'s',
      '   profile (NICs with the model\'s names, MACs, host-side names, bridges and MTUs), launches Alpine from',
      '   `images:`, installs packages with `apk`, copies the container\'s files, enables its services, removes the',
      '   install NIC and restarts it. At every later boot `gen-lab-containers.service` starts the containers once the',
      '   bridges exist and re-applies STP port costs (`network.sh ports`).',
    );
  }
  if (noNat.length > 0) {
    lines.push(
      '',
      `VMs without Internet in the lab (${noNat.join(', ')}): at the end of provisioning the default route through the`,
      'NAT adapter is removed (also from later boots, by a netplan drop-in); `vagrant ssh` keeps working because',
      'VirtualBox forwards SSH to the NAT address, which stays on-link.',
    );
  }
  lines.push(
    '',
    'Provisioning again (`vagrant provision`) is safe: every step is idempotent, and a container already built',
    'from this spec is kept. After changing the spec, regenerate and run `vagrant provision`: containers built from',
    'an older spec are rebuilt. Logs: `/var/log/cloud-init-output.log` in each VM.',
    '',
    'Host requirements: VirtualBox with a matching Vagrant (VirtualBox 7.0 needs Vagrant >= 2.3.2, 7.1 needs',
    '>= 2.4.2, 7.2 needs >= 2.4.9), `mkisofs`/`genisoimage`, and RAM for all VMs at once',
    `(${model.vms.reduce((s, vm) => s + vm.memory, 0)} MB here).`,
    '',
  );
  return lines.join('\n');
}
