// The guide's "your laptop" facts: where each VM's box comes from (this folder's catalog, a course's
// catalog or .box file, or the closing HCP Vagrant registry), the registry's dates, what the first
// `vagrant up` was measured to take and under what conditions, and what the lab needs of a laptop.
// Facts only, pure functions of the model: every word is in templates/partials/guide/<lang>/laptop.hbs.
import { isGenLabBox } from '../families/boxes.js';
import type { LabModel, VmModel } from '../3-resolve/model.js';
import { LOCAL_BOX_CATALOG } from './preflight.js';

/** Boxes `gen-lab box build` makes are named gen-lab/<family>; without a boxUrl Vagrant finds them in
 *  the lab folder's catalog, which `gen-lab pack` writes (VirtualBox amd64 and arm64, libvirt amd64). */
/** FACTS (chef/bento#1699, hashicorp/vagrant#13836): HCP Vagrant takes no new boxes from the first
 *  date and ends operations on the second. */
export const REGISTRY_DATES = { noNewBoxes: '2026-10-01', end: '2026-12-31' } as const;
/** FACTS: VirtualBox 7.1+ on an Arm Mac runs arm64 guests only; Vagrant's arm64 build from 2.4.2. */
export const APPLE_SILICON = { virtualbox: '7.1', vagrant: '2.4.2' } as const;
/** The only first boot ever measured (docs/boot.md): the reference lab's five VMs with
 *  `vagrant up --provider=libvirt` under software emulation (TCG, no KVM, 2 cores), three runs and one
 *  inside a whole test run; and `vagrant reload` of one host VM on the same machine. Nothing was
 *  measured on a laptop with hardware virtualisation. */
export const MEASURED_FIRST_UP = { vms: 5, fromS: 635, toS: 1122, reloadFromS: 123, reloadToS: 190, cores: 2 } as const;
/** The environment variable that skips the Vagrantfile's preflight. */
export const SKIP_PREFLIGHT = 'GEN_LAB_SKIP_PREFLIGHT';
/** Vagrant's experimental flag the Vagrantfile sets for `config.vm.disk :dvd` before Vagrant 2.4. */
export const DISKS_FLAG = 'disks';

export type BoxOrigin = 'folder' | 'catalog' | 'file' | 'registry';

/** Where Vagrant finds a VM's box: a boxUrl ending in .json is a catalog (as validation reads it),
 *  any other boxUrl a .box file; gen-lab's own box without one is in the lab folder's catalog; any
 *  other bare name is resolved by the registry (as validation's registry-box warning reads it). */
export function boxOrigin(vm: Pick<VmModel, 'box' | 'boxUrl'>): BoxOrigin {
  if (vm.boxUrl) return /\.json$/i.test(vm.boxUrl) ? 'catalog' : 'file';
  return isGenLabBox(vm.box) ? 'folder' : 'registry';
}

/** One flag per origin, for templates that say one thing per kind of source. */
export const originFlags = (origin: BoxOrigin) => ({ folder: origin === 'folder', catalog: origin === 'catalog', file: origin === 'file', registry: origin === 'registry' });

const minutes = (s: number) => Math.round(s / 60);

/** The boxes of the lab grouped by name and source, in the order their VMs first appear. */
function laptopBoxes(model: LabModel) {
  const rows = new Map<string, { box: string; url: string; vms: string[] } & ReturnType<typeof originFlags>>();
  for (const vm of model.vms) {
    const key = `${vm.box} ${vm.boxUrl ?? ''}`;
    const row = rows.get(key) ?? { box: vm.box, url: vm.boxUrl ?? '', vms: [], ...originFlags(boxOrigin(vm)) };
    row.vms.push(vm.name);
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** The facts of the guide's laptop section. */
export function laptopView(model: LabModel) {
  const boxes = laptopBoxes(model);
  const any = (k: BoxOrigin) => boxes.some((b) => b[k]);
  const registryBoxes = boxes.filter((b) => b.registry).map((b) => b.box);
  const localImages = model.containers.length > 0 && model.containers.every((c) => c.localImage);
  const host = model.vms.find((vm) => vm.containers.length > 0) ?? model.vms[0];
  return {
    boxes,
    origins: { folder: any('folder'), catalog: any('catalog'), file: any('file'), registry: any('registry'), onlyFolder: boxes.every((b) => b.folder) },
    catalog: LOCAL_BOX_CATALOG,
    registry: { ...REGISTRY_DATES, boxes: registryBoxes },
    appleSilicon: APPLE_SILICON,
    measured: { ...MEASURED_FIRST_UP, fromMin: minutes(MEASURED_FIRST_UP.fromS), toMin: minutes(MEASURED_FIRST_UP.toS) },
    sameVmCount: model.vms.length === MEASURED_FIRST_UP.vms,
    // A packed folder boots with no Internet when every box is in it and every container image too.
    offline: boxes.every((b) => b.folder) && (model.containers.length === 0 || localImages),
    localImages,
    hasContainers: model.containers.length > 0,
    // VMs past 8 adapters take ICH9 on amd64; VirtualBox on arm64 has its own chipset (64 adapters).
    wideVms: model.vms.filter((vm) => vm.providers.virtualbox.chipset === 'ich9').map((vm) => vm.name),
    logVm: host?.name ?? '',
    skipPreflight: SKIP_PREFLIGHT,
    disksFlag: DISKS_FLAG,
  };
}
