// The NoCloud seed image writer (generator/lib/iso9660.ts) judged by the programs that read seeds:
// isoinfo (both directory trees), blkid (the label cloud-init looks for), cloud-init's own device
// lookup, libarchive's bsdtar when installed, the kernel's isofs when this machine can mount one,
// and genisoimage as the reference for what the files read back as.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isoImage, type IsoFile } from '../generator/lib/iso9660.js';

const SECTOR = 2048;

// user-data spans four sectors and carries multi-byte UTF-8; boundary.bin fills two sectors
// exactly, with every byte value; vendor-data is empty (NoCloud reads it when present).
const userData = `#cloud-config\n# Generated for the iso9660 test\nwrite_files:\n${Array.from(
  { length: 90 },
  (_, i) => `  - path: /etc/gen-lab/${i}.txt\n    content: "Grüße, 日本語, 🐧 n°${i}"\n`,
).join('')}`;
const boundary = Uint8Array.from({ length: 2 * SECTOR }, (_, i) => (i * 7 + 3) % 256);
const SEED: IsoFile[] = [
  { name: 'user-data', content: userData },
  { name: 'meta-data', content: 'instance-id: web1\nlocal-hostname: web1\n' },
  { name: 'vendor-data', content: '' },
  { name: 'boundary.bin', content: boundary },
];
const bytesOf = (f: IsoFile) => (typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content));

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), text: `${r.stdout ?? ''}`, err: `${r.error ?? ''}${r.stderr ?? ''}` };
}
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const work = mkdtempSync(join(tmpdir(), 'gen-lab-iso9660-'));
let counter = 0;
/** Writes the image to a file of its own and returns its path (all removed at the end). */
function imageFile(bytes: Buffer): string {
  const path = join(work, `seed-${counter++}.iso`);
  writeFileSync(path, bytes);
  return path;
}
const seedImage = imageFile(isoImage('cidata', SEED));

/** File names in a directory listing from `isoinfo -l` (with -J: the Joliet tree), "." and ".." left out. */
function listed(image: string, joliet: boolean): Map<string, number> {
  const r = run('isoinfo', ['-i', image, '-l', ...(joliet ? ['-J'] : [])]);
  assert.is(r.status, 0, r.err);
  const files = new Map<string, number>();
  for (const m of r.text.matchAll(/^-\S+\s+\d+\s+\d+\s+\d+\s+(\d+) .*\]\s+(.+?)\s*$/gm)) files.set(m[2] as string, Number(m[1]));
  return files;
}

function extracted(image: string, path: string, joliet: boolean): Buffer {
  const r = run('isoinfo', ['-i', image, ...(joliet ? ['-J'] : []), '-x', path]);
  assert.is(r.status, 0, r.err);
  return r.stdout;
}

test('the readers are installed (genisoimage and util-linux: scripts/install-deps.sh)', () => {
  assert.equal(['isoinfo', 'genisoimage', 'blkid', 'cloud-init'].filter((c) => !has(c)), []);
});

test('isoinfo: volume id cidata, a Joliet tree, no Rock Ridge, 2048-byte blocks, volume size = image size', () => {
  const r = run('isoinfo', ['-d', '-i', seedImage]);
  assert.is(r.status, 0, r.err);
  assert.match(r.text, /^Volume id: cidata$/m);
  assert.match(r.text, /^Joliet with UCS level 3 found$/m);
  assert.match(r.text, /^NO Rock Ridge present$/m); // Else Linux would read Rock Ridge names, not Joliet's.
  assert.match(r.text, /^Logical block size is: 2048$/m);
  assert.is(Number(/^Volume size is: (\d+)$/m.exec(r.text)?.[1]), readFileSync(seedImage).length / SECTOR);
});

test('isoinfo -J -l lists the real names (lower case, hyphen, no ";1") with their sizes', () => {
  assert.equal(listed(seedImage, true), new Map(SEED.map((f) => [f.name, bytesOf(f).length])));
});

test('isoinfo -J -x returns every file byte for byte (multi-sector UTF-8, exactly two sectors, empty)', () => {
  assert.ok(bytesOf(SEED[0] as IsoFile).length > 3 * SECTOR, 'user-data should span several sectors');
  for (const f of SEED) assert.ok(extracted(seedImage, `/${f.name}`, true).equals(bytesOf(f)), f.name);
});

