// What the boot suite boots: the box and the container image (built, or reused from the cache when
// their build scripts are unchanged), and the reference lab generated with the Debian family.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BOX_NAME, BOX_PROVIDERS, boxFileName, boxScript, vagrantPublicKey } from '../../generator/build/box.js';
import { IMAGE_FILE, imageScript } from '../../generator/build/image.js';
import { TemplateSet } from '../../generator/4-emit/templates.js';
import { isoImage } from '../../generator/lib/iso9660.js';
import { repoRoot, cliPath } from './cli.js';
import type { BootEnv } from './boot-env.js';

export const BOOT_LAB = 'p6boot';

export interface Built {
  file: string;
  reused: boolean;
  seconds: number;
}

/** Hash of what decides a build's result: the rendered script minus its volatile timestamp. */
function buildKey(script: string): string {
  return createHash('sha256').update(script.replace(/^creation_date: .*$/m, '')).digest('hex').slice(0, 16);
}

async function cached(dir: string, file: string, key: string, build: () => Promise<number | null>): Promise<Built> {
  const stamp = join(dir, `${file}.key`);
  const target = join(dir, file);
  if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === key) return { file: target, reused: true, seconds: 0 };
  rmSync(stamp, { force: true });
  const t0 = Date.now();
  const status = await build();
  if (status !== 0 || !existsSync(target)) throw new Error(`building ${file} failed (exit ${status})`);
  writeFileSync(stamp, key + '\n');
  return { file: target, reused: false, seconds: (Date.now() - t0) / 1000 };
}

function cli(env: BootEnv, label: string, args: string[]): Promise<number | null> {
  return env.run(label, [process.execPath, cliPath, ...args], { cwd: repoRoot, timeoutS: 1800, env: process.env }).then((s) => s.status);
}

export async function boxAndImage(env: BootEnv): Promise<{ box: Built; image: Built; catalog: string; boxesDir: string; imagesDir: string }> {
  const templates = TemplateSet.withOverrides([]);
  const boxes = join(env.cacheDir, 'boxes');
  const images = join(env.cacheDir, 'images');
  mkdirSync(boxes, { recursive: true });
  mkdirSync(images, { recursive: true });
  const proxy = env.proxyUrl;
  // Side by side: each mostly waits for the proxy and the disk (about a minute saved on a fresh machine).
  const [box, image] = await Promise.all([
    cached(boxes, boxFileName('libvirt'), buildKey(boxScript(templates, [...BOX_PROVIDERS], proxy, vagrantPublicKey())), () =>
      cli(env, 'box build', ['box', 'build', '-o', boxes, '--proxy', proxy, '--box-version', '1.0.0']),
    ),
    cached(images, IMAGE_FILE, buildKey(imageScript(templates, proxy)), () => cli(env, 'image build', ['image', 'build', '-o', images, '--proxy', proxy])),
  ]);
  // A new box under the same name and version: Vagrant and libvirt must not go on using the old copy.
  if (!box.reused) env.forgetBox(BOX_NAME);
  return { box, image, catalog: join(boxes, 'metadata.json'), boxesDir: boxes, imagesDir: images };
}

/**
 * The reference spec as the boot suite runs it: gen-lab's own box and image (the defaults, which a
 * spec without box or image gets), no package proxy (the guests reach nothing: a classroom without
 * Internet), kernel-minimum STP timers, and guests sized for 2 cores and TCG.
 */
