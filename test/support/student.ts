// Scripted students (test/support/student/to-stage-N.sh) and what a lab must show once a stage is
// done, judged from the model alone: VM NICs by their MAC, addresses, VIPs, ports, VNIs; never by the
// names of bridges, veths or container NICs, which are the student's own.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import type { LabModel } from '../../generator/3-resolve/model.js';
import { repoRoot } from './cli.js';

/** Where the scripts live; another folder (a deliberately wrong student) through the environment. */
const studentDir = process.env['GEN_LAB_STUDENT_DIR'] ?? join(repoRoot, 'test', 'support', 'student');

export function readModel(dir: string): LabModel {
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as LabModel;
}

/** Runs to-stage-N.sh on an emulated lab, echoing what the student typed and saw. */
export function runStudent(dir: string, lab: string, stage: number, stpTimers: string): number | null {
  const script = join(studentDir, `to-stage-${stage}.sh`);
  const r = spawnSync('bash', [script, dir, lab], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, STP_TIMERS: stpTimers } });
  process.stdout.write(`--- to-stage-${stage}.sh (exit ${r.status})\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r.status;
}

const run = (ns: string, args: string[]) => spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout: 20_000 });
const ok = (ns: string, args: string[]) => run(ns, args).status === 0;
const read = (ns: string, path: string) => (run(ns, ['cat', path]).stdout ?? '').trim();
const sleep = (s: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, s * 1000);

interface Link {
  ifname: string;
  address?: string;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number; local?: string; remote?: string } };
}
const links = (ns: string): Link[] => JSON.parse(spawnSync('ip', ['-n', ns, '-j', '-d', 'link', 'show'], { encoding: 'utf8' }).stdout || '[]') as Link[];
const addrsIn = (ns: string) => spawnSync('ip', ['-n', ns, '-o', '-4', 'addr', 'show'], { encoding: 'utf8' }).stdout ?? '';
const devHolds = (ns: string, dev: string, ip: string) => dev !== '' && addrsIn(ns).split('\n').some((l) => l.split(/\s+/)[1] === dev && l.split(/\s+/)[3]?.split('/')[0] === ip);
const holds = (ns: string, ip: string) => addrsIn(ns).split('\n').some((l) => l.split(/\s+/)[3]?.split('/')[0] === ip);

/** Polls `probe` until it returns '' (done) or `bound` seconds pass; returns the last complaint. */
function settle(bound: number, probe: () => string): string {
  const end = Date.now() + bound * 1000;
  let why = probe();
  while (why && Date.now() < end) {
    sleep(0.5);
    why = probe();
  }
  return why;
}

/** Each STP bridge of the student's, found as the master of the VM NICs the model bridges. */
interface StudentBridge {
  ns: string;
  br: string;
  stp: boolean;
  /** The model's forward delay and max age of the bridge, in the kernel's centiseconds. */
  timers: [number, number];
}
function studentBridges(lab: string, model: LabModel): Map<string, StudentBridge> {
  const found = new Map<string, StudentBridge>();
  for (const vm of model.vms) {
    const ns = `${lab}-${vm.name}`;
    const all = links(ns);
    for (const nic of vm.nics.filter((n) => n.bridge)) {
      const dev = all.find((l) => l.address === nic.mac);
      assert.ok(dev, `${vm.name}: a NIC with MAC ${nic.mac} (cable ${nic.cable})`);
      assert.ok(dev.master, `${vm.name}: the NIC on cable ${nic.cable} (${dev.ifname}) is a bridge port`);
      const mb = vm.bridges.find((b) => b.name === nic.bridge);
      const stp = mb?.stp ?? false;
      const timers: [number, number] = [(mb?.timers.forwardDelay ?? 0) * 100, (mb?.timers.maxAge ?? 0) * 100];
      const key = `${vm.name}/${nic.bridge ?? ''}`;
      const other = found.get(key);
      assert.ok(!other || other.br === dev.master, `${vm.name}: the NICs the model puts on ${nic.bridge} share one bridge`);
      found.set(key, { ns, br: dev.master, stp, timers });
    }
  }
  return found;
}

const portStates = (ns: string, br: string) =>
  (run(ns, ['sh', '-c', `for p in /sys/class/net/${br}/brif/*; do echo "\${p##*/} $(cat $p/state)"; done`]).stdout ?? '')
    .split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]);

/** Stage 1: every bridged VM NIC sits in a bridge, STP on where the model has it, the model's root
 * (priority and VM) once settled, one blocked port per loop where the model blocks it, and the
 * client reaches the VMs' own addresses on its LAN. */
