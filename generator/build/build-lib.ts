// What the box and image builders share: Debian's archive, the optional package proxy they reach it
// through, and their shell library.
import type { TemplateSet } from '../4-emit/templates.js';

/** The archive every built system installs from, and keeps in its sources.list. */
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** Debian architectures gen-lab builds boxes and images for. */
export const BUILD_ARCHES = ['amd64', 'arm64'] as const;
export type BuildArch = (typeof BUILD_ARCHES)[number];

/** The kernel's and qemu's name of each Debian architecture (`uname -m`, LXD's image metadata). */
export const MACHINE_OF: Record<BuildArch, string> = { amd64: 'x86_64', arm64: 'aarch64' };

/**
 * The shell library, for one target architecture. amd64 renders as before (the build host's own
 * architecture, debootstrap without --arch); any other builds with `debootstrap --arch` and runs
 * its programs under qemu-user, registered with binfmt_misc when the host is not that architecture.
 */
export function buildLib(templates: TemplateSet, suite: string, proxy: string | undefined, arch: BuildArch = 'amd64'): string {
  return templates.render('build/lib.sh.hbs', { suite, mirror: DEBIAN_MIRROR, proxy: proxy ?? '', arch, foreignArch: arch !== 'amd64', qemuArch: MACHINE_OF[arch] }).trimEnd();
}

/** Tools a build for `arch` needs besides the common ones (qemu-user where the host differs). */
export function archTools(arch: BuildArch): Record<string, string> {
  return arch === 'amd64' ? {} : { [`qemu-${MACHINE_OF[arch]}-static`]: 'qemu-user-static' };
}
