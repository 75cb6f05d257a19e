// Teaching mode (root, emulation): the reference lab generated at each stage comes up in namespaces,
// holds exactly what its stage builds (namespaces, bridges, daemons), serves what it should and
// leaves nothing after down; stage 4 is the lab without any stage, byte for byte.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, runCli } from './support/cli.js';
import { generateLab, leftovers, missingPrerequisites, runScript } from './support/emulation.js';
import { assertStage, readModel, runStudent } from './support/student.js';

const reference = JSON.parse(readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8')) as Record<string, unknown>;
const fast = { ...reference, defaults: { ...(reference['defaults'] as object), stp: { forwardDelay: 2, helloTime: 1, maxAge: 6 } } };
const suiteStart = Date.now();

function filesOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout ?? '';
const namespaces = (lab: string) => sh('ip netns list').split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`${lab}-`)).sort();
const commsIn = (ns: string) => sh(`ip netns pids ${ns} | xargs -r ps -o comm= -p`).split('\n').filter(Boolean);

test('prerequisites: root and the Debian packages the emulation runs', () => {
  const why = missingPrerequisites();
  assert.is(why, '', why);
});

test('--stage 4 writes the same lab as no stage at all, byte for byte', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gen-lab-stage4-'));
  const spec = join(repoRoot, 'examples', 'practica6.json');
  assert.is(runCli([spec, '-o', join(tmp, 'none')]).status, 0);
  assert.is(runCli([spec, '--stage', '4', '-o', join(tmp, 'four')]).status, 0);
  const [a, b] = [filesOf(join(tmp, 'none')), filesOf(join(tmp, 'four'))];
  assert.equal([...b.keys()], [...a.keys()]);
  for (const [path, content] of a) assert.ok(b.get(path) === content, `${path} differs at --stage 4`);
});

test('--stage outside 0..4 is bad input: exit 2 with a hint, nothing written', () => {
  const r = runCli([join(repoRoot, 'examples', 'practica6.json'), '--stage', '5', '-o', join(tmpdir(), 'gen-lab-stage5-never')]);
  assert.is(r.status, 2);
  assert.match(r.stderr, /hint: give a stage number 0\.\.4/);
});

// What each stage of the reference lab holds: containers (namespaces besides the 5 VMs), daemons.
const expected = [
  { containers: [], daemons: {} },
  { containers: [], daemons: {} },
  { containers: ['bal1', 'bal2'], daemons: { bal1: ['keepalived'], bal2: ['keepalived'] } },
  { containers: ['bal1', 'bal2', 'serv1', 'serv2', 'serv3'], daemons: { bal1: ['haproxy', 'keepalived'], serv1: ['apache2'], serv3: ['apache2'] } },
  { containers: ['bal1', 'bal2', 'serv1', 'serv2', 'serv3'], daemons: { bal1: ['haproxy', 'keepalived'], serv2: ['apache2'] } },
] as { containers: string[]; daemons: Record<string, string[]> }[];
const vms = ['host1', 'host2', 'swout1', 'swout2', 'user'];
const WEIGHTS = (reference['stages'] as { weight?: number }[]).map((s) => s.weight ?? 0);
// What each checkpoint names first when its stage is not built (the reference lab's first element),
// in the lab's language.
const NOT_BUILT = ['host1: sw1-vsw1 no está en ningún puente', 'el contenedor bal1 de host1 no está en marcha', '(el contenedor bal1 no tiene ninguna interfaz con la dirección 10\\.0\\.0\\.250|el contenedor serv1 de host1 no está en marcha)', 'host1: no hay ningún dispositivo VXLAN con VNI 42'];

