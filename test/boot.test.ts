// The Vagrant path for real (root; `node test/run-all.js boot`): a gen-lab-built Debian box and
// container image, packed with the reference lab by `gen-lab pack` as a teacher hands it out,
// libvirtd in a namespace of its own, `vagrant up --provider=libvirt` from the packed folder's own
// box catalog with every host ISO tool failing on the PATH (as on a student's Windows laptop),
// checkpoints 1-4 inside the VMs through emulate/checks/runner-vagrant.sh,
// `vagrant provision` again (nothing changes), `vagrant reload` of a host (it comes back by itself),
// `vagrant destroy -f`, and nothing left. Every step's time is printed; a failure prints the guests'
// cloud-init and provisioning log lines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { boxFileName } from '../generator/build/box.js';
import { BootEnv, type Step } from './support/boot-env.js';
import { exclusive } from './support/exclusive.js';
import { BOOT_LAB, bootVirtualboxBox, boxAndImage, failingIsoTools, ISO_TOOLS, packBootLab } from './support/boot-lab.js';
import { missingCommands } from './support/examples.js';

const TOOLS: Record<string, string> = {
  vagrant: 'vagrant', virsh: 'libvirt-clients', libvirtd: 'libvirt-daemon-system', 'qemu-system-x86_64': 'qemu-system-x86', 'qemu-img': 'qemu-utils',
  debootstrap: 'debootstrap', 'apt-cacher-ng': 'apt-cacher-ng', 'grub-mkimage': 'grub-pc-bin', ssh: 'openssh-client', xmllint: 'libxml2-utils',
};
const cacheDir = process.env.GEN_LAB_CACHE ?? '/var/cache/gen-lab';
const env = new BootEnv(cacheDir, BOOT_LAB);
const labDir = join(cacheDir, 'lab', BOOT_LAB);
const HOST_TO_RELOAD = 'host1';
const timings: [string, string][] = [];
const state: { up?: Step; ready: boolean; vms: string[]; catalog?: string } = { ready: false, vms: [] };
// Every command of the suite runs with an ISO tool that fails first on its PATH: nothing may need one.
const isoTools = failingIsoTools(cacheDir);
env.pathPrefix = isoTools.bin;
// A stopped run (CI's timeout, Ctrl-C) still takes down what it made.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    env.stop();
    process.exit(1);
  });
}
const record = (what: string, seconds: number, note = '') => timings.push([what, `${seconds.toFixed(0)} s${note ? ` (${note})` : ''}`]);

// Lines of Vagrant's output that say nothing (progress bars, the experimental-flag banner).
const NOISE = /^\s*$|Progress: |==> vagrant: |Warning: Connection (refused|reset)|Warning: Remote connection disconnect/;

/** What explains a failure: each guest's cloud-init state and the lines of its logs that matter. */
async function guestLogs(): Promise<string> {
  const script = [
    'echo "--- $(hostname): cloud-init status"; sudo cloud-init status --long 2>&1 | head -n 8',
    'echo "--- warnings and errors in cloud-init.log"; sudo grep -E "WARNING|ERROR|Traceback" /var/log/cloud-init.log | tail -n 15',
    'echo "--- cloud-init-output.log"; sudo tail -n 25 /var/log/cloud-init-output.log',
    'echo "--- gen-lab units"; sudo journalctl -b --no-pager -u gen-lab-network -u gen-lab-containers 2>/dev/null | tail -n 20',
  ].join('; ');
  const parts: string[] = [];
  for (const vm of state.vms) {
    const r = await env.vagrant(`logs ${vm}`, labDir, ['ssh', vm, '-c', script], 120, /./);
    parts.push(r.status === 0 ? r.out.trim() : `--- ${vm}: not reachable over SSH (${r.out.trim().split('\n').pop()}); its serial console:\n${env.consoleTail(vm)}`);
  }
  return parts.join('\n');
}

async function ok(step: Step, what: string): Promise<void> {
  if (step.status === 0) return;
  const logs = await guestLogs();
  assert.unreachable(`${what} failed (exit ${step.status}); last output:\n${step.out.split('\n').slice(-40).join('\n')}\nguest logs:\n${logs}`);
}