export function assertStage1(lab: string, model: LabModel): void {
  const bridges = studentBridges(lab, model);
  for (const [key, b] of bridges) {
    assert.is(read(b.ns, `/sys/class/net/${b.br}/bridge/stp_state`) !== '0', b.stp, `${key}: STP ${b.stp ? 'on' : 'off'} on ${b.br}`);
    if (!b.stp) continue;
    const timers = [read(b.ns, `/sys/class/net/${b.br}/bridge/forward_delay`), read(b.ns, `/sys/class/net/${b.br}/bridge/max_age`)].map(Number);
    assert.equal(timers, b.timers, `${key}: ${b.br} has the model's forward delay and max age (cs)`);
  }
  for (const domain of model.l2domains) {
    const stp = domain.stp;
    if (!stp) continue;
    const inDomain = [...bridges].filter(([k, b]) => b.stp && domain.endpoints.some((e) => e.kind === 'bridge' && `${e.node}/${e.ifname}` === k));
    const root = bridges.get(`${stp.root.vm}/${stp.root.bridge}`);
    assert.ok(root, `the model's root ${stp.root.vm}/${stp.root.bridge} has a bridge`);
    const bound = 3 * (stp.maxAge + 2 * stp.forwardDelay) + 10;
    const why = settle(bound, () => {
      const rootId = read(root.ns, `/sys/class/net/${root.br}/bridge/bridge_id`);
      for (const [k, b] of inDomain) {
        const id = read(b.ns, `/sys/class/net/${b.br}/bridge/root_id`);
        if (id !== rootId) return `${k}: root ${id}, not ${rootId} (the bridge of ${stp.root.vm})`;
        const moving = portStates(b.ns, b.br).find(([, s]) => s === '1' || s === '2');
        if (moving) return `${k}: port ${moving[0]} still listening/learning`;
      }
      return '';
    });
    assert.is(why, '', `STP settled within ${bound} s`);
    const rootId = read(root.ns, `/sys/class/net/${root.br}/bridge/bridge_id`);
    assert.is(rootId.split('.')[0], stp.root.bridgeId.split('.')[0], `the root's priority is the model's (${stp.root.bridgeId})`);
    // Which port of the farthest bridge blocks depends on bridge ids, and a student's bridges take
    // their lowest port's MAC, not the model's: the bridge that blocks is the model's, not the port.
    const blocked = inDomain.flatMap(([k, b]) => portStates(b.ns, b.br).filter(([, s]) => s === '4').map(([p]) => `${k.split('/')[0]}:${p}`));
    assert.equal(blocked.map((p) => p.split(':')[0]).sort(), stp.blocked.map((p) => p.vm).sort(), `blocked ports ${blocked.join(' ')} on the model's bridges`);
  }
  const client = model.vms.find((v) => v.role === 'client');
  assert.ok(client, 'the model has a client VM');
  const clientDomains = new Set(client.nics.map((n) => n.l2domain));
  for (const vm of model.vms) {
    const ns = `${lab}-${vm.name}`;
    for (const nic of vm.nics.filter((n) => n.address)) {
      const dev = links(ns).find((l) => l.address === nic.mac)?.ifname ?? '';
      assert.ok(devHolds(ns, dev, nic.address?.ip ?? ''), `${vm.name}: ${nic.address?.cidr} on its NIC on cable ${nic.cable}`);
    }
    for (const b of vm.bridges.filter((x) => x.address)) {
      const ip = b.address?.ip ?? '';
      const br = bridges.get(`${vm.name}/${b.name}`)?.br ?? '';
      assert.ok(devHolds(ns, br, ip), `${vm.name}: ${ip} on the bridge of its NICs the model puts on ${b.name} (${br})`);
      const domain = model.l2domains.find((d) => d.endpoints.some((e) => e.kind === 'bridge' && e.node === vm.name && e.ifname === b.name));
      if (domain && clientDomains.has(domain.id)) assert.ok(ok(`${lab}-${client.name}`, ['ping', '-c1', '-W2', ip]), `the client pings ${vm.name} at ${ip}`);
    }
  }
}

const clientNs = (lab: string, model: LabModel) => `${lab}-${model.vms.find((v) => v.role === 'client')?.name ?? ''}`;

