// The world the boot suite runs Vagrant in: a network namespace of its own holding libvirtd and
// virtlogd (so libvirt's management network, its dnsmasq, every guest and every SSH connection live
// there), a veth to the root namespace where a local apt-cacher-ng is the only thing guests can
// reach (it fetches from Debian's archive and nothing else), a libvirt storage pool and a
// VAGRANT_HOME of its own. stop() takes all of it down again; leftovers() says what remains.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BOOT_NS = 'gen-lab-boot';
const VETH_ROOT = 'glboot-root';
const VETH_NS = 'glboot-ns';
/** A /30 of the documentation-free private range, only between the root namespace and ours. */
export const PROXY_ADDR = '10.254.77.1';
const NS_ADDR = '10.254.77.2';
export const PROXY_PORT = 3142;
const POOL = 'gen-lab-boot';
const RUN_DIR = '/run/gen-lab-boot';

export interface Step {
  status: number | null;
  out: string;
  seconds: number;
  /** Seconds from the start at which each line arrived. */
  lines: { t: number; text: string }[];
}

function sh(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 60_000, env: opts.env ?? process.env });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function must(what: string, r: { status: number | null; out: string }): string {
  if (r.status !== 0) throw new Error(`${what} failed (rc ${r.status}): ${r.out.trim()}`);
  return r.out;
}

