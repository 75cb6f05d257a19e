// The whole lab in network namespaces with the real daemons (root only): a failed up leaves
// nothing; up, the four checkpoints and the full fault matrix pass; down leaves nothing.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './support/cli.js';
import { generateFastLab, leftovers, missingPrerequisites, runScript } from './support/emulation.js';

const lab = 'p6emu';

test('prerequisites: root and the Debian packages the emulation runs', () => {
  const why = missingPrerequisites();
  assert.is(why, '', why);
});

test('a failed up tears the half-built lab down and leaves nothing behind', () => {
  const { dir } = generateFastLab(lab);
  // serv3's Apache cannot start: up must fail there, after namespaces, cables and daemons exist.
  appendFileSync(join(dir, 'containers', 'serv3', 'apache-gen-lab.conf'), '\nNoSuchDirective on\n');
  const up = runScript(dir, 'emulate/up.sh', [], 120);
  assert.is(up.status, 1, 'up.sh must fail');
  assert.match(up.out, /tearing the half-built lab down/);
  assert.equal(leftovers(lab, dir), []);
  const down = runScript(dir, 'emulate/down.sh');
  assert.is(down.status, 0, 'down.sh is idempotent');
  assert.equal(leftovers(lab, dir), []);
});

test('up, the four checkpoints, the fault matrix and down, with nothing left', () => {
  const { dir } = generateFastLab(lab);
  try {
    const up = runScript(dir, 'emulate/up.sh', [], 180);
    assert.is(up.status, 0, 'up.sh reaches ready');
    assert.match(up.out, /ready: lab p6emu is up/);
    const status = runCli(['emulate', 'status', dir]);
    assert.is(status.status, 0);
    assert.match(status.stdout, /master now 'bal1'/);
    const checks = runScript(dir, 'emulate/checks/all.sh', [], 600);
    assert.is(checks.status, 0, 'all four checkpoints pass');
    assert.match(checks.out, /PASS cp1-stp\.sh[\s\S]*PASS cp2-vrrp\.sh[\s\S]*PASS cp3-service\.sh[\s\S]*PASS cp4-vxlan\.sh/);
    const faults = runScript(dir, 'emulate/checks/faults.sh', [], 900);
    assert.is(faults.status, 0, 'every fault of the matrix behaves as the model says');
    for (const f of ['cable +sw1-vsw1', 'cable +vsw1-vsw2', 'cable +vsw2-sw2', 'cable +sw2-sw1', 'ext-link +bal1', 'ext-link +bal2', 'keepalived +bal1', 'keepalived +bal2', 'web +serv1', 'web +serv2', 'web +serv3', 'vxlan +vxint']) {
      assert.match(faults.out, new RegExp(`^${f} `, 'm'), `fault ${f} in the summary`);
    }
  } finally {
    const down = runScript(dir, 'emulate/down.sh');
    assert.is(down.status, 0);
  }
  assert.equal(leftovers(lab, dir), []);
});

test.run();
