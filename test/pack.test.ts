// `gen-lab pack`: the folder a teacher hands out holds the lab, every box of the catalog and the
// images, with a catalog of file names; the Vagrantfile turns it into absolute paths wherever the
// folder lands, Vagrant 2.3 (Debian's) adds the amd64 box from it, arm64 hosts get the arm64 image,
// and anything missing or damaged is refused before anything is written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, runCli } from './support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'gen-lab-pack-'));
const spec = join(repoRoot, 'examples', 'practica6.json');
const boxes = join(work, 'boxes');
const images = join(work, 'images');

/** A tiny box as Vagrant reads one: a tar with metadata.json, marked with its architecture. */
function fakeBox(provider: string, arch: string): { file: string; sha256: string } {
  const dir = join(work, `box-${provider}-${arch}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ provider }));
  writeFileSync(join(dir, 'arch.txt'), `${arch}\n`);
  const file = join(boxes, `gen-lab-debian12-${provider}-${arch}.box`);
  const tar = spawnSync('tar', ['-C', dir, '-cf', file, '.']);
  assert.is(tar.status, 0);
  return { file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
}

function catalog(entries: { provider: string; arch: string }[], name = 'gen-lab/debian12'): void {
  mkdirSync(boxes, { recursive: true });
  const providers = entries.map(({ provider, arch }) => {
    const b = fakeBox(provider, arch);
    return { name: provider, url: pathToFileURL(b.file).href, checksum_type: 'sha256', checksum: b.sha256, architecture: arch, default_architecture: arch === 'amd64' };
  });
  writeFileSync(join(boxes, 'metadata.json'), JSON.stringify({ name, description: 'test', versions: [{ version: '1.0.0', providers }, { version: '0.9.0', providers: [] }] }, null, 2));
}

function fakeImages(withArm64: boolean): void {
  mkdirSync(join(images, 'arm64'), { recursive: true });
  writeFileSync(join(images, 'gen-lab-debian12.tar.gz'), 'amd64 image stand-in\n');
  if (withArm64) writeFileSync(join(images, 'arm64', 'gen-lab-debian12.tar.gz'), 'arm64 image stand-in\n');
  else rmSync(join(images, 'arm64'), { recursive: true, force: true });
}

/** The Vagrantfile's own helpers, evaluated from another folder with a given host architecture. */
function vagrantfileView(lab: string, arch: string): { boxUrl: string; image: string } {
  const script = `
module Vagrant
  VERSION = "2.4.9"
  module Util; module Platform; def self.architecture() ${JSON.stringify(arch)} end; end; end
  def self.configure(_v) end
end
load ARGV[0]
require "json"
puts JSON.generate({ "boxUrl" => gen_lab_box_url("gen-lab/debian12", nil), "image" => gen_lab_image_file("images/gen-lab-debian12.tar.gz") })`;
  const r = spawnSync('ruby', ['-e', script, join(lab, 'Vagrantfile')], { cwd: '/', encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

test('pack writes the lab, every box and both images, with a catalog of file names (amd64 last)', () => {
  catalog([{ provider: 'virtualbox', arch: 'amd64' }, { provider: 'virtualbox', arch: 'arm64' }, { provider: 'libvirt', arch: 'amd64' }]);
  fakeImages(true);
  const lab = join(work, 'lab');
  const r = runCli(['pack', spec, '-o', lab, '--boxes', boxes, '--images', images]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /holds the lab, 3 boxes and 2 images/);
  const packed = JSON.parse(readFileSync(join(lab, 'boxes', 'metadata.json'), 'utf8')) as { name: string; versions: { version: string; providers: { name: string; url: string; architecture: string }[] }[] };
  assert.is(packed.name, 'gen-lab/debian12');
  assert.equal(packed.versions.map((v) => v.version), ['1.0.0'], 'the newest version only');
  assert.equal(packed.versions[0]?.providers.map((p) => [p.name, p.architecture, p.url]), [
    ['libvirt', 'amd64', 'gen-lab-debian12-libvirt-amd64.box'],
    ['virtualbox', 'arm64', 'gen-lab-debian12-virtualbox-arm64.box'],
    ['virtualbox', 'amd64', 'gen-lab-debian12-virtualbox-amd64.box'],
  ]);
  for (const p of packed.versions[0]?.providers ?? []) assert.ok(readFileSync(join(lab, 'boxes', p.url)).equals(readFileSync(join(boxes, p.url))), p.url);
  assert.is(readFileSync(join(lab, 'images', 'arm64', 'gen-lab-debian12.tar.gz'), 'utf8'), 'arm64 image stand-in\n');
  // What pack adds is carried, not generated: the folder still checks as up to date.
  const check = runCli([spec, '--check', '-o', lab]);
  assert.is(check.status, 0, check.stderr);
});

test('the Vagrantfile finds the packed catalog from any folder and makes its paths absolute', () => {
  const lab = join(work, 'lab');
  for (const arch of ['amd64', 'arm64']) {
    const view = vagrantfileView(lab, arch);
    assert.is(view.boxUrl, join(lab, '.vagrant', 'gen-lab', 'boxes.json'));
    assert.is(view.image, join(lab, 'images', ...(arch === 'arm64' ? ['arm64'] : []), 'gen-lab-debian12.tar.gz'), `${arch} image`);
  }
  const made = JSON.parse(readFileSync(join(lab, '.vagrant', 'gen-lab', 'boxes.json'), 'utf8')) as { versions: { providers: { url: string }[] }[] };
  for (const p of made.versions[0]?.providers ?? []) assert.ok(p.url.startsWith(join(lab, 'boxes') + '/') && existsSync(p.url), p.url);
});

test('Vagrant 2.3 (Debian\'s) adds the amd64 VirtualBox box from the packed catalog', () => {
  const lab = join(work, 'lab');
  const home = join(work, 'vagrant-home');
  const env = { ...process.env, VAGRANT_HOME: home, VAGRANT_CHECKPOINT_DISABLE: '1' };
  const add = spawnSync('vagrant', ['box', 'add', '--provider', 'virtualbox', join(lab, '.vagrant', 'gen-lab', 'boxes.json')], { env, encoding: 'utf8', timeout: 120_000 });
  assert.is(add.status, 0, `${add.stdout}${add.stderr}`);
  const arch = readFileSync(join(home, 'boxes', 'gen-lab-VAGRANTSLASH-debian12', '1.0.0', 'virtualbox', 'arch.txt'), 'utf8').trim();
  assert.is(arch, 'amd64', 'Vagrant 2.3 keeps the last entry of a provider name: amd64');
});

test('a damaged box, a missing image or a catalog of another box is refused, and nothing is written', () => {
  const cases: [string, () => void, RegExp][] = [
    ['damaged box', () => writeFileSync(join(boxes, 'gen-lab-debian12-libvirt-amd64.box'), 'not the box the catalog names'), /does not match its catalog's sha256/],
    ['no image', () => rmSync(join(images, 'gen-lab-debian12.tar.gz')), /pack-image-missing/],
    ['another box', () => catalog([{ provider: 'virtualbox', arch: 'amd64' }], 'bento/ubuntu-24.04'), /pack-box-unused/],
  ];
  for (const [what, damage, message] of cases) {
    catalog([{ provider: 'virtualbox', arch: 'amd64' }, { provider: 'libvirt', arch: 'amd64' }]);
    fakeImages(false);
    damage();
    const lab = join(work, `refused-${what.replace(/ /g, '-')}`);
    const r = runCli(['pack', spec, '-o', lab, '--boxes', boxes, '--images', images]);
    assert.is(r.status, 2, `${what}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, what);
    assert.not.ok(existsSync(lab), `${what}: ${lab} was left behind`);
  }
});

test('a catalog without arm64 boxes or images packs, and says who cannot boot it', () => {
  catalog([{ provider: 'virtualbox', arch: 'amd64' }]);
  fakeImages(false);
  const r = runCli(['pack', spec, '-o', join(work, 'amd64-only'), '--boxes', boxes, '--images', images]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /pack-no-arm64.*Apple Silicon/);
  assert.match(r.stderr, /pack-image-no-arch/);
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
