// `gen-lab box build`: a Vagrant box of the debian12 family built from Debian's packages, and the
// metadata.json catalog a course hosts next to it on any static web server (or file://), so labs
// boot after the HCP Vagrant registry stops resolving bare box names.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BOX_FAMILIES } from '../families/boxes.js';
import { TemplateSet } from '../4-emit/templates.js';
import { generatorVersion } from '../version.js';
import { BuildError, requireRootAndTools, runBuild } from './run-build.js';
import { archTools, buildLib } from './build-lib.js';

export const BOX_NAME = 'gen-lab/debian12';
export const BOX_PROVIDERS = ['libvirt', 'virtualbox'] as const;
export type BoxProvider = (typeof BOX_PROVIDERS)[number];
/** Debian architectures of the boxes: amd64 for every provider; arm64 (Apple Silicon's VirtualBox
 * 7.1+, which runs arm64 guests only) for VirtualBox. */
export const BOX_ARCHES = ['amd64', 'arm64'] as const;
export type BoxArch = (typeof BOX_ARCHES)[number];
/** Providers each architecture is built for (libvirt arm64 is not: no course asked for it). */
export const ARCH_PROVIDERS: Record<BoxArch, readonly BoxProvider[]> = { amd64: BOX_PROVIDERS, arm64: ['virtualbox'] };
const DISK_GIB = 8;
const ROOT_LABEL = 'gen-lab-root';
/** arm64 disks: the EFI system partition's size (it holds one GRUB image of a few MB). */
const ESP_MIB = 64;

export interface BoxBuildOptions {
  providers: BoxProvider[];
  outDir: string;
  /** HTTP proxy for every download, e.g. a local apt-cacher-ng (http://127.0.0.1:3142). */
  proxy?: string;
  /** Prefix of the box file's URL in the catalog; default file://<outDir>/. */
  baseUrl?: string;
  /** Catalog version; default the build date, YYYY.M.D. */
  version?: string;
  templates?: string[];
  /** Debian architecture of the box (default amd64). */
  arch?: BoxArch;
}

/** Vagrant's insecure public key, as the local Vagrant ships it (Debian's package or HashiCorp's). */
export function vagrantPublicKey(): string {
  const roots = ['/usr/share/rubygems-integration/all/gems', '/opt/vagrant/embedded/gems/gems', '/opt/vagrant/embedded/gems/2.2.0/gems'];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const gem of readdirSync(root).filter((g) => /^vagrant-\d/.test(g)).sort().reverse()) {
      const key = join(root, gem, 'keys', 'vagrant.pub');
      if (existsSync(key)) return key;
    }
  }
  throw new BuildError("Vagrant's insecure public key (keys/vagrant.pub) was not found: install vagrant on this machine");
}

const BOX_PREFIX = 'gen-lab-debian12';

export function boxFileName(provider: BoxProvider, arch: BoxArch = 'amd64'): string {
  return `${BOX_PREFIX}-${provider}-${arch}.box`;
}

/** Refuses a provider the architecture is not built for (a usage error: exit 2). */
export function checkProviders(providers: readonly BoxProvider[], arch: BoxArch): void {
  if (!(BOX_ARCHES as readonly string[]).includes(arch)) throw new BuildError(`gen-lab builds boxes for ${BOX_ARCHES.join(' and ')} only (asked: ${arch})`);
  const refused = providers.filter((p) => !ARCH_PROVIDERS[arch].includes(p));
  if (refused.length)
    throw new BuildError(`${arch} boxes are built for ${ARCH_PROVIDERS[arch].join(', ')} only (asked: ${refused.join(', ')}); an ${arch} box for ${refused.join(', ')} is not supported: use --provider ${ARCH_PROVIDERS[arch].join(' --provider ')}`);
}