test('the ISO 9660 tree has 8.3 names for readers without Joliet, holding the same bytes', () => {
  const names = listed(seedImage, false);
  assert.equal([...names.keys()].sort(), ['BOUNDARY.BIN;1', 'META_DAT.;1', 'USER_DAT.;1', 'VENDOR_D.;1']);
  assert.ok(extracted(seedImage, '/USER_DAT.;1', false).equals(bytesOf(SEED[0] as IsoFile)));
  assert.ok(extracted(seedImage, '/BOUNDARY.BIN;1', false).equals(Buffer.from(boundary)));
});

test('blkid -p: TYPE=iso9660, LABEL=cidata (what cloud-init searches for)', () => {
  const r = run('blkid', ['-p', '-o', 'export', seedImage]);
  assert.is(r.status, 0, r.err);
  assert.match(r.text, /^TYPE=iso9660$/m);
  assert.match(r.text, /^LABEL=cidata$/m);
});

/** cloud-init's own Python: the interpreter its launcher names (a pyenv python3 on PATH lacks it). */
function cloudInitPython(): string {
  const launcher = run('sh', ['-c', 'command -v cloud-init']).text.trim();
  return /^#!\s*(\S+)/.exec(readFileSync(launcher, 'utf8'))?.[1] ?? 'python3';
}
const CLOUD_INIT_SCRIPT = `
import json, sys
from cloudinit import util
image, mount = sys.argv[1], sys.argv[2] == "mount"
out = {"label": util.find_devs_with("LABEL=cidata", path=image), "type": util.find_devs_with("TYPE=iso9660", path=image)}
if mount:
    wanted = {"required": ["user-data", "meta-data"], "optional": ["vendor-data", "network-config"]}
    seed = util.mount_cb(image, lambda mp, data: util.pathprefix2dict(mp, **data), wanted)
    out["seed"] = {k: v.hex() for k, v in seed.items()}
print(json.dumps(out))
`;
function cloudInit(image: string, mount: boolean): { label: string[]; type: string[]; seed?: Record<string, string> } {
  const r = run(cloudInitPython(), ['-c', CLOUD_INIT_SCRIPT, image, mount ? 'mount' : 'probe']);
  assert.is(r.status, 0, r.err);
  return JSON.parse(r.text);
}

test("cloud-init's NoCloud device lookup (util.find_devs_with, blkid) finds the image by LABEL=cidata and TYPE=iso9660", () => {
  const found = cloudInit(seedImage, false);
  assert.equal(found.label, [seedImage]);
  assert.equal(found.type, [seedImage]);
});

test('bsdtar (libarchive, also the tar.exe of Windows) lists and extracts the Joliet names', () => {
  if (!has('bsdtar')) {
    console.log('  note: bsdtar not installed (Debian package libarchive-tools): libarchive check skipped');
    return;
  }
  const list = run('bsdtar', ['-tf', seedImage]);
  assert.is(list.status, 0, list.err);
  assert.equal(list.text.split('\n').filter((l) => l && l !== '.').sort(), SEED.map((f) => f.name).sort());
  for (const f of SEED) assert.ok(run('bsdtar', ['-xOf', seedImage, f.name]).stdout.equals(bytesOf(f)), f.name);
});

test('the kernel mounts it (mount -o loop,ro) and cat reads each file by its name; so does cloud-init', () => {
  const mountPoint = join(work, 'mnt');
  mkdirSync(mountPoint, { recursive: true });
  const mounted = run('mount', ['-o', 'loop,ro', seedImage, mountPoint]);
  if (mounted.status !== 0) {
    console.log(`  note: mount -o loop,ro is not possible here (${mounted.err.trim().split('\n')[0]}): kernel and cloud-init mount checks skipped`);
    return;
  }
  try {
    assert.equal(run('ls', ['-A', mountPoint]).text.split('\n').filter(Boolean).sort(), SEED.map((f) => f.name).sort());
    for (const f of SEED) assert.ok(run('cat', [join(mountPoint, f.name)]).stdout.equals(bytesOf(f)), f.name);
  } finally {
    const r = run('umount', [mountPoint]);
    assert.is(r.status, 0, r.err);
  }
  const seed = cloudInit(seedImage, true).seed ?? {};
  assert.is(Buffer.from(seed['user-data'] ?? '', 'hex').toString('utf8'), userData);
  assert.is(Buffer.from(seed['meta-data'] ?? '', 'hex').toString('utf8'), SEED[1]?.content);
  assert.is(seed['vendor-data'], '');
});