/** When each VM reached each milestone of `vagrant up`, from the lines of its output. */
function milestones(step: Step, vm: string): { started?: number; ssh?: number; provisioned?: number } {
  const at = (re: RegExp) => step.lines.find((l) => re.test(l.text))?.t;
  const provisionedBy = vm.startsWith('host') ? new RegExp(`${vm}: containers.sh\\[${vm}\\] .*containers ready`) : new RegExp(`${vm}: gen-lab: (${vm} provisioned|cloud-init has already applied)`);
  return { started: at(new RegExp(`==> ${vm}: Starting domain`)), ssh: at(new RegExp(`==> ${vm}: Machine booted and ready`)), provisioned: at(provisionedBy) };
}

test('prerequisites: root and the packages the boot suite runs', () => {
  assert.is(process.getuid?.(), 0, 'the boot suite needs root (namespaces, libvirtd, debootstrap)');
  const missing = missingCommands(TOOLS);
  assert.equal(missing, [], `missing: ${missing.join(', ')} (scripts/install-deps.sh)`);
});

test('the namespace, libvirtd, virtlogd and the package proxy start', async () => {
  await env.start();
  const guestView = await env.run('probe', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `${env.proxyUrl}/deb.debian.org/debian/dists/bookworm/Release`], { cwd: '/', timeoutS: 120 });
  assert.is(guestView.out.trim(), '200', "Debian's archive through the proxy, from inside the namespace");
  const other = await env.run('probe', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `${env.proxyUrl}/example.org/`], { cwd: '/', timeoutS: 60 });
  assert.is(other.out.trim(), '403', 'the proxy refuses every other host');
});

test('the box and the container image are built (or reused from the cache), and gen-lab pack hands them out with the lab', async () => {
  const { box, image, boxesDir, imagesDir } = await boxAndImage(env);
  record('box build (libvirt)', box.seconds, box.reused ? 'reused from the cache' : 'built');
  record('image build (debian)', image.seconds, image.reused ? 'reused from the cache' : 'built');
  const pack = packBootLab(labDir, boxesDir, imagesDir);
  record('gen-lab pack (lab, boxes, image)', pack.seconds);
  process.stdout.write(pack.out);
  // The packed folder is self-contained: its own catalog names its own boxes by file name.
  const catalog = JSON.parse(readFileSync(join(labDir, 'boxes', 'metadata.json'), 'utf8')) as { name: string; versions: { providers: { name: string; url: string }[] }[] };
  assert.is(catalog.name, 'gen-lab/debian12');
  for (const p of catalog.versions[0]?.providers ?? []) assert.ok(existsSync(join(labDir, 'boxes', p.url)), `boxes/${p.url} (${p.name}) is in the packed folder`);
  assert.ok(catalog.versions[0]?.providers.some((p) => p.name === 'libvirt'), 'a libvirt box');
  assert.ok(existsSync(join(labDir, 'images', 'gen-lab-debian12.tar.gz')), 'the image is in the packed folder');
  assert.ok(existsSync(join(labDir, 'Vagrantfile')));
  state.catalog = join(labDir, '.vagrant', 'gen-lab', 'boxes.json');
  state.vms = ['swout1', 'swout2', 'host1', 'host2', 'user'];
});

