// What the arm64 proof (test/arm64.test.ts) boots: the arm64 VirtualBox box and the arm64 container
// image gen-lab builds (or reuses from GEN_LAB_CACHE/arm64 while their build scripts are unchanged),
// the reference lab generated for the debian12 box family with the local image, and one VM of it
// (host2) under qemu-system-aarch64 on the hardware the box's OVF declares, with UEFI firmware.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { boxFileName, boxScript, vagrantPublicKey } from '../../generator/build/box.js';
import { IMAGE_FILE, imageScript } from '../../generator/build/image.js';
import { TemplateSet } from '../../generator/4-emit/templates.js';
import { cliPath, repoRoot } from './cli.js';

/** The package proxy the builds go through; part of the build scripts, so of their cache keys. */
export const ARM64_PROXY_PORT = 3142;
export const ARM64_PROXY = `http://127.0.0.1:${ARM64_PROXY_PORT}`;
export const AAVMF_CODE = '/usr/share/AAVMF/AAVMF_CODE.fd';
export const AAVMF_VARS = '/usr/share/AAVMF/AAVMF_VARS.fd';
const RUN_DIR = '/run/gen-lab-arm64';

export interface Built {
  file: string;
  reused: boolean;
  seconds: number;
}

/** Hash of what decides a build's result: the rendered script minus its volatile timestamp. */
export function buildKey(script: string): string {
  return createHash('sha256').update(script.replace(/^creation_date: .*$/m, '')).digest('hex').slice(0, 16);
}

export function arm64Keys(): { box: string; image: string } {
  const templates = TemplateSet.withOverrides([]);
  return {
    box: buildKey(boxScript(templates, ['virtualbox'], ARM64_PROXY, vagrantPublicKey(), 'arm64')),
    image: buildKey(imageScript(templates, ARM64_PROXY, 'arm64')),
  };
}

export const arm64Box = (cacheDir: string) => join(cacheDir, 'arm64', 'boxes', boxFileName('virtualbox', 'arm64'));
export const arm64Image = (cacheDir: string) => join(cacheDir, 'arm64', 'images', IMAGE_FILE);

/** Marks a file as built from the script with this key (what a later run compares). */
export function stamp(file: string, key: string): void {
  writeFileSync(`${file}.key`, key + '\n');
}

export async function cached(file: string, key: string, build: () => Promise<number | null>): Promise<Built> {
  const keyFile = `${file}.key`;
  if (existsSync(file) && existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim() === key) return { file, reused: true, seconds: 0 };
  rmSync(keyFile, { force: true });
  const t0 = Date.now();
  const status = await build();
  if (status !== 0 || !existsSync(file)) throw new Error(`building ${file} failed (exit ${status})`);
  stamp(file, key);
  return { file, reused: false, seconds: (Date.now() - t0) / 1000 };
}