export function bootSpec(): object {
  const spec = JSON.parse(readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8')) as Record<string, unknown> & { vms: { role: string; memory?: number }[] };
  spec.name = BOOT_LAB;
  spec.defaults = { ...(spec.defaults as object), memory: 384, stp: { forwardDelay: 4, helloTime: 1, maxAge: 6 } };
  for (const vm of spec.vms) vm.memory = vm.role === 'host' ? 1024 : 384;
  return spec;
}

/** What a student gets from the teacher: `gen-lab pack` of the lab with the boxes' catalog folder
 * and the images folder, into `dir` (readable by libvirt's qemu user). */
export function packBootLab(dir: string, boxesDir: string, imagesDir: string): { seconds: number; out: string } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  const specFile = `${dir}.json`;
  writeFileSync(specFile, JSON.stringify(bootSpec(), null, 2));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cliPath, 'pack', specFile, '-o', dir, '--boxes', boxesDir, '--images', imagesDir], { encoding: 'utf8', timeout: 1_200_000 });
  if (r.status !== 0) throw new Error(`gen-lab pack failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
  chmodSync(dir, 0o755);
  return { seconds: (Date.now() - t0) / 1000, out: `${r.stdout}${r.stderr}` };
}

/** ISO tools a host might build a cloud-init seed with (mkisofs, genisoimage, xorriso on Linux,
 * hdiutil on macOS, oscdimg on Windows): each one here fails and says it was called. */
export const ISO_TOOLS = ['mkisofs', 'genisoimage', 'xorriso', 'xorrisofs', 'hdiutil', 'oscdimg'];

export function failingIsoTools(dir: string): { bin: string; calls: string } {
  const bin = join(dir, 'no-iso-tools');
  const calls = join(dir, 'iso-tool-calls.log');
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(calls, '');
  for (const tool of ISO_TOOLS) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >>${JSON.stringify(calls)}\necho "${tool}: not on a student's laptop (gen-lab boot suite)" >&2\nexit 1\n`, { mode: 0o755 });
  }
  return { bin, calls };
}

/**
 * The VirtualBox box on VirtualBox's hardware, as far as this machine can show it: qemu with an
 * i440fx board, the disk on an AHCI (SATA) controller, an E1000 NIC behind a NAT that gives DHCP
 * but reaches nothing (slirp with restrict=on), and a cidata ISO on a SATA DVD as Vagrant attaches
 * it. The guest's cloud-init prints its eth0 address on the serial console and powers off.
 */
export async function bootVirtualboxBox(env: BootEnv, boxFile: string, work: string): Promise<{ ok: boolean; seconds: number; console: string; ovf: string }> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'seed'), { recursive: true });
  const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000 });
  const untar = run('tar', ['-C', work, '-xf', boxFile]);
  if (untar.status !== 0) throw new Error(`cannot unpack ${boxFile}: ${untar.stderr}`);
  writeFileSync(join(work, 'seed', 'meta-data'), 'instance-id: gen-lab-virtualbox-check\nlocal-hostname: vbcheck\n');
  writeFileSync(
    join(work, 'seed', 'user-data'),
    '#cloud-config\nruncmd:\n  - [sh, -c, "echo GEN-LAB-BOX-BOOTED eth0=$(ip -4 -o addr show dev eth0 | cut -d\' \' -f7) driver=$(basename $(readlink /sys/class/net/eth0/device/driver)) >/dev/ttyS0; poweroff"]\n',
  );
  // The seed as gen-lab writes it for every VM (no host ISO tool).
  writeFileSync(join(work, 'seed.iso'), isoImage('cidata', ['meta-data', 'user-data'].map((name) => ({ name, content: readFileSync(join(work, 'seed', name)) }))));
  const consoleLog = join(work, 'console.log');
  const args = [
    '-machine', 'pc,accel=tcg', '-m', '512', '-smp', '1', '-nographic', '-monitor', 'none', '-serial', `file:${consoleLog}`,
    '-device', 'ahci,id=sata',
    '-drive', `file=${join(work, 'disk.vmdk')},if=none,id=disk,snapshot=on`, '-device', 'ide-hd,drive=disk,bus=sata.0',
    '-drive', `file=${join(work, 'seed.iso')},if=none,id=dvd,media=cdrom,readonly=on`, '-device', 'ide-cd,drive=dvd,bus=sata.1',
    '-netdev', 'user,id=nat,restrict=on', '-device', 'e1000,netdev=nat',
  ];
  const boot = await env.run('virtualbox-box', ['timeout', '900', 'qemu-system-x86_64', ...args], { cwd: work, timeoutS: 960, env: process.env });
  const text = existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8') : '';
  return { ok: boot.status === 0 && /GEN-LAB-BOX-BOOTED eth0=10\.0\.2\.15\/24 driver=e1000/.test(text), seconds: boot.seconds, console: text, ovf: readFileSync(join(work, 'box.ovf'), 'utf8') };
}