test('the VirtualBox box boots on VirtualBox-like hardware under qemu: SATA disk, E1000 NIC, cidata on a SATA DVD', async () => {
  const box = join(cacheDir, 'boxes', boxFileName('virtualbox'));
  const r = await bootVirtualboxBox(env, box, join(cacheDir, 'virtualbox-check'));
  record('VirtualBox box on SATA + E1000 (qemu)', r.seconds);
  assert.ok(r.ok, `the box did not report itself booted with DHCP on its E1000 NIC; console tail:\n${r.console.split('\n').slice(-30).join('\n')}`);
  const xml = spawnSync('xmllint', ['--noout', '-'], { input: r.ovf, encoding: 'utf8' });
  assert.is(xml.status, 0, `box.ovf is not well-formed XML: ${xml.stderr}`);
  const home = mkdtempSync(join(tmpdir(), 'gen-lab-vbox-home-'));
  try {
    const add = spawnSync('vagrant', ['box', 'add', '--name', 'gen-lab/vbox-check', '--provider', 'virtualbox', box], { env: { ...process.env, VAGRANT_HOME: home, VAGRANT_CHECKPOINT_DISABLE: '1' }, encoding: 'utf8', timeout: 300_000 });
    assert.is(add.status, 0, `vagrant box add refused the VirtualBox box: ${add.stdout}${add.stderr}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('vagrant up --provider=libvirt boots and provisions every VM', async () => {
  env.captureConsoles();
  const up = await env.vagrant('up', labDir, ['up', '--provider=libvirt'], 3600, NOISE);
  state.up = up;
  record('vagrant up (total)', up.seconds);
  for (const vm of state.vms) {
    const m = milestones(up, vm);
    const f = (t?: number) => (t === undefined ? '?' : `${t.toFixed(0)} s`);
    timings.push([`  ${vm}`, `domain started ${f(m.started)}, SSH ${f(m.ssh)}, provisioned ${f(m.provisioned)}`]);
  }
  await ok(up, 'vagrant up');
  for (const vm of state.vms) assert.ok(milestones(up, vm).provisioned !== undefined, `${vm} reported itself provisioned`);
  assert.is(readFileSync(isoTools.calls, 'utf8'), '', `no host ISO tool was called (${ISO_TOOLS.join(', ')} all fail on this PATH)`);
  // With no package mirror and no route anywhere, cloud-init still ends without an error: gen-lab's
  // box and image carry every package the lab needs.
  const status = await env.vagrant('cloud-init status', labDir, ['ssh', 'host1', '-c', 'sudo cloud-init status'], 300, NOISE);
  assert.match(status.out, /status: done/, `host1's cloud-init: ${status.out}`);
  // Each guest read its seed from the CD-ROM gen-lab wrote (not from the fallback provisioner).
  for (const vm of state.vms) assert.match(up.out, new RegExp(`${vm}: gen-lab: cloud-init has already applied`), `${vm}: cloud-init applied vms/${vm}/cidata.iso at first boot`);
  // Vagrant records in its own box folder the catalog it added a box from (the packed folder's,
  // made absolute by the Vagrantfile), whether it added it in this run or in an earlier one.
  const catalog = JSON.parse(readFileSync(state.catalog ?? '', 'utf8')) as { name: string; versions: { version: string }[] };
  const boxDir = join(env.vagrantHome, 'boxes', catalog.name.replace('/', '-VAGRANTSLASH-'));
  assert.is(readFileSync(join(boxDir, 'metadata_url'), 'utf8').trim(), pathToFileURL(state.catalog ?? '').href, "Vagrant added the box from the catalog the spec's boxUrl names");
  const version = catalog.versions.at(-1)?.version ?? '?';
  assert.ok(existsSync(join(boxDir, version, 'libvirt', 'box.img')), `Vagrant holds ${catalog.name} ${version} for libvirt`);
  state.ready = true;
});

test('checkpoints 1-4 pass inside the booted VMs, graded by the lab\'s ./grade (runner-vagrant.sh)', async () => {
  assert.ok(state.ready, 'the lab did not come up');
  const json = join(labDir, 'grade.json');
  const checks = await exclusive('checkpoints 1-4', () => env.run('checks', ['bash', 'grade', '--runner', 'vagrant', '--json', json, '--verbose'], { cwd: labDir, timeoutS: 3600, env: env.env() }));
  record('checkpoints 1-4 (./grade, vagrant runner)', checks.seconds);
  await ok(checks, 'the checkpoints');
  const report = JSON.parse(readFileSync(json, 'utf8')) as { runner: string; score: number; checkpoints: { result: string }[] };
  assert.is(report.runner, 'vagrant');
  assert.equal(report.checkpoints.map((c) => c.result), ['pass', 'pass', 'pass', 'pass']);
  assert.is(report.score, 100);
});

// One host (with its containers) and one switch: the other VMs run the same fallback, and each
// provisioning under TCG costs about a minute of CI.
const REPROVISIONED = ['host1', 'swout1'];
test(`vagrant provision ${REPROVISIONED.join(' ')} again changes nothing`, async () => {
  assert.ok(state.ready, 'the lab did not come up');
  const snapshot = () => env.run('snapshot', ['bash', '-c', 'for c in bal1 serv1 serv2; do vagrant ssh host1 -c "sudo lxc config get $c volatile.uuid; sudo lxc info $c | grep -E ^Created"; done'], { cwd: labDir, timeoutS: 300, quiet: /./ });
  const before = await snapshot();
  const again = await env.vagrant('provision', labDir, ['provision', ...REPROVISIONED], 1800, NOISE);
  record(`vagrant provision ${REPROVISIONED.join(' ')} (again)`, again.seconds);
  await ok(again, 'vagrant provision');
  for (const vm of REPROVISIONED) assert.match(again.out, new RegExp(`${vm}: gen-lab: cloud-init has already applied`), `${vm}: the fallback sees cloud-init's work`);
  for (const c of ['bal1', 'serv1', 'serv2']) assert.match(again.out, new RegExp(`${c}: already built from this spec`), `${c} kept`);
  const after = await snapshot();
  assert.is(after.out, before.out, 'the containers are the same instances');
});

/** An ssh that refuses connection sharing as Windows' OpenSSH does, else the real one. */
function refusingSsh(dir: string): string {
  const bin = join(dir, 'ssh-without-controlmaster');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'ssh'),
    ['#!/bin/sh', '# Windows OpenSSH has no ControlMaster (PowerShell/Win32-OpenSSH#405).', 'for a in "$@"; do', '  case $a in -S | -O | Control* | -oControl*) echo "getsockname failed: Not a socket" >&2; exit 255 ;; esac', 'done', 'exec /usr/bin/ssh "$@"', ''].join('\n'),
    { mode: 0o755 },
  );
  return bin;
}

