#!/usr/bin/env node
// Hostile-structure benchmark: wall time, peak memory (max RSS, from /usr/bin/time) and exit code of
// `gen-lab validate` on each input of issue 9 (alias bombs, deep nesting, huge lists and files, ...).
// Every one should end with exit 2 well under a second and in bounded memory. Prints figures,
// asserts nothing. Give another checkout's bin/gen-lab.js to measure it instead (e.g. before a fix):
//   npm run build && node bench/hostile-load.js [path/to/bin/gen-lab.js] [RUNS]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = process.argv[2] ?? join(root, 'bin', 'gen-lab.js');
const runs = Number(process.argv[3] ?? 2);
const TIMEOUT_S = 60;
const TIME = '/usr/bin/time';
const TIMEOUT = '/usr/bin/timeout';

const laughs = (fan, levels) => {
  const out = ['name: laughs', `l0: &l0 [${Array(fan).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++) out.push(`l${i}: &l${i} [${Array(fan).fill(`*l${i - 1}`).join(', ')}]`);
  return out.join('\n') + `\nvms: *l${levels - 1}\n`;
};

const CASES = [
  ['YAML billion laughs (10^9 via 9 levels of 10)', 'laughs.yaml', () => laughs(10, 9)],
  ['YAML alias doubling, 2^30 values', 'double.yaml', () => laughs(2, 30)],
  ['YAML alias cycle (&a [*a]) under vms', 'cycle.yaml', () => 'name: x\nvms: &a [*a]\n'],
  ['JSON arrays nested 50,000 deep', 'deep50k.json', () => '['.repeat(50_000) + ']'.repeat(50_000)],
  ['JSON objects nested 200,000 deep', 'deep200k.json', () => `{"name":"x","vms":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}}`],
  ['YAML flow nested 50,000 deep', 'deep50k.yaml', () => `name: x\nvms: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`],
  ['YAML block sequences nested 100,000 deep (one line)', 'compact.yaml', () => `vms:\n${'- '.repeat(100_000)}x\n`],
  ['YAML block mappings nested 2,000 deep', 'indent.yaml', () => Array.from({ length: 2000 }, (_, i) => ' '.repeat(i) + 'a:\n').join('') + ' '.repeat(2000) + '1\n'],
  ['JSON list of 1,000,000 numbers (2 MB)', 'wide.json', () => `{"name":"x","vms":[${Array(1_000_000).fill('0').join(',')}]}`],
  ['YAML mapping of 300,000 keys (3.8 MB)', 'keys.yaml', () => 'name: x\nvms:\n' + Array.from({ length: 300_000 }, (_, i) => `  k${i}: 0\n`).join('')],
  ['JSON file of 10 MB', 'big.json', () => `{"name":"x","vms":[],"title":"${'x'.repeat(10 * 1024 * 1024)}"}`],
  ['JSON key of 3 MB over a list of 100,000', 'longkey.json', () => `{"${'k'.repeat(3_000_000)}": [${Array(100_000).fill('0').join(',')}]}`],
  ['JSON 1e999 (infinity)', 'inf.json', () => '{"name":"x","vms":[{"name":"a","role":"host","memory":1e999}]}'],
  ['YAML .inf and .nan', 'inf.yaml', () => 'name: x\nvms: [{name: a, role: host, memory: .inf, cpus: .nan}]\n'],
  ['Latin-1 bytes in a YAML file', 'latin1.yaml', () => Buffer.from('name: x\ntitle: "Pr\xe1ctica"\nvms: []\n', 'latin1')],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'gen-lab-hostile-load-'));
const haveTime = existsSync(TIME);
const haveTimeout = existsSync(TIMEOUT);
console.log(`hostile-load: ${cli}; median of ${runs} runs; wall s, max RSS MB (${haveTime ? TIME : 'no /usr/bin/time: memory not measured'}), exit code, first line of stderr`);
for (const [label, name, make] of CASES) {
  const file = join(dir, name);
  writeFileSync(file, make());
  const results = [];
  for (let i = 0; i < runs; i++) {
    // timeout(1) kills gen-lab itself (killing /usr/bin/time would leave it running); time's
    // figure is the largest of its waited-for descendants, so it is gen-lab's.
    const run = [...(haveTimeout ? [TIMEOUT, '-s', 'KILL', String(TIMEOUT_S)] : []), process.execPath, cli, 'validate', file];
    const cmd = haveTime ? [TIME, ['-f', '@@ %e %M', ...run]] : [run[0], run.slice(1)];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', timeout: (TIMEOUT_S + 10) * 1000, maxBuffer: 1 << 28 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const m = /@@ ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? '');
    const status = /Command (?:exited with non-zero status (\d+)|terminated by signal (\d+))/.exec(r.stderr ?? '');
    const exit = r.signal || status?.[2] ? `killed after ${TIMEOUT_S} s` : (status?.[1] ?? String(r.status));
    const first = (r.stderr ?? '').split('\n').find((l) => l && !l.startsWith('Command ') && !l.startsWith('@@')) ?? '';
    results.push({ wall, rss: m ? Number(m[2]) / 1024 : NaN, exit, first });
  }
  const last = results[results.length - 1];
  console.log(`${label.padEnd(52)} ${median(results.map((x) => x.wall)).toFixed(2).padStart(6)} s ${median(results.map((x) => x.rss)).toFixed(0).padStart(6)} MB  exit ${String(last.exit).padEnd(3)} ${last.first.replace(dir + '/', '').slice(0, 110)}`);
  rmSync(file, { force: true });
}
rmSync(dir, { recursive: true, force: true });
