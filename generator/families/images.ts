// What gen-lab knows about a container image: its package manager, its init system and where each
// daemon's packages, service and files live in it. The LXD adapter (containers.sh), the runners and
// the emulation read these facts from here and nowhere else.

export const IMAGE_FAMILY_IDS = ['alpine', 'debian'] as const;
export type ImageFamilyId = (typeof IMAGE_FAMILY_IDS)[number];

export const DAEMON_IDS = ['keepalived', 'haproxy', 'apache'] as const;
export type DaemonId = (typeof DAEMON_IDS)[number];

export interface DaemonFacts {
  /** Distribution packages that provide the daemon. */
  packages: string[];
  /** Service name for the init system. */
  service: string;
}

export interface ImageFamily {
  id: ImageFamilyId;
  title: string;
  packageManager: 'apk' | 'apt';
  init: 'openrc' | 'systemd';
  /** Tools every lab container gets: the handout's (ip, curl, tcpdump, ping); the checks use them too. */
  packages: string[];
  daemons: Record<DaemonId, DaemonFacts>;
  /** Where the files other emitters write for a container go inside it. */
  paths: {
    keepalivedConf: string;
    haproxyCfg: string;
    apacheFragment: string;
    docroot: string;
  };
}

export const IMAGE_FAMILIES: Record<ImageFamilyId, ImageFamily> = {
  alpine: {
    id: 'alpine',
    title: 'Alpine (apk, OpenRC)',
    packageManager: 'apk',
    init: 'openrc',
    packages: ['curl', 'iproute2', 'tcpdump'],
    daemons: {
      keepalived: { packages: ['keepalived'], service: 'keepalived' },
      haproxy: { packages: ['haproxy'], service: 'haproxy' },
      apache: { packages: ['apache2', 'php-apache2'], service: 'apache2' },
    },
    paths: {
      keepalivedConf: '/etc/keepalived/keepalived.conf',
      haproxyCfg: '/etc/haproxy/haproxy.cfg',
      apacheFragment: '/etc/apache2/conf.d/gen-lab.conf',
      docroot: '/var/www/localhost/htdocs',
    },
  },
  debian: {
    id: 'debian',
    title: 'Debian (apt, systemd)',
    packageManager: 'apt',
    init: 'systemd',
    // Debian's images have no ping (busybox gives Alpine's); checkpoint 4 pings from the balancers.
    packages: ['curl', 'iproute2', 'iputils-ping', 'tcpdump'],
    daemons: {
      keepalived: { packages: ['keepalived'], service: 'keepalived' },
      haproxy: { packages: ['haproxy'], service: 'haproxy' },
      apache: { packages: ['apache2', 'libapache2-mod-php'], service: 'apache2' },
    },
    paths: {
      keepalivedConf: '/etc/keepalived/keepalived.conf',
      haproxyCfg: '/etc/haproxy/haproxy.cfg',
      apacheFragment: '/etc/apache2/conf-enabled/gen-lab.conf',
      docroot: '/var/www/html',
    },
  },
};

/** Each daemon's files in a container's lab folder (containers/<name>/<file>) and where each goes
 *  inside the container; the first is the one the daemon is started from (-f in the emulation). */
export const DAEMON_FILES: Record<DaemonId, readonly { file: string; dest: (family: ImageFamily) => string }[]> = {
  keepalived: [{ file: 'keepalived.conf', dest: (f) => f.paths.keepalivedConf }],
  haproxy: [{ file: 'haproxy.cfg', dest: (f) => f.paths.haproxyCfg }],
  apache: [
    { file: 'apache-gen-lab.conf', dest: (f) => f.paths.apacheFragment },
    { file: 'index.php', dest: (f) => `${f.paths.docroot}/index.php` },
  ],
};
/** The daemon whose file this is (a lab-folder file name), if any. */
export const daemonOfFile = (file: string): DaemonId | undefined => DAEMON_IDS.find((d) => DAEMON_FILES[d].some((x) => x.file === file));
/** The file a daemon starts from. */
export const daemonConfigFile = (d: DaemonId): string => DAEMON_FILES[d][0]?.file ?? '';
/** containers/<container>/<file>: where the lab folder keeps a container's daemon file. */
export const containerFilePath = (container: string, file: string) => `containers/${container}/${file}`;

/** The daemons a container of each role runs. */
export const ROLE_DAEMONS: Record<'web' | 'balancer' | 'none', DaemonId[]> = {
  web: ['apache'],
  balancer: ['keepalived', 'haproxy'],
  none: [],
};

/** Every package a container of this role needs in this family, sorted. */
export function rolePackages(family: ImageFamily, role: keyof typeof ROLE_DAEMONS): string[] {
  return [...new Set([...family.packages, ...ROLE_DAEMONS[role].flatMap((d) => family.daemons[d].packages)])].sort();
}

/** Local image files ship in the lab folder's images/ folder; anything else is remote:alias. */
export const LOCAL_IMAGE_DIR = 'images';

export function isLocalImage(image: string): boolean {
  return image.startsWith(`${LOCAL_IMAGE_DIR}/`);
}

const KNOWN_IMAGES: [RegExp, ImageFamilyId][] = [
  [/^[a-z][a-z0-9-]*:alpine\//, 'alpine'],
  [/^[a-z][a-z0-9-]*:(debian|ubuntu)\//, 'debian'],
  [/^ubuntu(-daily|-minimal)?:/, 'debian'],
  [/^images\/[^/]*alpine[^/]*$/, 'alpine'],
  [/^images\/[^/]*(debian|ubuntu)[^/]*$/, 'debian'],
];

export function knownImageFamily(image: string): ImageFamilyId | undefined {
  return KNOWN_IMAGES.find(([re]) => re.test(image))?.[1];
}

export function imageFamilyId(image: string, declared: ImageFamilyId | undefined): ImageFamilyId | undefined {
  return declared ?? knownImageFamily(image);
}

/** LXD alias a local image file is imported under inside the VM: gen-lab/<file name without .tar*>. */
export function localImageAlias(image: string): string {
  const file = image.slice(LOCAL_IMAGE_DIR.length + 1);
  return `gen-lab/${file.replace(/\.tar(\.gz|\.xz)?$/, '')}`;
}