test(`vagrant reload ${HOST_TO_RELOAD}: bridges, containers and services come back by themselves; graded without ssh connection sharing`, async () => {
  assert.ok(state.ready, 'the lab did not come up');
  const reload = await env.vagrant('reload', labDir, ['reload', HOST_TO_RELOAD], 1800, NOISE);
  record(`vagrant reload ${HOST_TO_RELOAD}`, reload.seconds);
  await ok(reload, 'vagrant reload');
  // Graded as on a Windows laptop, whose OpenSSH has no ControlMaster: an ssh that refuses it.
  // Checkpoint 3 only (without connection sharing it took 399 s against 100 s with it, 2026-12-08):
  // checkpoint 4 follows with the shared connections, CI's time being short.
  const json = join(labDir, 'grade-after-reload.json');
  const checks = await exclusive('checkpoint 3 after the reload, without SSH connection sharing', () =>
    env.run('checks-after-reload', ['bash', 'grade', '--runner', 'vagrant', '--only', '3', '--json', json], { cwd: labDir, timeoutS: 1800, env: { ...env.env(), PATH: `${refusingSsh(cacheDir)}:${env.env().PATH ?? ''}` } }),
  );
  record('checkpoint 3 after the reload (ssh without ControlMaster)', checks.seconds);
  await ok(checks, 'checkpoint 3 after the reload');
  const notices = checks.out.split('\n').filter((l) => l.includes('runner-vagrant: ') && l.includes('without SSH connection sharing'));
  assert.is(notices.length, 1, `one notice that grading goes on without connection sharing:\n${checks.out.split('\n').slice(0, 20).join('\n')}`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { checkpoints: { result: string }[] };
  assert.equal(report.checkpoints.map((c) => c.result), ['skip', 'skip', 'pass', 'skip']);
  const vxlan = await exclusive('checkpoint 4 after the reload', () =>
    env.run('cp4-after-reload', ['bash', 'grade', '--runner', 'vagrant', '--only', '4'], { cwd: labDir, timeoutS: 1800, env: env.env() }),
  );
  record('checkpoint 4 after the reload', vxlan.seconds);
  await ok(vxlan, 'checkpoint 4 after the reload');
});

test('vagrant destroy -f, then nothing is left (no domain, network, namespace, process)', async () => {
  const destroy = await env.vagrant('destroy', labDir, ['destroy', '-f'], 900, NOISE);
  record('vagrant destroy -f', destroy.seconds);
  await ok(destroy, 'vagrant destroy');
  const domains = env.virsh('list', '--all', '--name').out.trim();
  assert.is(domains, '', 'no libvirt domain');
  const nets = env.virsh('net-list', '--all', '--name').out.split('\n').map((s) => s.trim()).filter((n) => n && n !== 'default');
  assert.equal(nets, [], 'no libvirt network but the distribution default');
  env.stop();
  assert.equal(env.leftovers(), []);
});

test.after(() => {
  env.stop();
  process.stdout.write(`\nboot suite timings (cache ${cacheDir}):\n${timings.map(([k, v]) => `  ${k.padEnd(36)} ${v}`).join('\n')}\n`);
});

test.run();