/** Runs a command, its output echoed with a prefix; resolves with its exit status. */
export function run(label: string, cmd: string, args: string[], timeoutS: number, opts: { cwd?: string } = {}): Promise<{ status: number | null; out: string; seconds: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const write = (d: Buffer) => {
      out += String(d);
      for (const line of String(d).split('\n')) if (line.trim()) process.stdout.write(`  [${label}] ${line}\n`);
    };
    child.stdout.on('data', write);
    child.stderr.on('data', write);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutS * 1000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

export function gen(args: string[], label: string, timeoutS: number) {
  return run(label, process.execPath, [cliPath, ...args], timeoutS);
}

/**
 * apt-cacher-ng on 127.0.0.1 for Debian's archive only (ForceManaged: every other host gets 403),
 * with the package cache the boot suite uses. Only a build needs it: guests reach nothing.
 */
export async function startProxy(cacheDir: string): Promise<() => void> {
  const acng = join(cacheDir, 'apt-cacher-ng');
  const conf = join(acng, 'conf');
  for (const d of [join(acng, 'cache'), join(acng, 'log'), conf, RUN_DIR]) mkdirSync(d, { recursive: true });
  writeFileSync(join(conf, 'backends_debian'), 'http://deb.debian.org/debian/\n');
  writeFileSync(join(conf, 'backends_security'), 'http://deb.debian.org/debian-security/\n');
  writeFileSync(
    join(conf, 'acng.conf'),
    [
      "# gen-lab arm64 proof: Debian's archive only; ForceManaged refuses every other host.",
      'Remap-debrep: deb.debian.org/debian /debian ; file:backends_debian',
      'Remap-secdeb: deb.debian.org/debian-security security.debian.org/debian-security /debian-security ; file:backends_security',
      'ForceManaged: 1',
      'ExThreshold: 30',
      '',
    ].join('\n'),
  );
  const probe = () => spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${ARM64_PROXY}/acng-report.html`], { encoding: 'utf8' }).stdout.trim();
  if (probe() !== '000') throw new Error(`something already listens on 127.0.0.1:${ARM64_PROXY_PORT}: stop it (the builds' cache keys name this proxy)`);
  const child = spawn(
    'apt-cacher-ng',
    ['-c', conf, 'ForeGround=1', 'BindAddress=127.0.0.1', `Port=${ARM64_PROXY_PORT}`, `CacheDir=${join(acng, 'cache')}`, `LogDir=${join(acng, 'log')}`, `PidFile=${join(RUN_DIR, 'acng.pid')}`, `SocketPath=${join(RUN_DIR, 'acng.socket')}`, 'SupportDir=/usr/lib/apt-cacher-ng'],
    { stdio: 'ignore', detached: true },
  );
  child.unref();
  for (let i = 0; i < 40 && probe() === '000'; i++) await new Promise((r) => setTimeout(r, 500));
  if (probe() === '000') throw new Error('apt-cacher-ng did not start');
  return () => {
    try {
      if (child.pid) process.kill(child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The reference spec for the debian12 box family with the local Debian image, as a course would use them. */
export function generateLab(dir: string): { specHash: string; labNics: { mac: string; name: string }[] } {
  rmSync(dir, { recursive: true, force: true });
  const spec = JSON.parse(readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8')) as { defaults?: Record<string, unknown> };
  spec.defaults = { ...spec.defaults, box: 'gen-lab/debian12', image: `images/${IMAGE_FILE}` };
  const specFile = `${dir}.json`;
  writeFileSync(specFile, JSON.stringify(spec, null, 2));
  const r = spawnSync(process.execPath, [cliPath, specFile, '-o', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gen-lab failed: ${r.stderr}`);
  const containersSh = readFileSync(join(dir, 'vms', 'host2', 'containers.sh'), 'utf8');
  const specHash = /^SPEC_HASH='([0-9a-f]+)'/m.exec(containersSh)?.[1] ?? '';
  // The lab NICs network.sh looks for, by MAC (Vagrant gives them these MACs).
  const networkSh = readFileSync(join(dir, 'vms', 'host2', 'network.sh'), 'utf8');
  const labNics = [...networkSh.matchAll(/^\s*rename_nic '([0-9a-f:]+)' '([^']+)'/gm)].map((m) => ({ mac: m[1] as string, name: m[2] as string }));
  return { specHash, labNics };
}

/** The OVF's storage controller and NIC, as qemu devices (what VirtualBox would give the guest). */
export function qemuHardware(ovf: string): { disk: string; nic: string; said: string } {
  const sub = (type: number) => [...ovf.matchAll(/<Item>([\s\S]*?)<\/Item>/g)].map((m) => m[1] as string).filter((i) => new RegExp(`<rasd:ResourceType>${type}</rasd:ResourceType>`).test(i)).map((i) => /<rasd:ResourceSubType>([^<]+)</.exec(i)?.[1] ?? '')[0] ?? '';
  const controller = sub(20) || sub(6) || sub(5);
  const nicType = sub(10);
  const disk = /virtio-?scsi/i.test(controller) ? 'virtio-scsi' : /ahci/i.test(controller) ? 'ahci' : 'virtio-scsi';
  const nic = /^e1000$/i.test(nicType) ? 'e1000' : 'virtio-net-pci';
  return { disk, nic, said: `OVF: controller ${controller || '?'}, NIC ${nicType || '?'} -> qemu: ${disk === 'ahci' ? 'ahci + ide-hd/ide-cd' : 'virtio-scsi-pci + scsi-hd/scsi-cd'}, ${nic}` };
}

/** One arm64 VM under qemu-system-aarch64 (TCG) with AAVMF UEFI, reached over SSH on a forwarded port. */
export class Arm64Guest {
  private child?: ChildProcess;
  readonly console: string;
  readonly key: string;
  exited?: number | null;

  constructor(
    readonly work: string,
    readonly port: number,
  ) {
    this.console = join(work, 'console.log');
    // ssh refuses a private key others can read: a copy of Vagrant's insecure key, mode 0600.
    this.key = join(work, 'vagrant-key');
    const gems = '/usr/share/rubygems-integration/all/gems';
    const gem = spawnSync('sh', ['-c', `ls -d ${gems}/vagrant-[0-9]*/keys/vagrant | sort -V | tail -n 1`], { encoding: 'utf8' }).stdout.trim();
    if (!gem) throw new Error("Vagrant's insecure private key was not found (install vagrant)");
    copyFileSync(gem, this.key);
    chmodSync(this.key, 0o600);
  }

  start(disk: string, seedIso: string, hw: { disk: string; nic: string }, labMacs: string[]): string[] {
    const vars = join(this.work, 'AAVMF_VARS.fd');
    copyFileSync(AAVMF_VARS, vars);
    const args = [
      '-M', 'virt', '-cpu', 'max', '-m', '2048', '-smp', '2', '-accel', 'tcg',
      '-nographic', '-monitor', 'none', '-serial', `file:${this.console}`,
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${AAVMF_CODE}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${vars}`,
      ...(hw.disk === 'ahci'
        ? ['-device', 'ahci,id=ctl', '-drive', `file=${disk},if=none,id=disk0,format=qcow2`, '-device', 'ide-hd,drive=disk0,bus=ctl.0', '-drive', `file=${seedIso},if=none,id=cd0,media=cdrom,readonly=on`, '-device', 'ide-cd,drive=cd0,bus=ctl.1']
        : ['-device', 'virtio-scsi-pci,id=ctl', '-drive', `file=${disk},if=none,id=disk0,format=qcow2`, '-device', 'scsi-hd,drive=disk0,bus=ctl.0', '-drive', `file=${seedIso},if=none,id=cd0,media=cdrom,readonly=on`, '-device', 'scsi-cd,drive=cd0,bus=ctl.0']),
      // Vagrant's NAT NIC: reaches nothing (restrict=on), SSH forwarded to 127.0.0.1 only.
      '-netdev', `user,id=nat,restrict=on,hostfwd=tcp:127.0.0.1:${this.port}-:22`, '-device', `${hw.nic},netdev=nat`,
      // The lab NICs, by MAC, each on a hub of its own with nothing else on it.
      ...labMacs.flatMap((mac, i) => ['-netdev', `hubport,id=lab${i},hubid=${i + 1}`, '-device', `${hw.nic},netdev=lab${i},mac=${mac}`]),
    ];
    this.child = spawn('qemu-system-aarch64', args, { cwd: this.work, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    this.child.stderr?.on('data', (d) => (err += String(d)));
    this.child.on('exit', (code) => {
      this.exited = code;
      if (code) process.stdout.write(`  [qemu] exited ${code}: ${err.trim()}\n`);
    });
    return args;
  }

  get running(): boolean {
    return this.child !== undefined && this.exited === undefined;
  }

  private sshArgs(): string[] {
    return ['-i', this.key, '-p', String(this.port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10', '-o', 'BatchMode=yes', '-o', 'ControlMaster=auto', '-o', `ControlPath=${join(this.work, 'ssh-%r@%h:%p')}`, '-o', 'ControlPersist=600', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=8'];
  }

  ssh(label: string, command: string, timeoutS: number) {
    return run(label, 'ssh', [...this.sshArgs(), 'vagrant@127.0.0.1', command], timeoutS);
  }

  /** Quiet SSH for polling: status and output only. */
  sshQuiet(command: string, timeoutS = 60): { status: number | null; out: string } {
    const r = spawnSync('ssh', [...this.sshArgs(), 'vagrant@127.0.0.1', command], { encoding: 'utf8', timeout: timeoutS * 1000 });
    return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  }

  scp(label: string, from: string, to: string, timeoutS: number) {
    const args = this.sshArgs().map((a) => (a === '-p' ? '-P' : a));
    return run(label, 'scp', ['-q', ...args, from, `vagrant@127.0.0.1:${to}`], timeoutS);
  }

  async waitForSsh(timeoutS: number): Promise<number> {
    const t0 = Date.now();
    while ((Date.now() - t0) / 1000 < timeoutS) {
      if (!this.running) throw new Error(`qemu exited (${this.exited}) before SSH answered; console tail:\n${this.consoleTail()}`);
      if (this.sshQuiet('true', 30).status === 0) return (Date.now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 10_000));
    }
    throw new Error(`no SSH after ${timeoutS} s; console tail:\n${this.consoleTail()}`);
  }

  consoleTail(lines = 40): string {
    return existsSync(this.console) ? readFileSync(this.console, 'utf8').split('\n').slice(-lines).join('\n') : '(no console output)';
  }

  async stop(timeoutS = 180): Promise<number> {
    const t0 = Date.now();
    if (!this.running) return 0;
    this.sshQuiet('sudo systemctl poweroff', 30);
    while (this.running && (Date.now() - t0) / 1000 < timeoutS) await new Promise((r) => setTimeout(r, 2000));
    if (this.running) this.child?.kill('SIGKILL');
    spawnSync('ssh', [...this.sshArgs(), '-O', 'exit', 'vagrant@127.0.0.1'], { stdio: 'ignore', timeout: 10_000 });
    return (Date.now() - t0) / 1000;
  }

  kill(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }
}
