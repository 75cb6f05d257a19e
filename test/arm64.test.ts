// The arm64 path for real (root, opt-in: GEN_LAB_ARM64=1 node test/run-all.js arm64; 1-2 hours on
// 2 cores): the arm64 VirtualBox box and the arm64 container image gen-lab builds (reused from
// GEN_LAB_CACHE/arm64 while their build scripts are unchanged), the box's disk booted as VirtualBox on
// an Arm Mac would boot it, as far as this machine can show it: qemu-system-aarch64 TCG, UEFI (AAVMF),
// the disk and NIC types the box's OVF declares, and the reference lab's host2 user-data as the
// NoCloud seed. Then the lab's own containers.sh builds host2's containers from the local arm64
// image and their daemons run. Every step's time is printed. Without GEN_LAB_ARM64=1 the file says
// how to run it and registers no test (it would take most of a CI run).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_FILE } from '../generator/build/image.js';
import { AAVMF_CODE, AAVMF_VARS, ARM64_PROXY, Arm64Guest, arm64Box, arm64Image, arm64Keys, cached, freePort, gen, generateLab, qemuHardware, startProxy } from './support/arm64-lab.js';
import { missingCommands } from './support/examples.js';

const cacheDir = process.env.GEN_LAB_CACHE ?? '/var/cache/gen-lab';
const timings: [string, string][] = [];
const record = (what: string, seconds: number, note = '') => {
  timings.push([what, `${seconds.toFixed(0)} s${note ? ` (${note})` : ''}`]);
  process.stdout.write(`  arm64: ${what}: ${seconds.toFixed(0)} s${note ? ` (${note})` : ''}\n`);
};