export function boxScript(templates: TemplateSet, providers: BoxProvider[], proxy: string | undefined, key: string, arch: BoxArch = 'amd64'): string {
  const build = BOX_FAMILIES.debian12.build as { suite: string; packages: string[]; kernel: Record<BoxArch, string> };
  const provenance = `Built by gen-lab ${generatorVersion} box build.`;
  const arm64 = arch === 'arm64';
  const description = `${BOX_NAME}: Debian ${build.suite}${arm64 ? ' (arm64)' : ''} with cloud-init`;
  const familyPackages = BOX_FAMILIES.debian12.lxd.source === 'apt' ? BOX_FAMILIES.debian12.lxd.packages : [];
  return templates.render('build/box-debian12.sh.hbs', {
    provenance,
    lib: buildLib(templates, build.suite, proxy, arch),
    providers,
    arch,
    arm64,
    boxPrefix: BOX_PREFIX,
    suite: build.suite,
    // amd64: the kernel comes with debootstrap, as it always did. arm64: debootstrap runs under
    // qemu-user, where each initramfs build costs minutes; the kernel comes in the later apt pass
    // with update-initramfs diverted, and the one initramfs is built at the end (see the script).
    packages: arm64 ? build.packages : [build.kernel.amd64, ...build.packages],
    kernelPackage: build.kernel[arch],
    familyPackages,
    laterPackages: arm64 ? [build.kernel.arm64, ...familyPackages] : familyPackages,
    vagrantKey: key,
    rootLabel: ROOT_LABEL,
    diskGiB: DISK_GIB,
    espMiB: ESP_MIB,
    ovf: providers.includes('virtualbox') ? templates.render(arm64 ? 'build/virtualbox-arm64.ovf.hbs' : 'build/virtualbox.ovf.hbs', { provenance, name: `gen-lab-debian12${arm64 ? '-arm64' : ''}`, description, diskBytes: DISK_GIB * 1024 ** 3 }).trimEnd() : '',
    boxVagrantfile: templates.render('build/box-Vagrantfile.hbs', { provenance }).trimEnd(),
  });
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export interface CatalogProvider {
  name: string;
  url: string;
  checksum_type: string;
  checksum: string;
  /** Vagrant 2.4+ (`Vagrant::BoxMetadata::Provider`): the box's architecture, and which entry of
   * a provider name a host of an architecture without its own entry takes. */
  architecture: BoxArch;
  default_architecture: boolean;
}

interface Catalog {
  name: string;
  description: string;
  versions: { version: string; providers: CatalogProvider[] }[];
}

/**
 * Where an architecture's entry goes among the entries of one provider name: amd64 LAST. Vagrant
 * 2.4+ picks by `architecture` (then `default_architecture`) whatever the order; Vagrant before 2.4
 * reads no architecture and builds a Hash from [name, entry] pairs, so the LAST entry of a name wins
 * (Vagrant::BoxMetadata::Version#initialize, `Hash[@provider_map]`; checked with Debian's 2.3.4
 * and with 2.4.10's source, docs/arm64.md). amd64 last keeps those Vagrants on the amd64 box.
 */
export const CATALOG_ARCH_ORDER: readonly BoxArch[] = ['arm64', 'amd64'];

/**
 * Adds (or replaces) this provider and architecture's box in the folder's metadata.json catalog,
 * written atomically. Entries are sorted by provider name, then CATALOG_ARCH_ORDER. An entry from
 * an older catalog without `architecture` is amd64. amd64 entries are `default_architecture: true`
 * (what a Vagrant 2.4 host of another architecture falls back to), the others `false`.
 */
export function updateCatalog(outDir: string, version: string, entry: { name: string; url: string; checksum: string; architecture: BoxArch }): string {
  const file = join(outDir, 'metadata.json');
  const catalog: Catalog = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Catalog) : { name: BOX_NAME, description: 'gen-lab boxes: Debian 12 with cloud-init, built from Debian packages by `gen-lab box build`', versions: [] };
  let v = catalog.versions.find((x) => x.version === version);
  if (!v) catalog.versions.push((v = { version, providers: [] }));
  const arch = (p: { architecture?: string }): string => p.architecture ?? 'amd64';
  const mine = (p: CatalogProvider): boolean => p.name === entry.name && arch(p) === entry.architecture;
  const added: CatalogProvider = { name: entry.name, url: entry.url, checksum_type: 'sha256', checksum: entry.checksum, architecture: entry.architecture, default_architecture: entry.architecture === 'amd64' };
  const rank = (p: CatalogProvider): number => CATALOG_ARCH_ORDER.indexOf(arch(p) as BoxArch);
  v.providers = [
    ...v.providers.filter((p) => !mine(p)).map((p): CatalogProvider => (p.architecture ? p : { ...p, architecture: 'amd64', default_architecture: true })),
    added,
  ].sort((a, b) => (a.name !== b.name ? (a.name < b.name ? -1 : 1) : rank(a) - rank(b)));
  const tmp = `${file}.gen-lab-tmp`;
  writeFileSync(tmp, JSON.stringify(catalog, null, 2) + '\n');
  renameSync(tmp, file);
  return file;
}

