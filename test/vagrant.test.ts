// The Vagrantfile judged by its consumers: Ruby's parser, `vagrant validate -p` (evaluates the
// whole file and checks the cloud_init and upload paths), Ruby itself evaluating the file against a
// recorder (what each machine really gets), and shellcheck on the embedded fallback provisioner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileFiles } from '../generator/compile.js';
import type { LabModel } from '../generator/3-resolve/model.js';
import type { OutputFile } from '../generator/4-emit/files.js';
import { bootOrder } from '../generator/4-emit/vagrantfile.js';
import { compileExamples, missingCommands } from './support/examples.js';

const TOOLS: Record<string, string> = { ruby: 'ruby', vagrant: 'vagrant', shellcheck: 'shellcheck' };
const missing = () => missingCommands(TOOLS);

const { labs, broken } = compileExamples();

/** The lab folder as a student gets it: the generated files, and a stand-in for each container
 * image file the teacher ships in images/ (`gen-lab pack`), whose presence the Vagrantfile checks. */
function writeLab(files: OutputFile[], model?: LabModel): string {
  const dir = mkdtempSync(join(tmpdir(), 'gen-lab-vagrant-'));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.bytes ?? f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  for (const image of new Set((model?.containers ?? []).filter((c) => c.localImage).map((c) => c.image))) {
    mkdirSync(dirname(join(dir, image)), { recursive: true });
    writeFileSync(join(dir, image), 'stand-in for the image gen-lab pack copies\n');
  }
  return dir;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, input: opts.input, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function vagrantValidate(dir: string) {
  const home = mkdtempSync(join(tmpdir(), 'gen-lab-vagrant-home-'));
  try {
    return run('vagrant', ['validate', '-p'], { cwd: dir, env: { ...process.env, VAGRANT_HOME: home, VAGRANT_CHECKPOINT_DISABLE: '1' } });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Evaluates the Vagrantfile with Ruby, recording every configuration call (blocks get a recorder too). */
const RECORDER = String.raw`
require "json"
$calls = []
PLAIN = lambda do |v|
  case v
  when Symbol then ":#{v}"
  when Array then v.map { |x| PLAIN.call(x) }
  when Hash then v.to_h { |k, x| [k.to_s, PLAIN.call(x)] }
  else v
  end
end
class Rec < BasicObject
  def initialize(path) @path = path end
  def method_missing(n, *a, **k, &b)
    $calls << { "path" => (@path + [n.to_s]).join("."), "args" => ::PLAIN.call(a), "kw" => ::PLAIN.call(k) }
    child = ::Rec.new(@path + [a.empty? ? n.to_s : "#{n}:#{a.first}"])
    # Provider blocks get the provider config and the override config; other blocks with two
    # parameters (trigger bodies) are code to run later, not configuration.
    if b && n == :provider && b.arity == 2
      b.call(child, ::Rec.new(@path + ["#{n}:#{a.first}", "override"]))
    elsif b && b.arity == 1
      b.call(child)
    end
    child
  end
end
module Vagrant
  VERSION = ENV.fetch("RECORD_VAGRANT_VERSION", "2.3.4")
  module Util
    module Platform
      def self.architecture() ENV.fetch("RECORD_HOST_ARCH", "amd64") end
    end
  end
  def self.configure(_v) yield Rec.new(["config"]) end
end
load ARGV[0]
puts JSON.generate({ "experimental" => ENV["VAGRANT_EXPERIMENTAL"], "calls" => $calls })
`;

interface Call {
  path: string;
  args: unknown[];
  kw: Record<string, unknown>;
}

function recordVagrantfile(dir: string, env: Record<string, string> = {}): { experimental: string | null; calls: Call[] } {
  const script = join(dir, '.record.rb');
  writeFileSync(script, RECORDER);
  const r = run('ruby', [script, join(dir, 'Vagrantfile')], { env: { ...process.env, ...env } });
  unlinkSync(script);
  assert.is(r.status, 0, r.out);
  return JSON.parse(r.out.trim().split('\n').pop() as string);
}

function fallbackShell(vagrantfile: string): string {
  const m = /<<~'GEN_LAB_FALLBACK_SH'\n([\s\S]*?)\n\s*GEN_LAB_FALLBACK_SH\n/.exec(vagrantfile);
  assert.ok(m, 'fallback heredoc not found');
  return (m as RegExpExecArray)[1] as string;
}

test('the Vagrant judges are installed (scripts/install-deps.sh)', () => {
  assert.equal(missing(), [], `missing: ${missing().join(', ')}`);
});

test('every example spec compiles (one that does not would go unjudged)', () => {
  assert.equal(broken, []);
  assert.ok(labs.length > 0, 'no example specs');
});

for (const lab of labs) {
  test(`${lab.spec}: ruby -c and vagrant validate -p accept the Vagrantfile`, () => {
    const dir = writeLab(lab.files, lab.model);
    try {
      const syntax = run('ruby', ['-c', 'Vagrantfile'], { cwd: dir });
      assert.is(syntax.status, 0, syntax.out);
      const v = vagrantValidate(dir);
      assert.is(v.status, 0, v.out);
      assert.match(v.out, /validated successfully/);
      // The judge really reads the paths: without one VM's seed, or its user-data, it must refuse.
      const vm = lab.model.vms[0] as LabModel['vms'][number];
      const seed = join(dir, 'vms', vm.name, 'cidata.iso');
      const seedBytes = readFileSync(seed);
      unlinkSync(seed);
      const noSeed = vagrantValidate(dir);
      assert.is.not(noSeed.status, 0, `validate passed without vms/${vm.name}/cidata.iso`);
      assert.match(noSeed.out, /cidata\.iso/);
      writeFileSync(seed, seedBytes);
      unlinkSync(join(dir, 'vms', vm.name, 'user-data.yaml'));
      const broken = vagrantValidate(dir);
      assert.is.not(broken.status, 0, `validate passed without vms/${vm.name}/user-data.yaml`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${lab.spec}: every machine gets its cables, MACs, promiscuous ports, chipset and cloud-init, per provider`, () => {
    const dir = writeLab(lab.files, lab.model);
    try {
      const { experimental, calls } = recordVagrantfile(dir);
      const ich9 = lab.model.vms.some((vm) => vm.nics.length + 1 > 8);
      // Before Vagrant 2.4 the seed DVD is the experimental `disks` feature; cloud_init is not used.
      assert.equal(experimental?.split(','), ich9 ? ['disks', 'typed_triggers'] : ['disks']);
      assert.is(recordVagrantfile(dir, { RECORD_VAGRANT_VERSION: '2.4.9' }).experimental, ich9 ? 'typed_triggers' : null, 'no flag for disks from Vagrant 2.4 on');
      const defines = calls.filter((c) => c.path === 'config.vm.define').map((c) => c.args[0]);
      assert.equal(defines, bootOrder(lab.model).map((v) => v.name), 'machines in boot order');
      const roles = bootOrder(lab.model).map((v) => v.role);
      assert.equal(roles, [...roles].sort((a, b) => ['switch', 'host', 'client'].indexOf(a) - ['switch', 'host', 'client'].indexOf(b)));
      const tunnelEnds = new Map<number, { vm: string; peerPort: number; cable: string }>();
      for (const vm of lab.model.vms) {
        const at = `config.vm.define:${vm.name}`;
        const mine = (p: string) => calls.filter((c) => c.path === `${at}.${p}`);
        assert.equal(mine('vm.box=').map((c) => c.args[0]), [vm.box], `${vm.name} box`);
        assert.equal(mine('vm.hostname=').map((c) => c.args[0]), [vm.name]);
        assert.equal(mine('vm.box_version=').map((c) => c.args[0]), vm.boxVersion ? [vm.boxVersion] : []);
        assert.equal(mine('vm.box_url=').map((c) => c.args[0]), vm.boxUrl ? [vm.boxUrl] : []);
        assert.equal(mine('vm.network'), [], `${vm.name}: no network outside the provider blocks`);
        // VirtualBox: internal networks, NAT on adapter 1, promiscuous bridge ports, ICH9 past 8 NICs.
        const vb = `${at}.vm.provider:virtualbox`;
        const vbNets = calls.filter((c) => c.path === `${vb}.override.vm.network`).map((c) => ({ type: c.args[0], adapter: c.kw.adapter, intnet: c.kw.virtualbox__intnet, mac: c.kw.mac, auto: c.kw.auto_config, libvirt: Object.keys(c.kw).some((k) => k.startsWith('libvirt__')) }));
        assert.equal(vbNets, vm.nics.map((n, i) => ({ type: 'private_network', adapter: i + 2, intnet: `${lab.model.name}-${n.cable}`, mac: n.mac.replace(/:/g, '').toUpperCase(), auto: false, libvirt: false })), `${vm.name} VirtualBox NICs`);
        assert.equal(calls.filter((c) => c.path === `${vb}.memory=`).map((c) => c.args[0]), [vm.memory]);
        assert.equal(calls.filter((c) => c.path === `${vb}.cpus=`).map((c) => c.args[0]), [vm.cpus]);
        const custom = calls.filter((c) => c.path === `${vb}.customize`).map((c) => c.args[0] as string[]);
        const promisc = custom.filter((a) => /^--nicpromisc\d+$/.test(a[2] as string)).map((a) => [a[2], a[3], a[1]]);
        assert.equal(promisc, vm.nics.flatMap((n, i) => (n.promiscuous ? [[`--nicpromisc${i + 2}`, 'allow-all', ':id']] : [])), `${vm.name} promiscuous`);
        assert.is(custom.some((a) => a[2] === '--chipset' && a[3] === 'ich9'), vm.nics.length + 1 > 8, `${vm.name} chipset`);
        // The seed gen-lab wrote, as a DVD by absolute path (Vagrant resolves relative paths from
        // the folder it runs in); Vagrant's own cloud_init (a host ISO tool) is not used.
        const dvd = calls.filter((c) => c.path === `${vb}.override.vm.disk`);
        assert.equal(dvd.map((c) => [c.args, c.kw]), [[[':dvd'], { name: 'gen-lab-cidata', file: join(dir, 'vms', vm.name, 'cidata.iso') }]]);
        assert.equal(calls.filter((c) => c.path.endsWith('vm.cloud_init')), [], 'no cloud_init');
        // libvirt: a UDP tunnel per cable end on loopback, the management network as adapter 0, a cidata CD.
        const lv = `${at}.vm.provider:libvirt`;
        const lvNets = calls.filter((c) => c.path === `${lv}.override.vm.network`);
        assert.equal(lvNets.map((c) => ({ adapter: c.kw.adapter, mac: c.kw.mac, type: c.kw.libvirt__tunnel_type, ip: c.kw.libvirt__tunnel_local_ip, peer: c.kw.libvirt__tunnel_ip, vb: 'virtualbox__intnet' in c.kw })), vm.nics.map((n, i) => ({ adapter: i + 1, mac: n.mac.replace(/:/g, '').toUpperCase(), type: 'udp', ip: '127.0.0.1', peer: '127.0.0.1', vb: false })), `${vm.name} libvirt NICs`);
        lvNets.forEach((c, i) => {
          const local = c.kw.libvirt__tunnel_local_port as number;
          assert.not.ok(tunnelEnds.has(local), `UDP port ${local} used twice`);
          tunnelEnds.set(local, { vm: vm.name, peerPort: c.kw.libvirt__tunnel_port as number, cable: (vm.nics[i] as { cable: string }).cable });
        });
        assert.equal(calls.filter((c) => c.path === `${lv}.storage`).map((c) => [c.args[0], c.kw.device, c.kw.path]), [[':file', ':cdrom', join(dir, 'vms', vm.name, 'cidata.iso')]]);
        assert.equal(calls.filter((c) => c.path === `${lv}.memory=`).map((c) => c.args[0]), [vm.memory]);
        const prov = mine('vm.provision').map((c) => [c.args[0], c.kw.type]);
        const images = [...new Set(lab.model.containers.filter((c) => c.vm === vm.name && c.localImage).map((c) => c.image))];
        assert.equal(prov, [['gen-lab-user-data', 'file'], ['gen-lab-cloud-init', 'shell'], ...images.map((_, i) => [`gen-lab-image-${i}`, 'file']), ...(vm.containers.length ? [['gen-lab-containers', 'shell']] : [])], 'upload, fallback, images, containers');
        assert.equal(mine('vm.provision').find((c) => c.args[0] === 'gen-lab-cloud-init')?.kw.args, [vm.name, lab.model.specHash]);
      }
      // Each tunnel end's peer is the other end of the same cable.
      for (const [port, end] of tunnelEnds) {
        const peer = tunnelEnds.get(end.peerPort);
        assert.ok(peer, `port ${port} (${end.vm}, cable ${end.cable}) points at ${end.peerPort}, which nobody listens on`);
        assert.is(peer?.peerPort, port, `cable ${end.cable}: the ends point at each other`);
        assert.is(peer?.cable, end.cable);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${lab.spec}: the fallback provisioner's shell passes shellcheck`, () => {
    const vagrantfile = lab.files.find((f) => f.path === 'Vagrantfile')?.content ?? '';
    const shell = fallbackShell(vagrantfile);
    assert.match(shell, /^#!\/bin\/sh\n/);
    const sc = run('shellcheck', ['-s', 'sh', '-'], { input: shell });
    assert.is(sc.status, 0, sc.out);
    const n = run('sh', ['-n'], { input: shell });
    assert.is(n.status, 0, n.out);
  });
}

test('a Vagrantfile with more than 8 NICs switches the chipset before Vagrant adds them', () => {
  // A hub switch with 8 cables: with Vagrant's NAT that is 9 adapters, one past PIIX3's limit.
  const spokes = Array.from({ length: 8 }, (_, i) => `s${i + 1}`);
  const spec = {
    name: 'hub',
    vms: [{ name: 'hub', role: 'switch', bridges: [{ name: 'br0', stp: true }] }, ...spokes.map((s) => ({ name: s, role: 'client' }))],
    cables: spokes.map((s, i) => ({ name: `c${i + 1}`, ends: [{ vm: 'hub', bridge: 'br0' }, { vm: s, address: `10.9.0.${i + 1}/24` }] })),
  };
  const specDir = mkdtempSync(join(tmpdir(), 'gen-lab-hub-'));
  try {
    writeFileSync(join(specDir, 'hub.json'), JSON.stringify(spec));
    const lab = compileFiles(join(specDir, 'hub.json'));
    assert.is(lab.model.vms.find((v) => v.name === 'hub')?.providers.virtualbox.chipset, 'ich9');
    const dir = writeLab(lab.files);
    try {
      const v = vagrantValidate(dir);
      assert.is(v.status, 0, v.out);
      const { experimental, calls } = recordVagrantfile(dir);
      assert.ok(experimental?.split(',').includes('typed_triggers'), experimental ?? 'unset');
      // An Arm host's VirtualBox has no ICH9: the chipset is left alone there.
      const chipset = (r: { calls: Call[] }) => r.calls.filter((c) => c.path === 'config.vm.define:hub.vm.provider:virtualbox.customize' && (c.args[0] as string[])[2] === '--chipset').length;
      assert.is(chipset({ calls }), 1);
      assert.is(chipset(recordVagrantfile(dir, { RECORD_VAGRANT_VERSION: '2.4.9', RECORD_HOST_ARCH: 'arm64' })), 0);
      const trigger = calls.find((c) => c.path === 'config.vm.define:hub.trigger.before');
      assert.equal(trigger?.args, [':VagrantPlugins::ProviderVirtualBox::Action::ClearNetworkInterfaces']);
      assert.equal(trigger?.kw, { type: ':action' });
      assert.is(calls.filter((c) => c.path === 'config.vm.define:hub.vm.provider:virtualbox.override.vm.network').length, 8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(specDir, { recursive: true, force: true });
  }
});

test('the guide\'s boot section names every VM in boot order and the fallback', () => {
  for (const lab of labs) {
    const readme = lab.files.find((f) => f.path === 'README.md')?.content ?? '';
    const order = bootOrder(lab.model).map((v) => `\`${v.name}\``).join(', ');
    assert.ok(readme.includes(order), readme);
    assert.match(readme, /NoCloud/);
  }
});

test.run();