if (!process.env.GEN_LAB_ARM64) {
  process.stdout.write('arm64: not run (it boots an arm64 host VM under TCG for 1-2 hours); run it with GEN_LAB_ARM64=1 node test/run-all.js arm64 (root)\n');
} else {
  const TOOLS: Record<string, string> = {
    'qemu-system-aarch64': 'qemu-system-arm', 'qemu-aarch64-static': 'qemu-user-static', 'qemu-img': 'qemu-utils', genisoimage: 'genisoimage', ssh: 'openssh-client', scp: 'openssh-client',
    debootstrap: 'debootstrap', 'apt-cacher-ng': 'apt-cacher-ng', 'grub-mkstandalone': 'grub-common', 'mkfs.vfat': 'dosfstools', mcopy: 'mtools', xmllint: 'libxml2-utils', vagrant: 'vagrant',
  };
  const work = mkdtempSync(join(cacheDir, 'arm64-proof-'));
  const state: { guest?: Arm64Guest; booted: boolean; provisioned: boolean; specHash: string; labNics: { mac: string; name: string }[]; box?: string; image?: string } = { booted: false, provisioned: false, specHash: '', labNics: [] };
  let stopProxy: (() => void) | undefined;
  const cleanup = () => {
    state.guest?.kill();
    stopProxy?.();
    rmSync(work, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(1);
    });
  }

  test('prerequisites: root, qemu-system-aarch64, AAVMF firmware and the build tools', () => {
    assert.is(process.getuid?.(), 0, 'the arm64 proof needs root (debootstrap, binfmt_misc, mounts)');
    const missing = missingCommands(TOOLS);
    assert.equal(missing, [], `missing: ${missing.join(', ')} (scripts/install-deps.sh)`);
    assert.ok(existsSync(AAVMF_CODE) && existsSync(AAVMF_VARS), 'AAVMF firmware (qemu-efi-aarch64)');
  });

  test('the arm64 box and image are built through the local package proxy (or reused while their build scripts are unchanged)', async () => {
    const keys = arm64Keys();
    const needsProxy = [[arm64Box(cacheDir), keys.box], [arm64Image(cacheDir), keys.image]].some(([f, k]) => !existsSync(f as string) || !existsSync(`${f}.key`) || readFileSync(`${f}.key`, 'utf8').trim() !== k);
    if (needsProxy) stopProxy = await startProxy(cacheDir);
    try {
      // One after the other: each runs its programs under qemu-user, and the machine has 2 cores.
      const box = await cached(arm64Box(cacheDir), keys.box, () =>
        gen(['box', 'build', '--arch', 'arm64', '-o', join(cacheDir, 'arm64', 'boxes'), '--proxy', ARM64_PROXY, '--box-version', '1.0.0'], 'box build', 3 * 3600).then((r) => r.status),
      );
      record('box build (arm64, virtualbox)', box.seconds, box.reused ? 'reused from the cache' : 'built');
      const image = await cached(arm64Image(cacheDir), keys.image, () => gen(['image', 'build', '--arch', 'arm64', '-o', join(cacheDir, 'arm64', 'images'), '--proxy', ARM64_PROXY], 'image build', 3 * 3600).then((r) => r.status));
      record('image build (arm64)', image.seconds, image.reused ? 'reused from the cache' : 'built');
      state.box = box.file;
      state.image = image.file;
    } finally {
      stopProxy?.();
      stopProxy = undefined;
    }
    const meta = spawnSync('tar', ['-xzOf', state.image, 'metadata.yaml'], { encoding: 'utf8' });
    assert.match(meta.stdout, /^architecture: aarch64$/m, "the image's metadata.yaml says aarch64");
  });

  test("the box's OVF describes an ARM machine with UEFI; its disk unpacks", async () => {
    assert.ok(state.box, 'no box');
    const t0 = Date.now();
    const untar = spawnSync('tar', ['-C', work, '-xf', state.box as string], { encoding: 'utf8' });
    assert.is(untar.status, 0, untar.stderr);
    const ovf = readFileSync(join(work, 'box.ovf'), 'utf8');
    const xml = spawnSync('xmllint', ['--noout', '-'], { input: ovf, encoding: 'utf8' });
    assert.is(xml.status, 0, `box.ovf is not well-formed XML: ${xml.stderr}`);
    assert.match(ovf, /<Platform architecture="ARM">/);
    assert.match(ovf, /<Firmware type="EFI"\/>/);
    assert.match(ovf, /<vbox:OSType ovf:required="false">Debian12_arm64<\/vbox:OSType>/);
    const uuids = [...ovf.matchAll(/vbox:uuid="([0-9a-f-]{36})"|<Image uuid="\{([0-9a-f-]{36})\}"/g)].map((m) => m[1] ?? m[2]);
    assert.is(uuids.length, 2, 'the disk and its attachment carry a UUID');
    assert.is(uuids[0], uuids[1], 'vbox:Machine attaches the disk the DiskSection lists');
    assert.equal(JSON.parse(readFileSync(join(work, 'metadata.json'), 'utf8')), { provider: 'virtualbox', architecture: 'arm64' });
    const convert = spawnSync('qemu-img', ['convert', '-O', 'qcow2', join(work, 'disk.vmdk'), join(work, 'disk.qcow2')], { encoding: 'utf8' });
    assert.is(convert.status, 0, convert.stderr);
    rmSync(join(work, 'disk.vmdk'));
    record('unpack the box, VMDK to qcow2', (Date.now() - t0) / 1000, `${(statSync(state.box as string).size / 1024 ** 2).toFixed(0)} MB box`);
    const catalog = JSON.parse(readFileSync(join(cacheDir, 'arm64', 'boxes', 'metadata.json'), 'utf8')) as { versions: { providers: { name: string; architecture: string; default_architecture: boolean }[] }[] };
    const entry = catalog.versions.flatMap((v) => v.providers).find((p) => p.name === 'virtualbox' && p.architecture === 'arm64');
    assert.ok(entry, 'the catalog lists the virtualbox arm64 box');
    assert.is(entry?.default_architecture, false);
  });

  test('host2 boots under qemu-system-aarch64 (UEFI, TCG) and cloud-init applies the lab\'s user-data', async () => {
    const lab = join(work, 'lab');
    const { specHash, labNics } = generateLab(lab);
    state.specHash = specHash;
    state.labNics = labNics;
    assert.ok(specHash, 'the spec hash from containers.sh');
    assert.is(labNics.length, 2, "host2's lab NICs from network.sh");
    const seed = join(work, 'seed');
    mkdirSync(seed);
    writeFileSync(join(seed, 'user-data'), readFileSync(join(lab, 'vms', 'host2', 'user-data.yaml')));
    writeFileSync(join(seed, 'meta-data'), `instance-id: gen-lab-host2-${specHash}\nlocal-hostname: host2\n`);
    const iso = spawnSync('genisoimage', ['-quiet', '-output', join(work, 'seed.iso'), '-volid', 'cidata', '-joliet', '-rock', join(seed, 'user-data'), join(seed, 'meta-data')], { encoding: 'utf8' });
    assert.is(iso.status, 0, iso.stderr);
    const hw = qemuHardware(readFileSync(join(work, 'box.ovf'), 'utf8'));
    process.stdout.write(`  arm64: ${hw.said}\n`);
    const guest = new Arm64Guest(work, await freePort());
    state.guest = guest;
    const t0 = Date.now();
    const args = guest.start(join(work, 'disk.qcow2'), join(work, 'seed.iso'), hw, labNics.map((n) => n.mac));
    process.stdout.write(`  arm64: qemu-system-aarch64 ${args.join(' ')}\n`);
    const sshAfter = await guest.waitForSsh(40 * 60);
    record('boot to SSH (UEFI, GRUB, kernel, systemd)', sshAfter);
    state.booted = true;
    const ci = await guest.ssh('cloud-init', 'sudo cloud-init status --wait --long; echo "exit=$?"', 60 * 60);
    record('cloud-init done (from qemu start)', (Date.now() - t0) / 1000);
    const arch = guest.sshQuiet('uname -m');
    assert.is(arch.out.trim(), 'aarch64', 'the guest is an arm64 machine');
    const mark = guest.sshQuiet('cat /var/lib/gen-lab/provisioned');
    if (mark.out.trim() !== `host2 ${specHash}`) {
      const logs = guest.sshQuiet('sudo tail -n 40 /var/log/cloud-init-output.log; sudo grep -E "WARNING|ERROR|Traceback" /var/log/cloud-init.log | tail -n 20', 120);
      assert.unreachable(`no provisioned mark (got "${mark.out.trim()}"); cloud-init: ${ci.out.trim()}\n${logs.out}`);
    }
    assert.match(ci.out, /status: done/, `cloud-init finished: ${ci.out.trim()}`);
    state.provisioned = true;
  });

  test('containers.sh setup builds bal2 and serv3 from the local arm64 image; keepalived, haproxy and apache2 run', async () => {
    assert.ok(state.provisioned && state.guest && state.image, 'host2 was not provisioned');
    const guest = state.guest as Arm64Guest;
    // Where containers.sh expects a local image (the Vagrantfile uploads it there).
    const guestDir = '/tmp/gen-lab-images';
    assert.match(readFileSync(join(work, 'lab', 'vms', 'host2', 'containers.sh'), 'utf8'), new RegExp(`${guestDir}/${IMAGE_FILE.replace(/\./g, '\\.')}`), 'containers.sh reads the image from /tmp/gen-lab-images');
    const mk = guest.sshQuiet(`mkdir -p ${guestDir}`);
    assert.is(mk.status, 0, mk.out);
    const copy = await guest.scp('scp', state.image as string, `${guestDir}/${IMAGE_FILE}`, 30 * 60);
    record('copy the image into the guest (scp)', copy.seconds, `${(statSync(state.image as string).size / 1024 ** 2).toFixed(0)} MB`);
    assert.is(copy.status, 0, copy.out);
    const setup = await guest.ssh('containers.sh', 'sudo /opt/gen-lab/vms/host2/containers.sh setup', 3 * 3600);
    record('containers.sh setup (import, bal2, serv3)', setup.seconds);
    assert.is(setup.status, 0, `containers.sh setup failed:\n${setup.out.split('\n').slice(-40).join('\n')}`);
    const t0 = Date.now();
    const list = guest.sshQuiet('sudo lxc list --format csv -c ns', 300);
    assert.match(list.out, /^bal2,RUNNING$/m, list.out);
    assert.match(list.out, /^serv3,RUNNING$/m, list.out);
    // A container restarted into the lab is still starting its daemons (apache2 with mod_php took
    // minutes under TCG: "activating" when first asked): wait for them, up to 15 minutes.
    const activeSoon = (container: string, units: string) =>
      guest.sshQuiet(`for i in $(seq 180); do out=$(sudo lxc exec ${container} -- systemctl is-active ${units}); case $out in *activating*) sleep 5 ;; *) break ;; esac; done; printf '%s\\n' "$out"`, 1000);
    const bal = activeSoon('bal2', 'keepalived haproxy');
    assert.equal(bal.out.trim().split('\n'), ['active', 'active'], `bal2: ${bal.out}`);
    const web = activeSoon('serv3', 'apache2');
    assert.is(web.out.trim(), 'active', `serv3: ${web.out}`);
    const carch = guest.sshQuiet('sudo lxc exec serv3 -- uname -m; uname -m', 300);
    assert.equal(carch.out.trim().split('\n'), ['aarch64', 'aarch64'], 'the container and the VM are arm64');
    record('checks (lxc list, systemctl is-active, uname -m)', (Date.now() - t0) / 1000);
  });

  test('the guest shuts down; the temporary files go', async () => {
    const stopped = await (state.guest?.stop() ?? Promise.resolve(0));
    record('shutdown', stopped);
    assert.ok(!state.guest?.running, 'qemu exited');
    cleanup();
    assert.not.ok(existsSync(work), 'the work folder is gone');
  });

  test.after(() => {
    cleanup();
    process.stdout.write('\n  arm64 proof timings:\n');
    for (const [what, t] of timings) process.stdout.write(`    ${what.padEnd(48)} ${t}\n`);
  });
}

test.run();

