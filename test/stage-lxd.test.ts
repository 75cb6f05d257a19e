// Teaching mode in the VMs' LXD artefacts (no root): a lab stopped at a stage creates only the
// containers its stage has built, each with only its built NICs and daemons; the images of the
// rest are already on the VM (a class needs no Internet); prebuilt containers exist bare.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, runCli } from './support/cli.js';
import { ALPINE_IMAGE } from './support/examples.js';

// The reference lab with the Alpine image family (the handout's), whose adapter lines these read.
const reference = { ...(JSON.parse(readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8')) as Record<string, unknown>) };
reference.defaults = { ...(reference.defaults as object), image: ALPINE_IMAGE };

function generate(spec: Record<string, unknown>, stage: number): string {
  const tmp = mkdtempSync(join(tmpdir(), 'gen-lab-stage-lxd-'));
  writeFileSync(join(tmp, 'spec.json'), JSON.stringify(spec));
  const out = join(tmp, 'lab');
  const r = runCli([join(tmp, 'spec.json'), '--stage', String(stage), '-o', out]);
  assert.is(r.status, 0, r.stderr);
  return out;
}
const read = (dir: string, p: string) => readFileSync(join(dir, p), 'utf8');
const setups = (script: string) => [...script.matchAll(/^ {4}setup_(\S+)$/gm)].map((m) => m[1]);

test('stage 0: no container is created, the image the students will use is cached on each host', () => {
  const dir = generate(reference, 0);
  for (const vm of ['host1', 'host2']) {
    const s = read(dir, `vms/${vm}/containers.sh`);
    assert.equal(setups(s), [], `${vm} creates no container`);
    assert.match(s, /^ {4}cache_image 'images:alpine\/3\.\d+'$/m, `${vm} caches the image`);
  }
  assert.not.ok(existsSync(join(dir, 'containers/bal1/profile.yaml')), 'no profile for a container not built');
});

test('stage 2: the balancers exist with only their VRRP NIC and keepalived; the servers do not', () => {
  const dir = generate(reference, 2);
  const s = read(dir, 'vms/host1/containers.sh');
  assert.equal(setups(s), ['bal1']);
  assert.match(s, /alpine_enable 'bal1' 'keepalived'/);
  assert.not.match(s, /alpine_enable 'bal1' 'haproxy'/, 'haproxy is the student\'s (stage 3)');
  const profile = read(dir, 'containers/bal1/profile.yaml');
  assert.match(profile, /parent: vswout1/);
  assert.not.match(profile, /vswin1/, 'the inner NIC is stage 3\'s');
  assert.not.ok(existsSync(join(dir, 'containers/bal1/haproxy.cfg')), 'haproxy.cfg is the student\'s answer');
});

test('stage 3: every container with every NIC and daemon; stage 4 adds nothing to the containers', () => {
  const three = generate(reference, 3);
  const four = generate(reference, 4);
  assert.equal(setups(read(three, 'vms/host1/containers.sh')), ['bal1', 'serv1', 'serv2']);
  for (const c of ['bal1', 'serv1']) assert.is(read(three, `containers/${c}/profile.yaml`), read(four, `containers/${c}/profile.yaml`));
  assert.match(read(three, 'vms/host1/containers.sh'), /alpine_enable 'bal1' 'haproxy'/);
});

test('prebuild containers at stage 0: every container exists bare (packages, no lab NIC, no daemon)', () => {
  const stages = (reference['stages'] as Record<string, unknown>[]).map((s, i) => (i === 0 ? { ...s, prebuild: { containers: true } } : s));
  const dir = generate({ ...reference, stages }, 0);
  const s = read(dir, 'vms/host1/containers.sh');
  assert.equal(setups(s), ['bal1', 'serv1', 'serv2']);
  assert.not.match(s, /alpine_enable '/, 'no daemon enabled');
  assert.match(s, /installing \$packages|_install_packages 'serv1'/, 'packages still installed');
  assert.not.match(read(dir, 'containers/serv1/profile.yaml'), /type: nic/, 'no lab NIC');
  assert.not.match(s, /cache_image/, 'every image comes with a created container');
});

test.run();