test('deterministic: the same input gives the same bytes, other content other bytes', () => {
  const again = isoImage('cidata', SEED.map((f) => ({ ...f })));
  assert.ok(again.equals(readFileSync(seedImage)));
  const changed = isoImage('cidata', [{ ...(SEED[0] as IsoFile), content: `${userData}#\n` }, ...SEED.slice(1)]);
  assert.not.ok(changed.equals(again));
  assert.not.ok(isoImage('CIDATA', SEED).equals(again));
});

test('small: 25 sectors of structure plus the sectors of the contents (no trailing padding)', () => {
  const tenKb = isoImage('cidata', [
    { name: 'user-data', content: 'u'.repeat(9 * 1024) },
    { name: 'meta-data', content: 'm'.repeat(1024) },
  ]);
  console.log(`  a 2-file seed of 10 KB content: ${tenKb.length} bytes (${tenKb.length / SECTOR} sectors)`);
  assert.is(tenKb.length, (25 + 5 + 1) * SECTOR);
  const seedSectors = SEED.reduce((n, f) => n + Math.ceil(bytesOf(f).length / SECTOR), 0);
  assert.is(readFileSync(seedImage).length, (25 + seedSectors) * SECTOR);
});

test('a root directory over several sectors, and 8.3 names that would collide, read back whole', () => {
  const files = Array.from({ length: 40 }, (_, i) => ({ name: `cloud-config-part-${String(i).padStart(2, '0')}-${'x'.repeat(38)}.yaml`, content: `part ${i}\n` }));
  const image = imageFile(isoImage('cidata', files));
  const joliet = listed(image, true);
  assert.equal([...joliet.keys()].sort(), files.map((f) => f.name).sort());
  assert.ok(Number(/^Volume size is: (\d+)$/m.exec(run('isoinfo', ['-d', '-i', image]).text)?.[1]) > 25 + 40, 'directories should need more than a sector each');
  for (const f of files) assert.is(extracted(image, `/${f.name}`, true).toString(), f.content);
  const primary = [...listed(image, false).keys()];
  assert.is(new Set(primary).size, files.length);
  assert.equal(primary.map((name) => extracted(image, `/${name}`, false).toString()).sort(), files.map((f) => f.content).sort());
});

test('bad input throws: long volume id, duplicate names (also by case), a slash, empty or non-ASCII names', () => {
  const one = [{ name: 'user-data', content: '' }];
  assert.throws(() => isoImage('a-volume-id-of-17', one), /longer than 16/);
  assert.throws(() => isoImage('', one), /volume id/);
  assert.throws(() => isoImage('cidata', [...one, { name: 'user-data', content: 'x' }]), /same name/);
  assert.throws(() => isoImage('cidata', [...one, { name: 'User-Data', content: 'x' }]), /same name/);
  assert.throws(() => isoImage('cidata', [{ name: 'dir/user-data', content: '' }]), /contains/);
  assert.throws(() => isoImage('cidata', [{ name: '', content: '' }]), /empty/);
  assert.throws(() => isoImage('cidata', [{ name: 'grüße', content: '' }]), /ASCII/);
  assert.throws(() => isoImage('cidata', [{ name: 'x'.repeat(65), content: '' }]), /longer than 64/);
  assert.throws(() => isoImage('cidata', [{ name: 'user-data.', content: '' }]), /ends with/);
  assert.ok(isoImage('cidata', [{ name: 'x'.repeat(64), content: '' }]).length > 0, '64 characters are allowed');
});

test('genisoimage -joliet -rock builds a seed whose files read back the same as ours', () => {
  const dir = join(work, 'genisoimage-src');
  mkdirSync(dir, { recursive: true });
  for (const f of SEED) writeFileSync(join(dir, f.name), bytesOf(f));
  const reference = join(work, 'genisoimage.iso');
  const r = run('genisoimage', ['-quiet', '-volid', 'cidata', '-joliet', '-rock', '-o', reference, dir]);
  assert.is(r.status, 0, r.err);
  assert.equal(listed(seedImage, true), listed(reference, true));
  assert.equal(listed(seedImage, false), listed(reference, false));
  for (const f of SEED) assert.ok(extracted(seedImage, `/${f.name}`, true).equals(extracted(reference, `/${f.name}`, true)), f.name);
  const label = (image: string) => /^LABEL=(.*)$/m.exec(run('blkid', ['-p', '-o', 'export', image]).text)?.[1];
  assert.is(label(seedImage), label(reference));
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
