// Helpers for the emulation suite: a fast-timer copy of a spec (or a random lab) under another lab
// name, generated into a private temp folder, and probes for what a lab may leave behind here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runCli } from './cli.js';

/** Tool -> Debian package, for a failure message that says what to install. */
const tools: [string, string][] = [
  ['ip', 'iproute2'],
  ['keepalived', 'keepalived'],
  ['haproxy', 'haproxy'],
  ['apache2', 'apache2'],
  ['curl', 'curl'],
  ['ping', 'iputils-ping'],
  ['taskset', 'util-linux'],
];

/** Why the emulation cannot run here, or '' when it can. */
export function missingPrerequisites(): string {
  if (process.getuid?.() !== 0) return 'the emulation suite needs root (network namespaces); run it as root';
  const missing = tools.filter(([t]) => spawnSync('sh', ['-c', `command -v ${t} || test -x /usr/sbin/${t}`]).status !== 0).map(([, p]) => p);
  if (!spawnSync('sh', ['-c', 'ls /usr/lib/apache2/modules/libphp*.so']).stdout?.length) missing.push('libapache2-mod-php');
  return missing.length ? `missing tools: apt-get install ${[...new Set(missing)].join(' ')} (scripts/install-deps.sh)` : '';
}

/** A spec object generated into a private temp folder under its own lab name. */
export function generateLab(labName: string, spec: Record<string, unknown>): { dir: string; lab: string } {
  const copy: Record<string, unknown> = { ...spec, name: labName };
  delete copy['$schema'];
  const tmp = mkdtempSync(join(tmpdir(), `gen-lab-${labName}-`));
  const specFile = join(tmp, `${labName}.json`);
  writeFileSync(specFile, JSON.stringify(copy, null, 2));
  const dir = join(tmp, 'lab');
  const r = runCli([specFile, '-o', dir]);
  if (r.status !== 0) throw new Error(`generating ${labName} failed: ${r.stderr}`);
  return { dir, lab: labName };
}

/** A spec file of the repository (examples/..., test/specs/...), as written. */
export function repoSpec(specPath = join('examples', 'practica6.json')): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot, specPath), 'utf8')) as Record<string, unknown>;
}

/** A spec file of the repository with kernel-minimum STP timers. */
export function generateFastLab(labName: string, specPath?: string): { dir: string; lab: string } {
  const spec = repoSpec(specPath);
  spec['defaults'] = { ...(spec['defaults'] as object), stp: { forwardDelay: 2, helloTime: 1, maxAge: 6 } };
  return generateLab(labName, spec);
}

export interface Run {
  status: number | null;
  out: string;
}

/** Runs a lab script, echoing its output so a failing suite shows what the scripts saw. */
export function runScript(dir: string, script: string, args: string[] = [], timeoutS = 600): Run {
  const r = spawnSync('bash', [join(dir, script), ...args], { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 64 * 1024 * 1024 });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  process.stdout.write(`--- ${script} ${args.join(' ')} (exit ${r.status})\n${out}`);
  return { status: r.status, out };
}

/** Everything a lab could leave on this host: namespaces, processes running its files, run dir. */
export function leftovers(lab: string, dir: string): string[] {
  const found: string[] = [];
  const names = (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '').split('\n').map((l) => l.split(' ')[0] ?? '');
  found.push(...names.filter((n) => n.startsWith(`${lab}-`)).map((n) => `namespace ${n}`));
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout ?? '';
  found.push(...ps.split('\n').filter((l) => (l.includes(dir) || l.includes(`/run/gen-lab/${lab}/`)) && !l.includes('ps -eo')).map((l) => `process ${l.trim()}`));
  if (existsSync(`/run/gen-lab/${lab}`)) found.push(`/run/gen-lab/${lab}`);
  if (existsSync('/run/netns') && spawnSync('sh', ['-c', `ls /run/netns | grep -q '^${lab}-'`]).status === 0) found.push('/run/netns entries');
  return found;
}
