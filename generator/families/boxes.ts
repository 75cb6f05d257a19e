// What gen-lab knows about a Vagrant box: the distribution inside it decides how a host VM gets LXD
// and which packages every VM installs. A box is known by its family, given in the spec or read from
// a name gen-lab recognises; an unknown one is refused (the lab would fail at boot, not here).

export const BOX_FAMILY_IDS = ['ubuntu', 'debian12'] as const;
export type BoxFamilyId = (typeof BOX_FAMILY_IDS)[number];

export interface BoxFamily {
  id: BoxFamilyId;
  title: string;
  /** Distribution packages every lab VM installs at first boot. */
  packages: string[];
  /** How host VMs get LXD: the snap (Ubuntu) or the distribution's own package (Debian 12: LXD 5.0). */
  lxd: { source: 'snap'; snap: string } | { source: 'apt'; packages: string[] };
  /** systemd units of the LXD daemon: gen-lab-containers.service starts after them. */
  lxdUnits: string[];
  /** Where the lxc and lxd commands live (cloud-init's runcmd PATH lacks /snap/bin). */
  lxdBin: string;
  /** How `gen-lab box build` makes a box of this family from distribution packages, if it can:
   * `packages` go into every box, `kernel` is the kernel package of each architecture. */
  build?: { suite: string; packages: string[]; kernel: { amd64: string; arm64: string } };
}

const COMMON_VM_PACKAGES = ['curl', 'iproute2', 'tcpdump'];

export const BOX_FAMILIES: Record<BoxFamilyId, BoxFamily> = {
  ubuntu: {
    id: 'ubuntu',
    title: 'Ubuntu (LXD from the snap)',
    packages: COMMON_VM_PACKAGES,
    lxd: { source: 'snap', snap: 'lxd' },
    lxdUnits: ['snap.lxd.daemon.service'],
    lxdBin: '/snap/bin',
  },
  debian12: {
    id: 'debian12',
    title: 'Debian 12 (LXD 5.0 from Debian)',
    packages: COMMON_VM_PACKAGES,
    // LXD's managed bridge (the install network) needs dnsmasq and a firewall tool (nftables, else
    // it fails with "Failed clearing firewall"); Debian only recommends the one and not the other.
    lxd: { source: 'apt', packages: ['lxd', 'lxd-client', 'dnsmasq-base', 'nftables'] },
    lxdUnits: ['lxd.service', 'lxd.socket'],
    lxdBin: '/usr/bin',
    build: {
      suite: 'bookworm',
      // A bootable system with cloud-init, ssh and sudo for Vagrant; python3-cffi-backend because
      // debootstrap resolves no virtual packages; locales, or cloud-init ends in error (FACTS).
      packages: [
        'initramfs-tools', 'systemd-sysv', 'udev', 'dbus', 'kmod', 'e2fsprogs',
        'openssh-server', 'sudo', 'cloud-init', 'python3-cffi-backend', 'locales',
        'ifupdown', 'isc-dhcp-client', 'netbase', 'iproute2', 'iputils-ping', 'procps', 'curl', 'tcpdump',
      ],
      kernel: { amd64: 'linux-image-amd64', arm64: 'linux-image-arm64' },
    },
  },
};

/** Box names whose family gen-lab knows without being told. */
const KNOWN_BOXES: [RegExp, BoxFamilyId][] = [
  [/^(bento|boxen)\/ubuntu-(2[2-9]|[3-9][0-9])\.04$/, 'ubuntu'],
  [/^ubuntu\/(jammy|noble|resolute)64$/, 'ubuntu'],
  [/^generic\/ubuntu(2[2-9]|[3-9][0-9])04$/, 'ubuntu'],
  [/^(bento|boxen)\/debian-12(\.[0-9]+)?$/, 'debian12'],
  [/^debian\/bookworm64$/, 'debian12'],
  [/^generic\/debian12$/, 'debian12'],
  [/^gen-lab\/debian12$/, 'debian12'],
];

export function knownBoxFamily(box: string): BoxFamilyId | undefined {
  return KNOWN_BOXES.find(([re]) => re.test(box))?.[1];
}

/** The family of a VM's box: the one the spec declares, else the one its name implies. */
export function boxFamilyId(box: string, declared: BoxFamilyId | undefined): BoxFamilyId | undefined {
  return declared ?? knownBoxFamily(box);
}

/** gen-lab's own boxes (`gen-lab box build`) are named gen-lab/<family>: they carry their family's
 * packages and container manager, and come from a catalog gen-lab wrote, never from the registry. */
export const isGenLabBox = (box: string): boolean => box.startsWith('gen-lab/');
