#!/usr/bin/env node
// Emulation figures (root; prints, asserts nothing): time from nothing to checkpoint 4 green with
// fast STP timers, each fault's client-observed outage against its bound, requests failed after
// reconvergence, and requests/second through the VIP from the user namespace.
// Usage: npm run build && node bench/emulation.js [REQUESTS]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const lab = 'p6bench';
const requests = Number(process.argv[2] ?? 2000);

const spec = JSON.parse(readFileSync(join(root, 'examples', 'practica6.json'), 'utf8'));
delete spec.$schema;
spec.name = lab;
spec.defaults = { ...spec.defaults, stp: { forwardDelay: 2, helloTime: 1, maxAge: 6 } };
const tmp = mkdtempSync(join(tmpdir(), 'gen-lab-bench-'));
writeFileSync(join(tmp, 'spec.json'), JSON.stringify(spec));
const dir = join(tmp, 'lab');
const gen = spawnSync(process.execPath, [join(root, 'bin', 'gen-lab.js'), join(tmp, 'spec.json'), '-o', dir], { encoding: 'utf8' });
if (gen.status !== 0) throw new Error(gen.stderr);

function run(script, args = []) {
  const t = performance.now();
  const r = spawnSync('bash', [join(dir, script), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? ''), s: (performance.now() - t) / 1000 };
}

try {
  const up = run('emulate/up.sh');
  const cp4 = run('emulate/checks/cp4-vxlan.sh');
  console.log(`up.sh to ready: ${up.s.toFixed(1)} s (exit ${up.status}); checkpoint 4: ${cp4.s.toFixed(1)} s (exit ${cp4.status})`);
  console.log(`nothing -> checkpoint 4 green: ${(up.s + cp4.s).toFixed(1)} s (target <= 30 s)`);

  // Throughput: bounded load, curl --parallel from the user namespace to the VIP.
  const vip = '172.16.1.254:8000';
  const t = performance.now();
  const load = spawnSync('ip', ['netns', 'exec', `${lab}-user`, 'curl', '-s', '-o', '/dev/null', '--parallel', '--parallel-max', '16', '-w', '%{http_code}\\n', `http://${vip}/?[1-${requests}]`], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const secs = (performance.now() - t) / 1000;
  const codes = (load.stdout ?? '').trim().split('\n');
  const ok = codes.filter((c) => c === '200').length;
  console.log(`throughput: ${ok}/${requests} requests answered 200 in ${secs.toFixed(2)} s = ${(ok / secs).toFixed(0)} req/s (16 in parallel)`);

  const faults = run('emulate/checks/faults.sh');
  console.log(`fault matrix: ${faults.s.toFixed(1)} s (exit ${faults.status})`);
  const rows = faults.out.split('\n').filter((l) => /^(cable|ext-link|keepalived|web|vxlan) /.test(l));
  console.log('fault        target      failed   outage   bound   outage-bound  (target <= +0.5 s)');
  for (const r of rows) {
    const [kind, target, failed, outage, bound] = r.trim().split(/\s+/);
    const o = parseFloat(outage);
    const b = parseFloat(bound);
    console.log(`${kind.padEnd(12)} ${target.padEnd(10)} ${failed.padStart(8)} ${outage.padStart(7)} ${bound.padStart(7)} ${((o - b >= 0 ? '+' : '') + (o - b).toFixed(1) + ' s').padStart(12)}`);
  }
  const after = [...faults.out.matchAll(/failed requests among the 20 after reconvergence: expected '0', saw '(\d+)'/g)].map((m) => Number(m[1]));
  console.log(`requests failed after reconvergence: ${after.reduce((a, b) => a + b, 0)} over ${after.length} faults (target 0)`);
} finally {
  const down = run('emulate/down.sh');
  console.log(`down.sh: ${down.s.toFixed(1)} s (exit ${down.status})`);
}