/** Stage 2: the client reaches every VRRP member and VIP, and each VIP sits on its expected master only. */
export function assertStage2(lab: string, model: LabModel): void {
  const user = clientNs(lab, model);
  for (const g of model.vrrp) {
    const bound = 2 * g.stpListenLearn + 3 * g.masterDownInterval + 10;
    for (const vip of g.addresses) {
      // Both members start alone while their new ports listen and learn, so each turns master for a
      // moment; the election is judged once the adverts cross, within the same bound.
      const why = settle(bound, () => {
        if (!ok(user, ['ping', '-c1', '-W1', vip])) return `${vip} unreachable`;
        const holders = g.members.filter((m) => holds(`${lab}-${m.container}`, vip)).map((m) => m.container);
        return holders.join(' ') === g.expectedMaster ? '' : `${vip} on ${holders.join(' and ') || 'no member'}, not only on the master ${g.expectedMaster}`;
      });
      assert.is(why, '', `the client pings the VIP, held by its master only, within ${bound} s`);
    }
    for (const m of g.members) assert.ok(ok(user, ['ping', '-c1', '-W2', m.address.ip]), `the client pings ${m.container} at ${m.address.ip}`);
  }
}

/** The servers that answer `count` requests to vip:port from the client, by their page heading. */
function answers(lab: string, model: LabModel, url: string, count: number): string[] {
  const headings = model.containers.filter((c) => c.pageHeading).map((c) => [c.name, c.pageHeading ?? ''] as const);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const page = run(clientNs(lab, model), ['curl', '-s', '-m', '3', url]).stdout ?? '';
    out.push(headings.find(([, h]) => page.includes(h))?.[0] ?? '-');
  }
  return out;
}

/** The service seen from the client: every VIP:port answers with exactly `servers` in strict turn. */
function assertService(lab: string, model: LabModel, stage: number): void {
  for (const s of model.services) {
    const masters = model.vrrp.filter((g) => s.vips.some((v) => g.addresses.includes(v))).map((g) => g.expectedMaster);
    const master = s.balancers.find((b) => masters.includes(b.container));
    assert.ok(master, `${s.name}: a balancer of the service is a VRRP master`);
    const want = (stage >= 4 ? master.reachable : master.reachableWithoutTunnels).slice().sort();
    for (const vip of s.vips) {
      const url = `http://${vip}:${s.port}/`;
      const bound = (s.check.interMs * (s.check.rise + 2)) / 1000 + 15;
      let seen: string[] = [];
      const why = settle(bound, () => {
        seen = answers(lab, model, url, 2 * want.length);
        return [...new Set(seen)].sort().join(' ') === want.join(' ') ? '' : `answers ${seen.join(' ')}, want ${want.join(' ')}`;
      });
      assert.is(why, '', `${url} answered by ${want.join(' ')} within ${bound} s`);
      seen = answers(lab, model, url, 3 * want.length);
      const turn = seen.every((x, i) => i < want.length || x === seen[i - want.length]) && new Set(seen.slice(0, want.length)).size === want.length;
      assert.ok(turn, `${url}: ${seen.join(' ')} is a round robin of ${want.join(' ')}`);
      const page = run(clientNs(lab, model), ['curl', '-s', '-m', '3', url]).stdout ?? '';
      assert.ok(page.includes(master.sourceAddress), `the page shows the request came from ${master.container} (${master.sourceAddress})`);
    }
  }
}

/** Stage 3: the service answers through the VIP, from the servers the master reaches without tunnels. */
export function assertStage3(lab: string, model: LabModel): void {
  assertService(lab, model, 3);
}

/** Stage 4: each VXLAN member VM has a bridged device with the segment's VNI and port; every balancer
 * reaches every backend; the service rotates through all of them. */
export function assertStage4(lab: string, model: LabModel): void {
  for (const seg of model.vxlan) {
    for (const m of seg.members) {
      const dev = links(`${lab}-${m.vm}`).find((l) => l.linkinfo?.info_kind === 'vxlan' && l.linkinfo.info_data?.id === seg.vni);
      assert.ok(dev, `${m.vm}: a VXLAN device with VNI ${seg.vni}`);
      assert.is(dev.linkinfo?.info_data?.port, seg.port, `${m.vm}: VXLAN UDP port ${seg.port}`);
      assert.ok(dev.master, `${m.vm}: the VXLAN device is a bridge port`);
    }
  }
  for (const s of model.services) {
    for (const b of s.balancers) for (const be of s.backends) assert.ok(ok(`${lab}-${b.container}`, ['ping', '-c1', '-W2', be.address]), `${b.container} reaches ${be.container} at ${be.address}`);
  }
  assertService(lab, model, 4);
}

export const assertStage = [() => undefined, assertStage1, assertStage2, assertStage3, assertStage4] as ((lab: string, model: LabModel) => void)[];
