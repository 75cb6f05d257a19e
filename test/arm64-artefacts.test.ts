// What CI checks of the arm64 path on every run (the opt-in proof, GEN_LAB_ARM64=1, builds the
// arm64 box and image under qemu-user and boots them under qemu-system-aarch64: over an hour on
// this machine, docs/arm64.md): the arm64 box's build script parses, and its OVF is what VirtualBox
// 7.1+ on an Arm host imports as an ARM machine (vbox:Machine with an ARM platform, EFI, Virtio-SCSI,
// an E1000 NIC: VirtualBox's own generic OVF import makes x86 machines only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { ARCH_PROVIDERS, boxFileName, boxScript, checkProviders } from '../generator/build/box.js';
import { imageScript } from '../generator/build/image.js';
import { TemplateSet } from '../generator/4-emit/templates.js';

const templates = TemplateSet.withOverrides([]);
const KEY = '/usr/share/vagrant-insecure-key.pub';
const script = boxScript(templates, ['virtualbox'], 'http://127.0.0.1:3142', KEY, 'arm64');
const ovf = /<<'OVF'\n([\s\S]*?)\nOVF\n/.exec(script)?.[1] ?? '';

test('the arm64 box and image build scripts parse (bash -n) and name arm64 everywhere it matters', () => {
  for (const [what, text] of [['box', script], ['image', imageScript(templates, 'http://127.0.0.1:3142', 'arm64')]] as const) {
    const r = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8' });
    assert.is(r.status, 0, `${what}: ${r.stderr}`);
    assert.match(text, /debootstrap --arch='arm64' /, `${what}: debootstrap for arm64`);
  }
  assert.match(script, /linux-image-arm64/);
  assert.match(script, /BOOTAA64\.EFI/, 'the removable-media EFI loader');
  assert.is(boxFileName('virtualbox', 'arm64'), 'gen-lab-debian12-virtualbox-arm64.box');
});

test('the arm64 OVF is well-formed and describes an ARM machine VirtualBox imports as one', () => {
  assert.ok(ovf.length > 0, 'OVF heredoc found in the box script');
  const xml = spawnSync('xmllint', ['--noout', '-'], { input: ovf.replace(/@[A-Z_]+@/g, '0'), encoding: 'utf8' });
  assert.is(xml.status, 0, xml.stderr);
  const machine = /<vbox:Machine[\s\S]*<\/vbox:Machine>/.exec(ovf)?.[0] ?? '';
  assert.match(machine, /OSType="Debian12_arm64"/);
  assert.match(machine, /<Platform architecture="ARM">[\s\S]*<Chipset type="ARMv8Virtual"\/>/);
  assert.match(machine, /<Firmware type="EFI"\/>/);
  assert.match(machine, /<StorageController[^>]*type="VirtioSCSI"/, 'VirtualBox offers ARM guests Virtio-SCSI only');
  assert.match(machine, /<Adapter slot="0" enabled="true" type="82540EM">/, 'an E1000, which VirtualBox offers ARM guests');
  assert.not.match(ovf, /PIIX|AHCI|ICH9/, 'no x86 controller or chipset');
});

test('an arm64 box is a VirtualBox box: asking for libvirt arm64 is refused with a clear reason', () => {
  assert.equal([...ARCH_PROVIDERS.arm64], ['virtualbox']);
  assert.throws(() => checkProviders(['libvirt'], 'arm64'), /arm64 boxes are built for virtualbox only/);
});

test.run();