for (const stage of [0, 1, 2, 3, 4]) {
  test(`stage ${stage}: up reaches ready with only what the stage builds, down leaves nothing`, () => {
    const t = Date.now();
    const lab = `tch${stage}`;
    const { dir } = generateLab(lab, { ...fast, stage });
    try {
      const up = runScript(dir, 'emulate/up.sh', [], 180);
      assert.is(up.status, 0, 'up.sh must reach ready');
      const want = expected[stage]!;
      assert.equal(namespaces(lab), [...vms, ...want.containers].map((n) => `${lab}-${n}`).sort());
      const bridges = sh(`ip -n ${lab}-host1 -o link show type bridge`);
      assert.is(/ vswout1[:@]/.test(bridges), stage >= 1, 'host1 vswout1 from stage 1');
      assert.is(/ vswin1[:@]/.test(bridges), stage >= 3, 'host1 vswin1 from stage 3');
      assert.is(/ vx-vxint[:@]/.test(sh(`ip -n ${lab}-host1 -o link show`)), stage >= 4, 'VXLAN at stage 4');
      for (const [c, ds] of Object.entries(want.daemons)) for (const d of ds) assert.ok(commsIn(`${lab}-${c}`).includes(d), `${d} runs in ${c}`);
      if (stage === 2) assert.not.ok(commsIn(`${lab}-bal1`).includes('haproxy'), 'no haproxy before stage 3');
      const ping = spawnSync('ip', ['netns', 'exec', `${lab}-user`, 'ping', '-c1', '-W2', '172.16.1.254']);
      assert.is(ping.status === 0, stage >= 2, 'the client reaches the VIP from stage 2');
      // The lab's ./grade: checkpoints 1..stage pass; the later ones fail at once, naming what the
      // stage lacks; the score is the weights of the stages built.
      const json = join(dir, 'grade.json');
      const graded = runScript(dir, 'grade', ['--json', json], 900);
      assert.is(graded.status, stage === 4 ? 0 : 1, 'grade exits 0 only when every checkpoint passes');
      const report = JSON.parse(readFileSync(json, 'utf8')) as { score: number; checkpoints: { number: number; result: string; evidence: { kind: string; what: string }[] }[] };
      for (const cp of report.checkpoints) {
        const n = cp.number;
        assert.is(cp.result, n <= stage ? 'pass' : 'fail', `checkpoint ${n} at stage ${stage}`);
        if (n > stage) assert.ok(cp.evidence.some((e) => e.kind === 'fail' && new RegExp(`^falta lo que la etapa ${n} construye: ${NOT_BUILT[n - 1]}`).test(e.what)), `checkpoint ${n} says what stage ${stage} lacks`);
      }
      assert.is(report.score, WEIGHTS.slice(0, stage + 1).reduce((a, b) => a + b, 0), 'score: the weights of the stages built');
      if (stage === 2) process.stdout.write(`SAMPLE REPORT (stage 2)\n${graded.out}\n`);
    } finally {
      const down = runScript(dir, 'emulate/down.sh');
      assert.is(down.status, 0);
      assert.equal(leftovers(lab, dir), []);
      process.stdout.write(`stage ${stage}: ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    }
  });
}

test('down removes what a student added by hand: a namespace named <lab>-..., its process, its veth', () => {
  const lab = 'tchhand';
  const { dir } = generateLab(lab, { ...fast, stage: 1 });
  assert.is(runScript(dir, 'emulate/up.sh', [], 120).status, 0);
  sh(`ip netns add ${lab}-bal1 && ip link add vbal1out_b netns ${lab}-host1 type veth peer name eth0 netns ${lab}-bal1`);
  const sleeper = spawnSync('sh', ['-c', `ip netns exec ${lab}-bal1 sleep 600 >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' }).stdout.trim();
  assert.ok(namespaces(lab).includes(`${lab}-bal1`));
  assert.is(runScript(dir, 'emulate/down.sh').status, 0);
  assert.equal(leftovers(lab, dir), []);
  // Gone or a zombie (killed, not yet reaped by whoever adopted it).
  assert.not.match(sh(`ps -o stat= -p ${sleeper}`), /^[^Z]/, 'the student\'s process is gone');
});

// STUDENTS: test/support/student/to-stage-N.sh takes a lab at stage N-1 to N by hand, as the handout
// says, with the student's own bridge, veth and NIC names; the lab must then show what stage N builds
// (judged from the model: VM NICs by MAC, addresses, VIPs, ports, VNIs), and down must still remove it.
const fastStp = fast.defaults.stp;
const stpTimers = `${fastStp.forwardDelay} ${fastStp.helloTime} ${fastStp.maxAge}`;
const secondsSince = (t: number) => ((Date.now() - t) / 1000).toFixed(1);

function studentSteps(lab: string, from: number, to: number, gradeEach: boolean): void {
  const { dir } = generateLab(lab, { ...fast, stage: from });
  const model = readModel(dir);
  try {
    let t = Date.now();
    assert.is(runScript(dir, 'emulate/up.sh', [], 180).status, 0, `up.sh of the stage ${from} lab must reach ready`);
    process.stdout.write(`student ${lab}: up at stage ${from}: ${secondsSince(t)} s\n`);
    for (let n = from + 1; n <= to; n++) {
      t = Date.now();
      assert.is(runStudent(dir, lab, n, stpTimers), 0, `to-stage-${n}.sh exits 0`);
      const typed = secondsSince(t);
      assertStage[n]!(lab, model);
      process.stdout.write(`student ${lab}: ${n - 1}->${n}: script ${typed} s, stage ${n} shown after ${secondsSince(t)} s\n`);
      // The student's stage passes its checkpoint, whatever names they chose.
      if (gradeEach) assert.is(runScript(dir, 'grade', ['--only', String(n)], 600).status, 0, `checkpoint ${n} passes the student's stage ${n}`);
    }
    if (!gradeEach) {
      const json = join(dir, 'grade.json');
      assert.is(runScript(dir, 'grade', ['--json', json], 900).status, 0, 'the student\'s whole lab passes every checkpoint');
      assert.is((JSON.parse(readFileSync(json, 'utf8')) as { score: number }).score, 100);
    }
  } finally {
    const t = Date.now();
    const down = runScript(dir, 'emulate/down.sh');
    assert.is(down.status, 0);
    assert.equal(leftovers(lab, dir), []);
    process.stdout.write(`student ${lab}: down ${secondsSince(t)} s\n`);
  }
}

for (const n of [1, 2, 3, 4]) {
  test(`student ${n - 1}->${n}: to-stage-${n}.sh on a generated stage ${n - 1} lab shows stage ${n} and passes checkpoint ${n}; down leaves nothing`, () => {
    studentSteps(`stu${n}`, n - 1, n, true);
  });
}

test('student 0->4: the four scripts in turn on one lab show each stage, ./grade gives 100; down leaves nothing', () => {
  studentSteps('stu0', 0, 4, false);
});

test.after(() => {
  process.stdout.write(`teaching suite: ${((Date.now() - suiteStart) / 1000).toFixed(1)} s\n`);
});
test.run();
