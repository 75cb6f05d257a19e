// `gen-lab image build`: an LXD container image of the Debian family with every lab daemon
// installed, so containers start without an image server or package mirror (a classroom with poor
// Internet, or the boot suite). Alpine images come from images:alpine/...: their packages are not
// Debian's, and gen-lab builds from Debian's archive only.
import { join, resolve } from 'node:path';
import { DAEMON_IDS, IMAGE_FAMILIES, ROLE_DAEMONS, rolePackages } from '../families/images.js';
import { BOX_FAMILIES } from '../families/boxes.js';
import { TemplateSet } from '../4-emit/templates.js';
import { BuildError, requireRootAndTools, runBuild } from './run-build.js';
import { archTools, buildLib, BUILD_ARCHES, MACHINE_OF, type BuildArch } from './build-lib.js';

export const IMAGE_FILE = 'gen-lab-debian12.tar.gz';

export interface ImageBuildOptions {
  family: string;
  outDir: string;
  /** HTTP proxy for every download, e.g. a local apt-cacher-ng (http://127.0.0.1:3142). */
  proxy?: string;
  templates?: string[];
  /** Debian architecture of the image (default amd64); the file name is the same for every one. */
  arch?: BuildArch;
}

/** Architectures `gen-lab image build --arch` accepts. */
export const IMAGE_ARCHES = BUILD_ARCHES;

export function imageScript(templates: TemplateSet, proxy: string | undefined, arch: BuildArch = 'amd64'): string {
  const family = IMAGE_FAMILIES.debian;
  const suite = (BOX_FAMILIES.debian12.build as { suite: string }).suite;
  const packages = [...new Set((Object.keys(ROLE_DAEMONS) as (keyof typeof ROLE_DAEMONS)[]).flatMap((role) => rolePackages(family, role)))].sort();
  return templates.render('build/image-debian.sh.hbs', {
    provenance: 'Built by gen-lab image build.',
    lib: buildLib(templates, suite, proxy, arch),
    suite,
    arch,
    machine: MACHINE_OF[arch],
    packages,
    services: DAEMON_IDS.map((d) => family.daemons[d].service),
    creationDate: Math.floor(Date.now() / 1000),
    description: `gen-lab Debian ${suite}${arch === 'amd64' ? '' : ` (${arch})`}: ${packages.join(' ')}`,
  });
}

export async function buildImage(opts: ImageBuildOptions): Promise<string> {
  if (opts.family !== 'debian') throw new BuildError(`gen-lab builds Debian-family images only (asked: ${opts.family}); Alpine containers use images:alpine/... from LXD's image server`);
  const arch = opts.arch ?? 'amd64';
  if (!(IMAGE_ARCHES as readonly string[]).includes(arch)) throw new BuildError(`gen-lab builds images for ${IMAGE_ARCHES.join(' and ')} only (asked: ${arch})`);
  requireRootAndTools('gen-lab image build', { debootstrap: 'debootstrap', unshare: 'util-linux', tar: 'tar', chroot: 'coreutils', ...archTools(arch) });
  const output = resolve(join(opts.outDir, IMAGE_FILE));
  const script = imageScript(TemplateSet.withOverrides(opts.templates ?? []), opts.proxy, arch);
  await runBuild(script, output, `gen-lab image build${arch === 'amd64' ? '' : ` (${arch})`}`);
  return output;
}
