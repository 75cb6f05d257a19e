// LXD on host VMs: vms/<host>/lxd-preseed.yaml, containers/<c>/profile.yaml and vms/<host>/containers.sh,
// the adapter that turns the model's containers into LXD instances built from those files. What
// differs between image families (packages, init system, paths) comes from generator/families.
import { dumpYaml } from './yaml-dump.js';
import type { ContainerModel, LabModel, VmModel } from '../3-resolve/model.js';
import { commentLines } from './escape.js';
import type { EmitContext, OutputFile } from './files.js';
import { filesUnder } from './sibling-files.js';
import { byName } from '../lib/by-name.js';
import { BOX_FAMILIES } from '../families/boxes.js';
import { DAEMON_FILES, DAEMON_IDS, IMAGE_FAMILIES, LOCAL_IMAGE_DIR, ROLE_DAEMONS, rolePackages, type DaemonId, type ImageFamily, type ImageFamilyId } from '../families/images.js';
import { prebuildsContainers, stagePlan } from '../rules/stages.js';
import { modelAtStage } from './stage-model.js';

/** Where user-data installs the lab folder inside a VM (same relative paths as on the host). */
export const GUEST_LAB_DIR = '/opt/gen-lab';
/** Where the Vagrantfile uploads local image files (the vagrant user can write there). */
export const GUEST_IMAGE_DIR = '/tmp/gen-lab-images';
export const LXD_POOL = 'gen-lab';
/** Managed NAT bridge used only while packages are installed; never part of the lab. */
export const LXD_INSTALL_NETWORK = 'genlabnat0';
export const LXD_INSTALL_PROFILE = 'gen-lab-install';
/** Not eth*: the images' stock network config would run DHCP on it, and lab NICs use eth*. */
export const LXD_INSTALL_NIC = 'install0';

export function lxdProfileName(container: string): string {
  return `gen-lab-${container}`;
}

export function containersScriptPath(vm: string): string {
  return `${GUEST_LAB_DIR}/vms/${vm}/containers.sh`;
}

/** In the lab folder: a host's containers.sh, a container's LXD profile. */
export const containersScriptFile = (vm: string) => `vms/${vm}/containers.sh`;
export const profileFile = (container: string) => `containers/${container}/profile.yaml`;

export function guestImagePath(image: string): string {
  return `${GUEST_IMAGE_DIR}/${image.slice(LOCAL_IMAGE_DIR.length + 1)}`;
}

/** Where each file other emitters write for a container goes inside it, and what it needs. A file not
 * listed still reaches the container, under /etc/gen-lab/, so nothing an emitter writes is dropped. */
function containerFileRule(family: ImageFamily, name: string): { dest: string; mode: string } | undefined {
  if (name === 'network.sh') return { dest: '/etc/gen-lab/network.sh', mode: '0755' };
  const daemonFile = DAEMON_IDS.flatMap((d) => DAEMON_FILES[d]).find((f) => f.file === name);
  return daemonFile && { dest: daemonFile.dest(family), mode: '0644' };
}

/** Files for LXD itself, not for the inside of the container. */
const HOST_SIDE_FILES = new Set(['profile.yaml']);

export function lxdPreseed(model: LabModel, vm: VmModel): object {
  return {
    config: {},
    storage_pools: [{ name: LXD_POOL, driver: 'dir', description: `gen-lab ${model.name}: containers of ${vm.name}`, config: {} }],
    networks: [
      {
        name: LXD_INSTALL_NETWORK,
        type: 'bridge',
        description: 'gen-lab: Internet for package installation only; containers leave it once installed',
        config: { 'ipv4.address': 'auto', 'ipv4.nat': 'true', 'ipv6.address': 'none' },
      },
    ],
    profiles: [
      { name: 'default', description: 'gen-lab: root disk only; lab NICs come from each container\'s profile', config: {}, devices: { root: { type: 'disk', path: '/', pool: LXD_POOL } } },
      {
        name: LXD_INSTALL_PROFILE,
        description: 'gen-lab: temporary NIC on the install network',
        config: {},
        devices: { [LXD_INSTALL_NIC]: { type: 'nic', nictype: 'bridged', parent: LXD_INSTALL_NETWORK, name: LXD_INSTALL_NIC } },
      },
    ],
  };
}

export function lxdProfile(model: LabModel, c: ContainerModel): { description: string; config: Record<string, string>; devices: Record<string, Record<string, string>> } {
  const devices: Record<string, Record<string, string>> = {};
  for (const nic of c.nics) {
    devices[nic.name] = { type: 'nic', nictype: 'bridged', name: nic.name, hwaddr: nic.mac, host_name: nic.hostName, parent: nic.bridge, mtu: String(nic.mtu) };
  }
  return {
    description: `gen-lab ${model.name}: ${c.name}${c.description ? ` (${c.description})` : ''}`,
    // containers.sh starts containers at boot after the VM's bridges exist (LXD autostart could race them).
    config: { 'boot.autostart': 'false' },
    devices,
  };
}

interface PushView {
  src: string;
  dest: string;
  mode: string;
}

