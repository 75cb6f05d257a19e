// How the checks cut a client probe's lines into judged windows (the fault matrix and checkpoint
// 2), without root or a running lab: a stand-in script sources the real generated lib.sh and works
// on probe files written the way the probe writes them, one line per request when it ends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const work = makeTemp('probe-windows');
const lab = join(work, 'lab');
const generated = runCli([join(repoRoot, 'examples', 'practica6.json'), '-o', lab]);

/** Runs BODY after sourcing the lab's lib.sh, with probes a and b reading files of LINES each. */
function withProbes(lines: { a: string[]; b: string[] }, body: string): { status: number | null; out: string } {
  const files = { a: join(work, 'a.txt'), b: join(work, 'b.txt') };
  writeFileSync(files.a, lines.a.map((l) => `${l}\n`).join(''));
  writeFileSync(files.b, lines.b.map((l) => `${l}\n`).join(''));
  const script = join(lab, 'emulate', 'checks', 'probe-windows-stand-in.sh');
  writeFileSync(
    script,
    `#!/usr/bin/env bash\n. "$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)/lib.sh"\nPROBE_FILES=([a]=${files.a} [b]=${files.b})\n${body}\n`,
    { mode: 0o755 },
  );
  const r = spawnSync(script, [], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

const ok = (t: number) => `${t}.000 ok serv1`;
const fail = (t: number) => `${t}.000 fail`;
const served = (from: number, n: number) => Array.from({ length: n }, (_, i) => ok(from + i));

test('the lab generates', () => {
  assert.is(generated.status, 0, generated.stderr);
});

test('probes_serving_again: answers written before the outcome do not count, a held request that then fails restarts the count', () => {
  const extra = join(work, 'extra.txt');
  const bServed = served(6, 5).map((l) => `"${l}"`).join(' ');
  const ask = `mark SETTLED_LINE\ncat ${extra} >>"\${PROBE_FILES[a]}"\nprintf '%s\\n' ${bServed} >>"\${PROBE_FILES[b]}"\nprobes_serving_again && echo serving || echo waiting`;
  const cases: { appended: string[]; want: string }[] = [
    { appended: [], want: 'waiting' },
    { appended: [fail(6)], want: 'waiting' },
    { appended: [fail(6), ...served(8, 4)], want: 'waiting' },
    { appended: [fail(6), ...served(8, 5)], want: 'serving' },
    { appended: [...served(6, 3), fail(9), ...served(11, 4)], want: 'waiting' },
  ];
  for (const c of cases) {
    writeFileSync(extra, c.appended.map((l) => `${l}\n`).join(''));
    const r = withProbes({ a: served(1, 5), b: served(1, 5) }, ask);
    assert.is(r.out.trim(), c.want, `after ${JSON.stringify(c.appended)}: ${r.out}`);
  }
  const r = withProbes({ a: served(1, 5), b: served(1, 5) }, 'mark SETTLED_LINE\nprintf "%s\\n" ' + served(6, 5).map((l) => `"${l}"`).join(' ') + ' >>"${PROBE_FILES[a]}"\nprobes_serving_again && echo serving || echo waiting');
  assert.is(r.out.trim(), 'waiting', 'every probe must be served again, not only one');
});

test('close_window: a request in flight when the window ends is judged in it, once its line is written', () => {
  // Probe a's request started at t=6 is held by haproxy's retries; its line arrives 0.6 s later.
  const body = [
    'mark FROM_LINE',
    `( sleep 0.6; echo "${fail(6)}" >>"\${PROBE_FILES[a]}" ) &`,
    `echo "${ok(6)}" >>"\${PROBE_FILES[b]}"`,
    `( sleep 0.3; echo "${ok(7)}" >>"\${PROBE_FILES[b]}" ) &`,
    'close_window && echo closed',
    'read -r failed total outage _ <<<"$(probes_outage)"',
    'echo "failed=$failed total=$total a_to=${TO_LINE[a]} b_to=${TO_LINE[b]}"',
    'wait',
  ].join('\n');
  const r = withProbes({ a: served(1, 5), b: served(1, 5) }, body);
  assert.is(r.status, 0, r.out);
  assert.match(r.out, /^closed$/m);
  assert.match(r.out, /^failed=1 total=3 a_to=6 b_to=7$/m, r.out);
});

test.after(() => removeTemp(work));
test.run();
