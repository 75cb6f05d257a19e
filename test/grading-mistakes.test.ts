// Grading judges behaviour (root, emulation): the whole reference lab passes its four checkpoints;
// each mistake a student makes is then injected by hand, the checkpoint that grades it fails with
// evidence naming the mistake while a neighbouring checkpoint still passes, and the mistake is
// undone before the next one. The evidence is in the lab's language (Spanish here).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './support/cli.js';
import { generateLab, leftovers, missingPrerequisites, runScript } from './support/emulation.js';

const reference = JSON.parse(readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8')) as Record<string, unknown>;
const fast = { ...reference, defaults: { ...(reference['defaults'] as object), stp: { forwardDelay: 2, helloTime: 1, maxAge: 6 } } };
const lab = 'mst';
const CHECKPOINTS = ['cp1-stp.sh', 'cp2-vrrp.sh', 'cp3-service.sh', 'cp4-vxlan.sh'];
let dir = '';

const sh = (cmd: string) => {
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
  assert.is(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout.trim();
};
const inNs = (node: string, cmd: string) => sh(`ip netns exec ${lab}-${node} ${cmd}`);
const checkpoint = (n: number) => runScript(dir, `emulate/checks/${CHECKPOINTS[n - 1]}`, [], 400);
const daemon = (action: 'start' | 'stop', node: string, name: string) => assert.is(runScript(dir, 'emulate/daemons.sh', [action, node, name]).status, 0);
function edit(file: string, change: (s: string) => string): () => void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  assert.is.not(after, before, `the mistake changes ${file}`);
  writeFileSync(path, after);
  return () => writeFileSync(path, before);
}
function restartDaemon(nodes: string[], name: string) {
  for (const n of nodes) daemon('stop', n, name);
  for (const n of nodes) daemon('start', n, name);
}

/** The mistake's checkpoint fails with its evidence; the neighbour passes. */
function judged(target: number, evidence: RegExp, neighbour: number) {
  const t = Date.now();
  const cp = checkpoint(target);
  assert.is(cp.status, 1, `checkpoint ${target} fails`);
  assert.match(cp.out, evidence);
  assert.is(checkpoint(neighbour).status, 0, `checkpoint ${neighbour} still passes`);
  process.stdout.write(`mistake judged in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
}

test('prerequisites: root and the Debian packages the emulation runs', () => {
  const why = missingPrerequisites();
  assert.is(why, '', why);
});

test('the whole lab passes its four checkpoints', () => {
  dir = generateLab(lab, fast).dir;
  assert.is(runScript(dir, 'emulate/up.sh', [], 240).status, 0);
  for (const n of [1, 2, 3, 4]) assert.is(checkpoint(n).status, 0, `checkpoint ${n}`);
});

test('the wrong STP root fails checkpoint 1, naming the root seen', () => {
  // swout2's bridge takes priority 0: it becomes the root instead of swout1's.
  const before = inNs('swout2', 'cat /sys/class/net/swout2/bridge/priority');
  const rootId = inNs('swout1', 'cat /sys/class/net/swout1/bridge/bridge_id');
  inNs('swout2', 'ip link set dev swout2 type bridge priority 0');
  try {
    // Two hello times: every bridge has heard the new root (a student's lab is graded long after).
    sh('sleep 2');
    const wrong = inNs('swout2', 'cat /sys/class/net/swout2/bridge/bridge_id');
    judged(1, new RegExp(`FAIL puente raíz que ve host1/vswout1 .*se esperaba '${rootId}', se vio '${wrong}'`), 2);
  } finally {
    inNs('swout2', `ip link set dev swout2 type bridge priority ${before}`);
  }
});

test('VRRP priorities swapped fail checkpoint 2, naming the master seen', () => {
  const swap = (s: string) => s.replace(/priority 150/, 'priority 90');
  const undo = edit('containers/bal1/keepalived.conf', swap);
  try {
    restartDaemon(['bal1'], 'keepalived');
    judged(2, /FAIL maestro VRRP de vrrpext \(quien tiene 172\.16\.1\.254\): se esperaba 'bal1', se vio 'bal2'/, 1);
  } finally {
    undo();
    restartDaemon(['bal1'], 'keepalived');
  }
});

test('a server missing from the backend fails checkpoint 3, naming the servers that answered', () => {
  const drop = (s: string) => s.replace(/^\s*server serv2 .*\n/m, '');
  const undo = [edit('containers/bal1/haproxy.cfg', drop), edit('containers/bal2/haproxy.cfg', drop)];
  try {
    restartDaemon(['bal1', 'bal2'], 'haproxy');
    judged(3, /FAIL miservidor por 172\.16\.1\.254: roundrobin responde desde todos los servidores alcanzables: se esperaba 'serv1 serv2 serv3', se vio 'serv1 serv3'/, 2);
  } finally {
    for (const u of undo) u();
    restartDaemon(['bal1', 'bal2'], 'haproxy');
  }
});

test('a balancer that forwards fails checkpoint 3, naming the forwarding', () => {
  inNs('bal1', 'sysctl -qw net.ipv4.ip_forward=1');
  try {
    judged(3, /FAIL bal1: net\.ipv4\.ip_forward: se esperaba '0', se vio '1'/, 4);
  } finally {
    inNs('bal1', 'sysctl -qw net.ipv4.ip_forward=0');
  }
});

test('no VXLAN fails checkpoint 4, naming the missing device', () => {
  inNs('host1', 'ip link del vx-vxint');
  judged(4, /FAIL falta lo que la etapa 4 construye: host1: no hay ningún dispositivo VXLAN con VNI 42 \(segmento vxint\)/, 3);
});

test.after(() => {
  if (!dir) return;
  runScript(dir, 'emulate/down.sh');
  const left = leftovers(lab, dir);
  if (left.length) throw new Error(`left behind: ${left.join(', ')}`);
});
test.run();
