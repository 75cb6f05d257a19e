// A throwaway LXD daemon as judge of the generated LXD files. It runs inside its own network
// namespace, so every bridge, veth, firewall rule and dnsmasq it creates lives and dies there: the
// root namespace is never touched. A dummy proxy on a closed loopback port stops LXD from calling
// an image server at start (FACTS).
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian package of each command the harness needs, for the failure message. */
const TOOLS: Record<string, string> = {
  lxd: 'lxd', lxc: 'lxd-client', ip: 'iproute2', bridge: 'iproute2', busybox: 'busybox-static', tar: 'tar', nft: 'nftables', dnsmasq: 'dnsmasq-base',
};

export function missingTools(): string[] {
  return Object.entries(TOOLS)
    .filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0)
    .map(([cmd, pkg]) => `${cmd} (Debian package ${pkg})`);
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function result(r: SpawnSyncReturns<string>): Run {
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

export class LxdDaemon {
  readonly netns: string;
  readonly dir: string;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(netns: string, dir: string) {
    this.netns = netns;
    this.dir = dir;
    this.env = { ...process.env, LXD_DIR: dir, http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', no_proxy: '' };
  }

  static start(tag: string): LxdDaemon {
    const netns = `genlab-lxd-${process.pid}-${tag}`.slice(0, 40);
    const dir = mkdtempSync(join(tmpdir(), 'gen-lab-lxd-'));
    chmodSync(dir, 0o711);
    const add = spawnSync('ip', ['netns', 'add', netns], { encoding: 'utf8' });
    if (add.status !== 0) throw new Error(`ip netns add ${netns}: ${add.stderr}`);
    const d = new LxdDaemon(netns, dir);
    d.ip('link', 'set', 'lo', 'up');
    const child = spawn('ip', ['netns', 'exec', netns, 'lxd', '--group', 'lxd', '--logfile', join(dir, 'lxd.log')], { env: d.env, stdio: 'ignore', detached: true });
    child.unref();
    const ready = d.run('lxd', ['waitready', '--timeout', '60']);
    if (ready.status !== 0) {
      d.stop();
      throw new Error(`LXD did not start: ${ready.stderr}`);
    }
    return d;
  }

  /** A command with this daemon's LXD_DIR, run inside its namespace. */
  run(cmd: string, args: string[], input?: string): Run {
    return result(spawnSync('ip', ['netns', 'exec', this.netns, cmd, ...args], { env: this.env, encoding: 'utf8', input, timeout: 120_000 }));
  }

  lxc(...args: string[]): Run {
    return this.run('lxc', args);
  }

  ip(...args: string[]): Run {
    return result(spawnSync('ip', ['-n', this.netns, ...args], { encoding: 'utf8' }));
  }

  /** A bridge the profiles name, created inside the daemon's namespace only. */
  addBridge(name: string): void {
    const r = this.ip('link', 'add', name, 'type', 'bridge');
    if (r.status !== 0) throw new Error(`bridge ${name}: ${r.stderr}`);
    this.ip('link', 'set', name, 'up');
  }

  /** Ports of each bridge in the namespace, by bridge name. */
  bridgePorts(): Map<string, string[]> {
    const r = this.run('bridge', ['-j', 'link', 'show']);
    const ports = new Map<string, string[]>();
    for (const p of JSON.parse(r.stdout || '[]') as { ifname: string; master?: string }[]) {
      if (!p.master) continue;
      ports.set(p.master, [...(ports.get(p.master) ?? []), p.ifname].sort());
    }
    return ports;
  }

  stop(): void {
    this.run('lxd', ['shutdown', '--timeout', '30']);
    const pids = spawnSync('ip', ['netns', 'pids', this.netns], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', this.netns]);
    spawnSync('sh', ['-c', `umount -l ${this.dir}/shmounts ${this.dir}/devlxd 2>/dev/null; true`]);
    rmSync(this.dir, { recursive: true, force: true });
    removeEmptyPivotCgroups();
  }
}

/** liblxc may leave empty lxc.pivot cgroup folders behind (FACTS). */
function removeEmptyPivotCgroups(): void {
  const root = '/sys/fs/cgroup';
  if (!existsSync(root)) return;
  for (const c of readdirSync(root)) {
    const pivot = join(root, c, 'lxc.pivot');
    try {
      if (existsSync(pivot)) rmdirSync(pivot);
    } catch {
      // not empty or not ours: leave it
    }
  }
}

/** A ~1 MB unified image: busybox-static as the whole rootfs, so a container can start without any server. */
export function buildBusyboxImage(dir: string): string {
  const root = join(dir, 'image');
  const rootfs = join(root, 'rootfs');
  for (const d of ['bin', 'sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'root']) mkdirSync(join(rootfs, d), { recursive: true });
  const copy = spawnSync('cp', ['/bin/busybox', join(rootfs, 'bin', 'busybox')]);
  if (copy.status !== 0) throw new Error('cannot copy /bin/busybox (Debian package busybox-static)');
  for (const applet of ['sh', 'ip', 'sleep', 'cat', 'ls', 'true']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  symlinkSync('../bin/busybox', join(rootfs, 'sbin', 'init'));
  writeFileSync(join(rootfs, 'etc', 'inittab'), '::respawn:/bin/sleep 3600\n');
  writeFileSync(join(root, 'metadata.yaml'), 'architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  description: gen-lab test busybox\n  os: busybox\n');
  const tarball = join(dir, 'busybox-image.tar.gz');
  const tar = spawnSync('tar', ['-C', root, '-czf', tarball, 'metadata.yaml', 'rootfs']);
  if (tar.status !== 0) throw new Error('tar failed');
  return tarball;
}

/**
 * The busybox image playing Alpine for containers.sh: apk and rc-update are recorders (no package
 * server is reachable here), udhcpc is busybox's own and gets a real lease from LXD's dnsmasq.
 */
export function buildAlpineStandInImage(dir: string): string {
  buildBusyboxImage(dir);
  const root = join(dir, 'image');
  const rootfs = join(root, 'rootfs');
  for (const d of ['etc/init.d', 'etc/network', 'usr/share/udhcpc']) mkdirSync(join(rootfs, d), { recursive: true });
  for (const applet of ['udhcpc', 'chmod', 'printf', 'mkdir', 'echo', 'sed', 'rm', 'env']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  const script = (path: string, body: string) => {
    writeFileSync(join(rootfs, path), `#!/bin/sh\n${body}\n`);
    chmodSync(join(rootfs, path), 0o755);
  };
  script('sbin/apk', 'echo "apk $*" >>/stand-in.log\n# The stand-in image has no packages: "apk info -e" reports them missing.\n[ "$1" != info ]');
  script('sbin/rc-update', 'echo "rc-update $*" >>/stand-in.log');
  script('usr/share/udhcpc/default.script', '[ "$1" = bound ] && ip addr add "$ip/$mask" dev "$interface"\nexit 0');
  const tarball = join(dir, 'alpine-stand-in.tar.gz');
  const tar = spawnSync('tar', ['-C', root, '-czf', tarball, 'metadata.yaml', 'rootfs']);
  if (tar.status !== 0) throw new Error('tar failed');
  return tarball;
}
