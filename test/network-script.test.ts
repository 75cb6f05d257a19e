// The generated network.sh files, checked by their real consumers: shellcheck, sh, and the kernel.
// Every VM script runs for real (twice) inside a throwaway network namespace whose veths carry the
// model MACs under temporary names; every container script runs inside one too. Namespaces are
// always deleted, even when an assertion fails. No traffic leaves them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { VmModel, ContainerModel } from '../generator/3-resolve/model.js';
import { compileModel } from '../generator/compile.js';
import { emitNetworkScripts } from '../generator/4-emit/network.js';
import { provenanceLine } from '../generator/4-emit/provenance.js';
import { TemplateSet } from '../generator/4-emit/templates.js';
import { repoRoot } from './support/cli.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], input?: string): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${cmd} is missing`);
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(cmd: string, args: string[]): string {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (rc ${r.status}): ${r.stderr}`);
  return r.stdout;
}

function requireTool(tool: string, debianPackage: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (r.status !== 0) assert.unreachable(`${tool} not found: install the Debian package ${debianPackage} (scripts/install-deps.sh)`);
}

// Only this emitter runs, so the test depends on nothing but the model and these templates. The
// reference lab and every regression spec under test/specs/ (labs whose network.sh once failed).
const specFiles = [join(repoRoot, 'examples', 'practica6.json'), ...readdirSync(join(repoRoot, 'test', 'specs')).filter((f) => f.endsWith('.json')).sort().map((f) => join(repoRoot, 'test', 'specs', f))];
const outRoot = mkdtempSync(join(tmpdir(), 'gen-lab-netsh-'));
process.on('exit', () => rmSync(outRoot, { recursive: true, force: true }));
const labs = specFiles.map((file) => {
  const model = compileModel(file).model;
  const outDir = join(outRoot, model.name);
  for (const f of emitNetworkScripts({ model, templates: TemplateSet.withOverrides([]), provenance: provenanceLine(model) })) {
    mkdirSync(dirname(join(outDir, f.path)), { recursive: true });
    writeFileSync(join(outDir, f.path), f.bytes ?? f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return { model, outDir };
});
const model = (labs[0] as (typeof labs)[number]).model;
const outDir = (labs[0] as (typeof labs)[number]).outDir;

function scripts(): string[] {
  const found: string[] = [];
  for (const lab of labs) {
    for (const area of ['vms', 'containers']) {
      for (const node of readdirSync(join(lab.outDir, area)).sort()) found.push(join(lab.outDir, area, node, 'network.sh'));
    }
  }
  return found;
}

// One namespace per test, named after the process so parallel runs never collide.
let nsCounter = 0;
function withNamespace(tag: string, body: (ns: string) => void): void {
  const ns = `h3t${process.pid}-${tag}-${nsCounter++}`;
  must('ip', ['netns', 'add', ns]);
  try {
    must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    body(ns);
  } finally {
    run('ip', ['netns', 'del', ns]);
  }
}

const inNs = (ns: string, args: string[]) => run('ip', ['netns', 'exec', ns, ...args]);
const readIn = (ns: string, path: string) => must('ip', ['netns', 'exec', ns, 'cat', path]).trim();

/** A cable end as the emulation makes it: a veth with the model MAC under a temporary name. */
function plugCables(ns: string, vm: VmModel): void {
  vm.nics.forEach((nic, i) => must('ip', ['-n', ns, 'link', 'add', `tmp${i}`, 'address', nic.mac, 'type', 'veth', 'peer', 'name', `tmp${i}-far`]));
}

/** Stand-in for Vagrant's NAT adapter, which the script must never touch. */
function plugNat(ns: string): void {
  must('ip', ['-n', ns, 'link', 'add', 'nat0', 'address', '02:00:00:00:00:01', 'type', 'veth', 'peer', 'name', 'nat0-far']);
  must('ip', ['-n', ns, 'link', 'set', 'nat0', 'mtu', '1400']);
}

function netsh(ns: string, vm: VmModel, mode?: string, dir = outDir): Run {
  return inNs(ns, ['sh', join(dir, 'vms', vm.name, 'network.sh'), ...(mode ? [mode] : [])]);
}

interface LinkJson {
  ifname: string;
  address: string;
  mtu: number;
  master?: string;
  flags: string[];
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

function links(ns: string): LinkJson[] {
  return JSON.parse(must('ip', ['-n', ns, '-d', '-j', 'link', 'show'])) as LinkJson[];
}

/** Configuration only: names, MACs, MTUs, masters, admin state, addresses, fdb; no counters. */
function snapshot(ns: string): string {
  const l = links(ns).map((x) => ({ n: x.ifname, a: x.address, m: x.mtu, master: x.master ?? '', up: x.flags.includes('UP') }));
  const addrs = must('ip', ['-n', ns, '-br', 'addr', 'show']);
  const fdb = inNs(ns, ['bridge', 'fdb', 'show']).stdout.split('\n').filter((line) => line.includes(' dst ')).sort();
  const ports = inNs(ns, ['bridge', 'link', 'show']).stdout.replace(/state \w+/g, '');
  return JSON.stringify({ l, addrs, fdb, ports });
}

test('every generated network.sh is shellcheck-clean POSIX sh', () => {
  requireTool('shellcheck', 'shellcheck');
  const files = scripts();
  assert.ok(files.length >= labs.reduce((n, l) => n + l.model.vms.length + l.model.containers.length, 0));
  for (const f of files) {
    const sc = run('shellcheck', ['-s', 'sh', f]);
    assert.is(sc.status, 0, `shellcheck ${f}:\n${sc.stdout}`);
    const syntax = run('sh', ['-n', f]);
    assert.is(syntax.status, 0, `sh -n ${f}: ${syntax.stderr}`);
    assert.ok(readFileSync(f, 'utf8').split('\n')[1]?.startsWith('# Generated by gen-lab'), `${f} lacks the provenance line`);
  }
});

for (const { model, outDir: dir } of labs) for (const vm of model.vms) {
  test(`${model.name}: vms/${vm.name}/network.sh configures the kernel as the model says, twice over`, () => {
    requireTool('ip', 'iproute2');
    requireTool('bridge', 'iproute2');
    withNamespace(vm.name, (ns) => {
      plugCables(ns, vm);
      plugNat(ns);
      const natBefore = JSON.stringify(links(ns).find((l) => l.ifname === 'nat0'));

      const first = netsh(ns, vm, undefined, dir);
      assert.is(first.status, 0, `first run failed:\n${first.stdout}\n${first.stderr}`);
      const afterFirst = snapshot(ns);
      const second = netsh(ns, vm, undefined, dir);
      assert.is(second.status, 0, `second run failed:\n${second.stdout}\n${second.stderr}`);
      assert.is(snapshot(ns), afterFirst, 'a second run changed the configuration');
      assert.match(second.stdout, /already named/);

      assert.is(JSON.stringify(links(ns).find((l) => l.ifname === 'nat0')), natBefore, 'the NAT stand-in was touched');

      const all = links(ns);
      const byName = new Map(all.map((l) => [l.ifname, l]));
      for (const nic of vm.nics) {
        const l = byName.get(nic.guestName);
        assert.ok(l, `NIC ${nic.guestName} (${nic.mac}) not renamed`);
        assert.is(l?.address, nic.mac);
        assert.is(l?.mtu, nic.mtu, `${nic.guestName} mtu`);
        assert.ok(l?.flags.includes('UP'), `${nic.guestName} not up`);
        assert.is(l?.master ?? '', nic.bridge ?? '', `${nic.guestName} master`);
        assert.is(readIn(ns, `/proc/sys/net/ipv6/conf/${nic.guestName}/disable_ipv6`), '1');
      }
      for (const br of vm.bridges) {
        const sys = (f: string) => readIn(ns, `/sys/class/net/${br.name}/bridge/${f}`);
        assert.is(byName.get(br.name)?.address, br.mac, `${br.name} mac`);
        assert.is(byName.get(br.name)?.mtu, br.mtu, `${br.name} mtu`);
        assert.is(sys('stp_state'), br.stp ? '1' : '0', `${br.name} stp_state`);
        assert.is(Number(sys('priority')), br.priority, `${br.name} priority`);
        assert.is(Number(sys('forward_delay')), br.timers.forwardDelay * 100, `${br.name} forward_delay (cs)`);
        assert.is(Number(sys('hello_time')), br.timers.helloTime * 100, `${br.name} hello_time (cs)`);
        assert.is(Number(sys('max_age')), br.timers.maxAge * 100, `${br.name} max_age (cs)`);
        assert.is(sys('bridge_id'), br.bridgeId, `${br.name} bridge id`);
        for (const p of br.ports.filter((x) => x.kind !== 'container')) {
          const port = (f: string) => readIn(ns, `/sys/class/net/${p.ifname}/brport/${f}`);
          assert.is(Number(port('port_no')), p.portNo, `${p.ifname} port number`);
          assert.is(Number(port('path_cost')), p.cost, `${p.ifname} cost`);
          assert.is(Number(port('priority')), p.priority, `${p.ifname} priority`);
        }
        if (br.address) {
          const a = must('ip', ['-n', ns, '-4', '-o', 'addr', 'show', 'dev', br.name]);
          assert.ok(a.includes(` ${br.address.cidr} `), `${br.name} lacks ${br.address.cidr}: ${a}`);
        }
      }
      for (const nic of vm.nics.filter((n) => n.address && !n.bridge)) {
        const a = must('ip', ['-n', ns, '-4', '-o', 'addr', 'show', 'dev', nic.guestName]);
        assert.ok(a.includes(` ${nic.address?.cidr} `), `${nic.guestName} lacks ${nic.address?.cidr}`);
      }
      for (const vx of vm.vxlans) {
        const l = byName.get(vx.ifname);
        const data = l?.linkinfo?.info_data ?? {};
        assert.is(l?.linkinfo?.info_kind, 'vxlan');
        assert.is(data.id, vx.vni);
        assert.is(data.local, vx.local);
        assert.is(data.port, vx.port);
        assert.is(data.link, vx.underlayDevice);
        assert.is(l?.address, vx.mac);
        assert.is(l?.mtu, vx.mtu);
        assert.is(l?.master, vx.bridge);
        const flood = inNs(ns, ['bridge', 'fdb', 'show', 'dev', vx.ifname]).stdout.split('\n').filter((x) => x.startsWith('00:00:00:00:00:00 dst '));
        assert.equal(flood.map((x) => x.split(' ')[2]).sort(), [...vx.remotes].sort(), `${vx.ifname} head-end replication list`);
      }
      assert.is(readIn(ns, '/proc/sys/net/ipv4/ip_forward'), vm.ipForward ? '1' : '0');
      if (inNs(ns, ['test', '-e', '/proc/sys/net/bridge/bridge-nf-call-iptables']).status === 0) {
        assert.is(readIn(ns, '/proc/sys/net/bridge/bridge-nf-call-iptables'), '0');
      }

      // Container veths arrive later (LXD, emulation); `ports` gives them the model cost and MTU.
      const containerPorts = vm.bridges.flatMap((br) => br.ports.filter((p) => p.kind === 'container').map((p) => ({ br, p })));
      for (const { br, p } of containerPorts) {
        must('ip', ['-n', ns, 'link', 'add', p.ifname, 'type', 'veth', 'peer', 'name', `${p.portNo}${br.name}`.slice(0, 15)]);
        must('ip', ['-n', ns, 'link', 'set', p.ifname, 'master', br.name]);
        must('ip', ['-n', ns, 'link', 'set', p.ifname, 'mtu', '1300']);
        inNs(ns, ['bridge', 'link', 'set', 'dev', p.ifname, 'cost', '7']);
      }
      const ports = netsh(ns, vm, 'ports', dir);
      assert.is(ports.status, 0, ports.stderr);
      for (const { br, p } of containerPorts) {
        const c = model.containers.flatMap((x) => x.nics).find((n) => n.hostName === p.ifname);
        assert.is(Number(readIn(ns, `/sys/class/net/${p.ifname}/brport/path_cost`)), p.cost, `${p.ifname} cost`);
        assert.is(Number(readIn(ns, `/sys/class/net/${p.ifname}/brport/priority`)), p.priority, `${p.ifname} priority`);
        assert.is(Number(readIn(ns, `/sys/class/net/${p.ifname}/mtu`)), c?.mtu, `${p.ifname} mtu`);
        assert.ok(ports.stdout.includes(`port ${p.ifname} of ${br.name}: cost ${p.cost}`), ports.stdout);
      }
    });
  });
}

test('a VM network.sh fails loudly, naming the MAC, when a lab NIC is missing', () => {
  const vm = model.vms.find((v) => v.nics.length > 1) as VmModel;
  withNamespace('missing', (ns) => {
    const [first, ...rest] = vm.nics;
    rest.forEach((nic, i) => must('ip', ['-n', ns, 'link', 'add', `tmp${i}`, 'address', nic.mac, 'type', 'veth', 'peer', 'name', `tmp${i}-far`]));
    const r = netsh(ns, vm);
    assert.is.not(r.status, 0);
    assert.ok(r.stderr.includes(first?.mac as string), `stderr does not name ${first?.mac}: ${r.stderr}`);
  });
});

/** The container end as LXD or the emulation delivers it: named and MAC'd, down, no address. */
function plugContainer(ns: string, c: ContainerModel): void {
  c.nics.forEach((n, i) => must('ip', ['-n', ns, 'link', 'add', n.name, 'address', n.mac, 'type', 'veth', 'peer', 'name', `far${i}`]));
}

for (const c of model.containers) {
  test(`containers/${c.name}/network.sh sets addresses, MTU and sysctls, twice over (dash, then busybox sh)`, () => {
    requireTool('busybox', 'busybox-static');
    withNamespace(c.name, (ns) => {
      plugContainer(ns, c);
      must('ip', ['-n', ns, 'link', 'set', 'lo', 'down']);
      const script = join(outDir, 'containers', c.name, 'network.sh');
      const first = inNs(ns, ['sh', script]);
      assert.is(first.status, 0, `${first.stdout}\n${first.stderr}`);
      const afterFirst = snapshot(ns);
      // The second run uses busybox sh, the shell of the Alpine containers in the VMs.
      const second = inNs(ns, ['busybox', 'sh', script]);
      assert.is(second.status, 0, second.stderr);
      assert.is(snapshot(ns), afterFirst, 'a second run changed the configuration');
      const byName = new Map(links(ns).map((l) => [l.ifname, l]));
      assert.ok(byName.get('lo')?.flags.includes('UP'), 'lo not up');
      for (const n of c.nics) {
        assert.is(byName.get(n.name)?.mtu, n.mtu, `${n.name} mtu`);
        assert.ok(byName.get(n.name)?.flags.includes('UP'), `${n.name} not up`);
        if (n.address) assert.ok(must('ip', ['-n', ns, '-4', '-o', 'addr', 'show', 'dev', n.name]).includes(` ${n.address.cidr} `), `${n.name} address`);
        assert.is(readIn(ns, `/proc/sys/net/ipv6/conf/${n.name}/disable_ipv6`), '1');
        assert.is(readIn(ns, `/proc/sys/net/ipv4/conf/${n.name}/arp_ignore`), '1');
        assert.is(readIn(ns, `/proc/sys/net/ipv4/conf/${n.name}/arp_announce`), '2');
      }
      assert.is(readIn(ns, '/proc/sys/net/ipv4/ip_forward'), '0');
      assert.is(readIn(ns, '/proc/sys/net/ipv4/conf/default/arp_announce'), '2');
    });
  });
}

test('a container network.sh refuses a NIC with the wrong MAC', () => {
  const c = model.containers[0] as ContainerModel;
  withNamespace('wrongmac', (ns) => {
    c.nics.forEach((n, i) => must('ip', ['-n', ns, 'link', 'add', n.name, 'address', '02:00:00:00:0f:0f', 'type', 'veth', 'peer', 'name', `far${i}`]));
    const r = inNs(ns, ['sh', join(outDir, 'containers', c.name, 'network.sh')]);
    assert.is.not(r.status, 0);
    assert.ok(r.stderr.includes(c.nics[0]?.mac as string), r.stderr);
  });
});

test.run();