interface LxdContainer {
  c: ContainerModel;
  daemons: DaemonId[];
}

/** The containers LXD builds at the lab's stage: those built by then, with only their built NICs and
 *  daemons; and, where a stage up to it prebuilds containers, the later ones bare (packages
 *  installed, no lab NIC, no daemon), for the student to wire and configure. */
function lxdContainers(model: LabModel): LxdContainer[] {
  const stage = model.teaching.stage;
  const plan = stagePlan(model);
  const built = new Map(modelAtStage(model).containers.map((c) => [c.name, c]));
  const prebuild = prebuildsContainers(model);
  return model.containers.flatMap((c): LxdContainer[] => {
    const b = built.get(c.name);
    if (b) return [{ c: b, daemons: ROLE_DAEMONS[c.role].filter((d) => plan.daemon(c.name, d) <= stage) }];
    return prebuild ? [{ c: { ...c, nics: [] }, daemons: [] }] : [];
  });
}

function containerView({ c, daemons }: LxdContainer, files: OutputFile[]) {
  const family = IMAGE_FAMILIES[c.imageFamily];
  const own = filesUnder(files, `containers/${c.name}/`).filter((f) => !HOST_SIDE_FILES.has(f.path.slice(`containers/${c.name}/`.length)));
  const pushes: PushView[] = [];
  let networkScript: string | undefined;
  for (const f of own) {
    const name = f.path.slice(`containers/${c.name}/`.length);
    const rule = containerFileRule(family, name) ?? { dest: `/etc/gen-lab/${name}`, mode: f.executable ? '0755' : '0644' };
    pushes.push({ src: f.path, dest: rule.dest, mode: rule.mode });
    if (name === 'network.sh') networkScript = rule.dest;
  }
  return {
    name: c.name,
    // Names may hold '-', which is not allowed in a POSIX function name; '_' is not allowed in names.
    fn: c.name.replace(/-/g, '_'),
    family: c.imageFamily,
    image: c.imageAlias,
    localImage: c.localImage ? guestImagePath(c.image) : '',
    profile: lxdProfileName(c.name),
    packages: rolePackages(family, c.role),
    pushes,
    services: daemons.map((d) => family.daemons[d].service).sort(),
    // The stock docroot page would win over index.php in a DirectoryIndex that lists it first.
    removeFiles: c.role === 'web' ? [`${family.paths.docroot}/index.html`] : [],
    networkScript,
  };
}

/** Shell functions of one image family (packages, init system), included once per family used. */
function familyFunctions(ctx: EmitContext, ids: ImageFamilyId[]): string {
  const { model } = ctx;
  return ids.map((id) => ctx.templates.render(`lxd/family-${id}.sh.hbs`, { proxy: model.aptProxy ?? '', installNic: LXD_INSTALL_NIC, installProfile: LXD_INSTALL_PROFILE }).trimEnd()).join('\n\n');
}

export function containersScript(ctx: EmitContext, vm: VmModel, files: OutputFile[]): string {
  const { model } = ctx;
  const containers = lxdContainers(model).filter(({ c }) => c.vm === vm.name);
  // Every image of the VM's containers is imported at any stage: a student builds the rest offline.
  const all = vm.containers.map((name) => byName(model.containers, name)).filter((c): c is ContainerModel => c !== undefined);
  const families = [...new Set(containers.map(({ c }) => c.imageFamily))].sort();
  const images = [...new Map(all.filter((c) => c.localImage).map((c) => [c.imageAlias, { alias: c.imageAlias, file: guestImagePath(c.image) }])).values()];
  return ctx.templates.render('lxd/containers.sh.hbs', {
    provenance: ctx.provenance,
    vm: vm.name,
    specHash: model.specHash,
    labDir: GUEST_LAB_DIR,
    lxdBin: BOX_FAMILIES[vm.boxFamily].lxdBin,
    pool: LXD_POOL,
    installProfile: LXD_INSTALL_PROFILE,
    familyFunctions: familyFunctions(ctx, families),
    images,
    remoteImages: [...new Set(all.filter((c) => !c.localImage && !containers.some((b) => b.c.name === c.name)).map((c) => c.imageAlias))].sort(),
    containers: containers.map((c) => containerView(c, files)),
  });
}

/** A bundler: containers.sh embeds the container files emitted before it. */
export function emitLxd(ctx: EmitContext, earlier: OutputFile[]): OutputFile[] {
  const { model } = ctx;
  const header = commentLines(ctx.provenance, '#') + '\n';
  const files = earlier;
  const out: OutputFile[] = [];
  for (const vm of model.vms) {
    if (vm.containers.length === 0 && vm.role !== 'host') continue;
    out.push({ path: `vms/${vm.name}/lxd-preseed.yaml`, content: header + dumpYaml(lxdPreseed(model, vm)) });
    out.push({ path: containersScriptFile(vm.name), content: containersScript(ctx, vm, files), executable: true });
  }
  for (const { c } of lxdContainers(model)) out.push({ path: profileFile(c.name), content: header + dumpYaml(lxdProfile(model, c)) });
  return out;
}