const pidOf = (file: string) => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) || undefined : undefined);
const alive = (pid: number | undefined) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(what: string, seconds: number, ok: () => boolean): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`${what}: not ready after ${seconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export class BootEnv {
  private consoleTimer: NodeJS.Timeout | undefined;
  /** Process groups of the commands run() started: stop() ends them, a dying test leaves none. */
  private readonly running = new Set<number>();
  private readonly consoleReaders = new Map<string, import('node:child_process').ChildProcess>();
  readonly vagrantHome: string;
  readonly poolDir: string;
  /** A folder put first on the PATH of every Vagrant command (tools made to fail, say). */
  pathPrefix = '';
  private readonly acngDir: string;

  constructor(readonly cacheDir: string, readonly labName: string) {
    this.vagrantHome = join(cacheDir, 'vagrant.d');
    this.poolDir = join(cacheDir, 'pool');
    this.acngDir = join(cacheDir, 'apt-cacher-ng');
  }

  get proxyUrl(): string {
    return `http://${PROXY_ADDR}:${PROXY_PORT}`;
  }

  virsh(...args: string[]) {
    return sh('ip', ['netns', 'exec', BOOT_NS, 'virsh', '-q', '-c', 'qemu:///system', ...args]);
  }

  async start(): Promise<void> {
    this.stop();
    for (const d of [this.cacheDir, this.vagrantHome, this.poolDir, this.acngDir, RUN_DIR]) mkdirSync(d, { recursive: true });
    // libvirt's qemu user reads the pool and the lab folders through these.
    for (const d of [this.cacheDir, this.poolDir]) chmodSync(d, 0o755);
    must('ip netns add', sh('ip', ['netns', 'add', BOOT_NS]));
    must('lo up', sh('ip', ['-n', BOOT_NS, 'link', 'set', 'lo', 'up']));
    must('veth', sh('ip', ['link', 'add', VETH_ROOT, 'type', 'veth', 'peer', 'name', VETH_NS, 'netns', BOOT_NS]));
    must('root address', sh('ip', ['addr', 'add', `${PROXY_ADDR}/30`, 'dev', VETH_ROOT]));
    must('root up', sh('ip', ['link', 'set', VETH_ROOT, 'up']));
    must('ns address', sh('ip', ['-n', BOOT_NS, 'addr', 'add', `${NS_ADDR}/30`, 'dev', VETH_NS]));
    must('ns up', sh('ip', ['-n', BOOT_NS, 'link', 'set', VETH_NS, 'up']));
    // No DNS inside: nothing there has a name to look up, and nothing may reach a resolver.
    mkdirSync(`/etc/netns/${BOOT_NS}`, { recursive: true });
    writeFileSync(`/etc/netns/${BOOT_NS}/resolv.conf`, '# gen-lab boot suite: no DNS in this namespace\n');
    await this.startProxy();
    await this.startLibvirt();
    this.writeVagrantHome();
  }

  /** apt-cacher-ng in the root namespace, on the veth address only, for Debian's archive only. */
  private async startProxy(): Promise<void> {
    const conf = join(this.acngDir, 'conf');
    mkdirSync(join(this.acngDir, 'cache'), { recursive: true });
    mkdirSync(join(this.acngDir, 'log'), { recursive: true });
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'backends_debian'), 'http://deb.debian.org/debian/\n');
    writeFileSync(join(conf, 'backends_security'), 'http://deb.debian.org/debian-security/\n');
    writeFileSync(
      join(conf, 'acng.conf'),
      [
        '# gen-lab boot suite: Debian\'s archive only; ForceManaged refuses every other host.',
        'Remap-debrep: deb.debian.org/debian /debian ; file:backends_debian',
        'Remap-secdeb: deb.debian.org/debian-security security.debian.org/debian-security /debian-security ; file:backends_security',
        'ForceManaged: 1',
        'ExThreshold: 30',
        '',
      ].join('\n'),
    );
    const pidFile = join(RUN_DIR, 'apt-cacher-ng.pid');
    const child = spawn(
      'apt-cacher-ng',
      ['-c', conf, 'ForeGround=1', `BindAddress=${PROXY_ADDR}`, `Port=${PROXY_PORT}`, `CacheDir=${join(this.acngDir, 'cache')}`, `LogDir=${join(this.acngDir, 'log')}`, `PidFile=${pidFile}`, `SocketPath=${join(RUN_DIR, 'acng.socket')}`, 'SupportDir=/usr/lib/apt-cacher-ng'],
      { stdio: 'ignore', detached: true },
    );
    child.unref();
    writeFileSync(pidFile, String(child.pid));
    await waitFor('apt-cacher-ng', 20, () => sh('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${PROXY_ADDR}:${PROXY_PORT}/acng-report.html`]).out.trim() !== '000');
  }

  /**
   * libvirtd and virtlogd inside the namespace (no systemd here). /dev/kvm exists on this kind of
   * machine but is root-only and the CPU has no vmx/svm: libvirt then finds KVM usable when probing
   * qemu but not afterwards, throws its capability cache away on every call and spends ~60 s per
   * domain definition (measured). A copy of the device node the kvm group can open, bind-mounted in
   * libvirtd's own mount namespace, makes its view consistent; guests still run under TCG.
   */
  private async startLibvirt(): Promise<void> {
    let launch = 'exec libvirtd -d -p "$1"';
    if (existsSync('/dev/kvm')) {
      const node = join(RUN_DIR, 'kvm');
      rmSync(node, { force: true });
      must('mknod', sh('mknod', ['-m', '0660', node, 'c', '10', '232']));
      sh('chgrp', ['kvm', node]);
      launch = `mount --bind ${node} /dev/kvm && ${launch}`;
    }
    must('virtlogd', sh('ip', ['netns', 'exec', BOOT_NS, 'virtlogd', '-d', '-p', join(RUN_DIR, 'virtlogd.pid')]));
    must('libvirtd', sh('ip', ['netns', 'exec', BOOT_NS, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', launch, 'sh', join(RUN_DIR, 'libvirtd.pid')]));
    await waitFor('libvirtd', 60, () => this.virsh('list', '--all').status === 0);
    // libvirtd keeps pool definitions in /etc/libvirt/storage across runs (seen in CI: "pool
    // 'gen-lab-boot' already exists"): start from a clean definition every time.
    this.virsh('pool-destroy', POOL);
    this.virsh('pool-undefine', POOL);
    must('pool-define', this.virsh('pool-define-as', POOL, 'dir', '--target', this.poolDir));
    must('pool-start', this.virsh('pool-start', POOL));
  }

  /** Settings for this machine only: software emulation, our pool, no window, patient timeouts. */
  private writeVagrantHome(): void {
    writeFileSync(
      join(this.vagrantHome, 'Vagrantfile'),
      [
        '# gen-lab boot suite: this machine has no KVM (qemu runs guests under TCG) and 2 cores for 5 VMs.',
        'Vagrant.configure("2") do |config|',
        '  config.vm.boot_timeout = 1800',
        '  # The insecure key stays: replacing it costs minutes of SSH under TCG, in a namespace no one else reaches.',
        '  config.ssh.insert_key = false',
        '  config.vm.provider :libvirt do |lv|',
        '    lv.driver = "qemu"',
        `    lv.storage_pool_name = "${POOL}"`,
        '    lv.graphics_type = "none"',
        '  end',
        'end',
        '',
      ].join('\n'),
    );
  }

  get consoleDir(): string {
    return join(this.cacheDir, 'consoles');
  }

  /** Keeps every lab domain's serial console in consoles/<domain>.log: what a guest said when SSH
   * no longer reaches it (a lost management address, a stuck boot). */
  captureConsoles(): void {
    mkdirSync(this.consoleDir, { recursive: true });
    const poll = () => {
      for (const dom of this.virsh('list', '--name').out.split('\n').map((d) => d.trim()).filter((d) => d.startsWith(`${this.labName}_`))) {
        if (this.consoleReaders.has(dom)) continue;
        const pty = /<console type='pty'[^>]*>\s*<source path='([^']+)'/.exec(this.virsh('dumpxml', dom).out)?.[1];
        if (!pty) continue;
        const reader = spawn('sh', ['-c', `exec cat "$1" >>"$2"`, 'sh', pty, join(this.consoleDir, `${dom}.log`)], { stdio: 'ignore', detached: true });
        reader.unref();
        this.consoleReaders.set(dom, reader);
      }
    };
    this.consoleTimer = setInterval(poll, 3000);
    this.consoleTimer.unref();
  }

  consoleTail(vm: string, lines = 30): string {
    const file = join(this.consoleDir, `${this.labName}_${vm}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8').replace(/\r/g, '').split('\n').slice(-lines).join('\n') : '(no console captured)';
  }

  /** Vagrant's copy of a box and the libvirt volume vagrant-libvirt uploaded from it. */
  forgetBox(name: string): void {
    const prefix = name.replace('/', '-VAGRANTSLASH-');
    sh('ip', ['netns', 'exec', BOOT_NS, 'vagrant', 'box', 'remove', name, '--all', '--force'], { env: this.env(), timeoutMs: 120_000 });
    rmSync(join(this.vagrantHome, 'boxes', prefix), { recursive: true, force: true });
    for (const vol of this.virsh('vol-list', POOL).out.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((v) => v.startsWith(prefix))) this.virsh('vol-delete', '--pool', POOL, vol);
  }

  env(): NodeJS.ProcessEnv {
    const path = this.pathPrefix ? `${this.pathPrefix}:${process.env.PATH ?? ''}` : process.env.PATH;
    return { ...process.env, PATH: path, VAGRANT_HOME: this.vagrantHome, VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_DEFAULT_PROVIDER: 'libvirt', VAGRANT_NO_COLOR: '1' };
  }

  /** A command inside the namespace, from `cwd`, streamed to stdout with elapsed time and kept. */
  run(label: string, cmd: string[], opts: { cwd: string; timeoutS: number; env?: NodeJS.ProcessEnv; quiet?: RegExp }): Promise<Step> {
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    return new Promise((resolve) => {
      const child = spawn('ip', ['netns', 'exec', BOOT_NS, ...cmd], { cwd: opts.cwd, env: opts.env ?? this.env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      if (child.pid) this.running.add(child.pid);
      const lines: Step['lines'] = [];
      let out = '';
      let partial = '';
      const take = (chunk: Buffer) => {
        out += chunk.toString();
        partial += chunk.toString();
        const parts = partial.split('\n');
        partial = parts.pop() as string;
        for (const text of parts) {
          const t = elapsed();
          lines.push({ t, text });
          if (!opts.quiet?.test(text)) process.stdout.write(`  [${label} ${t.toFixed(0).padStart(4)} s] ${text}\n`);
        }
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      const timer = setTimeout(() => {
        process.stdout.write(`  [${label}] still running after ${opts.timeoutS} s: stopping it\n`);
        try {
          process.kill(-(child.pid as number), 'SIGTERM');
        } catch {
          // already gone
        }
      }, opts.timeoutS * 1000);
      child.on('error', (e) => {
        clearTimeout(timer);
        resolve({ status: -1, out: `${out}\ncannot run ${cmd.join(' ')}: ${e.message}`, seconds: elapsed(), lines });
      });
      child.on('close', (status) => {
        if (child.pid) this.running.delete(child.pid);
        clearTimeout(timer);
        if (partial) lines.push({ t: elapsed(), text: partial });
        resolve({ status, out, seconds: elapsed(), lines });
      });
    });
  }

  vagrant(label: string, labDir: string, args: string[], timeoutS: number, quiet?: RegExp): Promise<Step> {
    return this.run(label, ['vagrant', ...args], { cwd: labDir, timeoutS, ...(quiet ? { quiet } : {}) });
  }

  /** Everything the suite made, taken down; safe to call at any point and twice. */
  stop(): void {
    for (const pgid of this.running) {
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    this.running.clear();
    if (this.consoleTimer) clearInterval(this.consoleTimer);
    for (const reader of this.consoleReaders.values()) reader.kill('SIGKILL');
    this.consoleReaders.clear();
    if (existsSync(`/run/netns/${BOOT_NS}`)) {
      for (const dom of this.virsh('list', '--all', '--name').out.split('\n').map((s) => s.trim()).filter(Boolean)) {
        this.virsh('destroy', dom);
        this.virsh('undefine', dom, '--nvram');
      }
      for (const net of this.virsh('net-list', '--all', '--name').out.split('\n').map((s) => s.trim()).filter((n) => n && n !== 'default')) {
        this.virsh('net-destroy', net);
        this.virsh('net-undefine', net);
      }
      // The machines' disks go; the box volumes stay, so the next run does not upload the box again.
      for (const vol of this.virsh('vol-list', POOL).out.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((v) => v && !v.includes('-VAGRANTSLASH-'))) this.virsh('vol-delete', '--pool', POOL, vol);
      this.virsh('pool-destroy', POOL);
      this.virsh('pool-undefine', POOL);
    }
    for (const name of ['libvirtd', 'virtlogd', 'apt-cacher-ng']) {
      const pid = pidOf(join(RUN_DIR, `${name}.pid`));
      if (alive(pid)) process.kill(pid as number, 'SIGTERM');
    }
    const deadline = Date.now() + 10_000;
    while (['libvirtd', 'virtlogd', 'apt-cacher-ng'].some((n) => alive(pidOf(join(RUN_DIR, `${n}.pid`)))) && Date.now() < deadline) spawnSync('sleep', ['0.2']);
    if (existsSync(`/run/netns/${BOOT_NS}`)) {
      for (const pid of sh('ip', ['netns', 'pids', BOOT_NS]).out.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
      sh('ip', ['netns', 'del', BOOT_NS]);
    }
    sh('ip', ['link', 'del', VETH_ROOT]);
    rmSync(`/etc/netns/${BOOT_NS}`, { recursive: true, force: true });
    rmSync(RUN_DIR, { recursive: true, force: true });
    // Definitions a run that died before its libvirtd could undefine them (the next libvirtd would
    // load them and Vagrant would find machines it does not know).
    for (const f of this.libvirtDefinitions()) rmSync(f, { force: true });
  }

  private libvirtDefinitions(): string[] {
    const found: string[] = [];
    for (const dir of ['/etc/libvirt/qemu', '/etc/libvirt/qemu/networks', '/etc/libvirt/qemu/networks/autostart', '/etc/libvirt/storage', '/etc/libvirt/storage/autostart']) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (f.startsWith(`${this.labName}_`) || f === `${POOL}.xml` || f === 'vagrant-libvirt.xml') found.push(`${dir}/${f}`);
    }
    return found;
  }

  /** What the suite may have left on this machine; [] when nothing. */
  leftovers(): string[] {
    const labName = this.labName;
    const found: string[] = [];
    if (existsSync(`/run/netns/${BOOT_NS}`)) found.push(`network namespace ${BOOT_NS}`);
    if (existsSync(`/sys/class/net/${VETH_ROOT}`)) found.push(`interface ${VETH_ROOT}`);
    const procs = sh('pgrep', ['-a', '-f', `qemu-system.*${labName}|libvirtd -d -p ${RUN_DIR}|virtlogd -d -p ${RUN_DIR}|apt-cacher-ng -c ${this.acngDir}`]).out.trim();
    if (procs) found.push(`processes: ${procs.replace(/\n/g, '; ')}`);
    found.push(...this.libvirtDefinitions());
    if (existsSync('/run/libvirt/qemu')) for (const f of readdirSync('/run/libvirt/qemu')) if (f.startsWith(`${labName}_`)) found.push(`/run/libvirt/qemu/${f}`);
    if (existsSync(RUN_DIR)) found.push(RUN_DIR);
    return found;
  }
}