function today(): string {
  const d = new Date();
  return `${d.getUTCFullYear()}.${d.getUTCMonth() + 1}.${d.getUTCDate()}`;
}

export async function buildBox(opts: BoxBuildOptions): Promise<{ boxes: string[]; catalog: string }> {
  const arch = opts.arch ?? 'amd64';
  const providers = [...new Set(opts.providers)].sort();
  checkProviders(providers, arch);
  if (arch === 'amd64') {
    requireRootAndTools('gen-lab box build', { debootstrap: 'debootstrap', unshare: 'util-linux', 'qemu-img': 'qemu-utils', 'grub-mkimage': 'grub-pc-bin', sfdisk: 'fdisk', 'mkfs.ext4': 'e2fsprogs', tar: 'tar' });
    if (!existsSync('/usr/lib/grub/i386-pc/boot.img')) throw new BuildError('gen-lab box build needs GRUB for BIOS: apt-get install grub-pc-bin');
  } else {
    // GRUB's arm64 EFI modules come from Debian's grub-efi-arm64-bin (an arm64-only package), fetched
    // inside the new system; the host's grub-mkstandalone (grub-common) packs them.
    requireRootAndTools(`gen-lab box build --arch ${arch}`, { debootstrap: 'debootstrap', unshare: 'util-linux', 'qemu-img': 'qemu-utils', 'grub-mkstandalone': 'grub-common', sfdisk: 'fdisk', 'mkfs.ext4': 'e2fsprogs', 'mkfs.vfat': 'dosfstools', mcopy: 'mtools', 'dpkg-deb': 'dpkg', tar: 'tar', ...archTools(arch) });
  }
  const outDir = resolve(opts.outDir);
  const boxes = providers.map((p) => join(outDir, boxFileName(p, arch)));
  const script = boxScript(TemplateSet.withOverrides(opts.templates ?? []), providers, opts.proxy, vagrantPublicKey(), arch);
  await runBuild(script, boxes, `gen-lab box build (${providers.join(', ')}, ${arch})`);
  const base = opts.baseUrl ?? pathToFileURL(outDir + '/').href;
  const version = opts.version ?? today();
  let catalog = '';
  for (const [i, provider] of providers.entries()) {
    const box = boxes[i] as string;
    process.stdout.write(`gen-lab box build: sha256 of ${basename(box)}...\n`);
    const checksum = await sha256(box);
    catalog = updateCatalog(outDir, version, { name: provider, url: new URL(basename(box), base.endsWith('/') ? base : base + '/').href, checksum, architecture: arch });
    process.stdout.write(`gen-lab box build: ${BOX_NAME} ${version} for ${provider} (${arch}) in ${catalog} (sha256 ${checksum})\n`);
  }
  return { boxes, catalog };
}
