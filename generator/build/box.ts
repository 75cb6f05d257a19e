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
import { buildLib } from './build-lib.js';

export const BOX_NAME = 'gen-lab/debian12';
export const BOX_PROVIDERS = ['libvirt', 'virtualbox'] as const;
export type BoxProvider = (typeof BOX_PROVIDERS)[number];
const DISK_GIB = 8;
const ROOT_LABEL = 'gen-lab-root';

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

export function boxFileName(provider: BoxProvider): string {
  return `${BOX_PREFIX}-${provider}.box`;
}

export function boxScript(templates: TemplateSet, providers: BoxProvider[], proxy: string | undefined, key: string): string {
  const build = BOX_FAMILIES.debian12.build as { suite: string; packages: string[] };
  const provenance = `Built by gen-lab ${generatorVersion} box build.`;
  return templates.render('build/box-debian12.sh.hbs', {
    provenance,
    lib: buildLib(templates, build.suite, proxy),
    providers,
    boxPrefix: BOX_PREFIX,
    suite: build.suite,
    packages: build.packages,
    familyPackages: BOX_FAMILIES.debian12.lxd.source === 'apt' ? BOX_FAMILIES.debian12.lxd.packages : [],
    vagrantKey: key,
    rootLabel: ROOT_LABEL,
    diskGiB: DISK_GIB,
    ovf: providers.includes('virtualbox') ? templates.render('build/virtualbox.ovf.hbs', { provenance, name: 'gen-lab-debian12', description: `${BOX_NAME}: Debian ${build.suite} with cloud-init`, diskBytes: DISK_GIB * 1024 ** 3 }).trimEnd() : '',
    boxVagrantfile: templates.render('build/box-Vagrantfile.hbs', { provenance }).trimEnd(),
  });
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

interface Catalog {
  name: string;
  description: string;
  versions: { version: string; providers: { name: string; url: string; checksum_type: string; checksum: string }[] }[];
}

/** Adds (or replaces) this provider's box in the folder's metadata.json catalog, written atomically. */
export function updateCatalog(outDir: string, version: string, entry: { name: string; url: string; checksum: string }): string {
  const file = join(outDir, 'metadata.json');
  const catalog: Catalog = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Catalog) : { name: BOX_NAME, description: 'gen-lab boxes: Debian 12 with cloud-init, built from Debian packages by `gen-lab box build`', versions: [] };
  let v = catalog.versions.find((x) => x.version === version);
  if (!v) catalog.versions.push((v = { version, providers: [] }));
  v.providers = [...v.providers.filter((p) => p.name !== entry.name), { name: entry.name, url: entry.url, checksum_type: 'sha256', checksum: entry.checksum }].sort((a, b) => (a.name < b.name ? -1 : 1));
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
  requireRootAndTools('gen-lab box build', { debootstrap: 'debootstrap', unshare: 'util-linux', 'qemu-img': 'qemu-utils', 'grub-mkimage': 'grub-pc-bin', sfdisk: 'fdisk', 'mkfs.ext4': 'e2fsprogs', tar: 'tar' });
  if (!existsSync('/usr/lib/grub/i386-pc/boot.img')) throw new BuildError('gen-lab box build needs GRUB for BIOS: apt-get install grub-pc-bin');
  const outDir = resolve(opts.outDir);
  const providers = [...new Set(opts.providers)].sort();
  const boxes = providers.map((p) => join(outDir, boxFileName(p)));
  const script = boxScript(TemplateSet.withOverrides(opts.templates ?? []), providers, opts.proxy, vagrantPublicKey());
  await runBuild(script, boxes, `gen-lab box build (${providers.join(', ')})`);
  const base = opts.baseUrl ?? pathToFileURL(outDir + '/').href;
  const version = opts.version ?? today();
  let catalog = '';
  for (const [i, provider] of providers.entries()) {
    const box = boxes[i] as string;
    process.stdout.write(`gen-lab box build: sha256 of ${basename(box)}...\n`);
    const checksum = await sha256(box);
    catalog = updateCatalog(outDir, version, { name: provider, url: new URL(basename(box), base.endsWith('/') ? base : base + '/').href, checksum });
    process.stdout.write(`gen-lab box build: ${BOX_NAME} ${version} for ${provider} in ${catalog} (sha256 ${checksum})\n`);
  }
  return { boxes, catalog };
}
