// Runs a builder script (templates/build/*) as root in a private mount namespace, with a work folder
// that always goes away and an output that appears whole or not at all. Prints what it does with
// elapsed time (the scripts' steps) and what it waits for.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export class BuildError extends Error {}

/** Tools a builder needs, with the Debian package that provides each. */
export function missingTools(tools: Record<string, string>): string[] {
  return Object.entries(tools)
    .filter(([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: 'ignore' }).status !== 0)
    .map(([cmd, pkg]) => `${cmd} (${pkg})`);
}

export function requireRootAndTools(what: string, tools: Record<string, string>): void {
  if (process.getuid?.() !== 0) throw new BuildError(`${what} needs root (debootstrap, chroot, mounts); run it with sudo`);
  const missing = missingTools(tools);
  if (missing.length) throw new BuildError(`${what} needs ${missing.join(', ')}: apt-get install ${[...new Set(missing.map((m) => m.replace(/.*\((.*)\)/, '$1')))].join(' ')}`);
}

/** Runs `script` with (work dir, temporary output); on success renames the output to `output`.
 * With several outputs the script gets a folder and writes each output's file name into it. */
export async function runBuild(script: string, outputs: string | string[], label: string): Promise<void> {
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const first = list[0] as string;
  mkdirSync(dirname(first), { recursive: true });
  const work = mkdtempSync(join(dirname(first), `.gen-lab-build-`));
  const partial = join(work, 'output.partial');
  const scriptFile = join(work, 'build.sh');
  writeFileSync(scriptFile, script, { mode: 0o700 });
  const started = Date.now();
  try {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn('unshare', ['--mount', '--propagation', 'private', 'bash', scriptFile, join(work, 'tree'), partial], { stdio: ['ignore', 'inherit', 'inherit'] });
      const stop = () => child.kill('SIGTERM');
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      child.on('close', (c) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(c);
      });
    });
    const made = Array.isArray(outputs) ? list.map((o) => join(partial, basename(o))) : [partial];
    if (code !== 0 || !made.every((m) => existsSync(m))) throw new BuildError(`${label} failed after ${((Date.now() - started) / 1000).toFixed(0)} s (exit ${code}); nothing was written`);
    list.forEach((o, i) => renameSync(made[i] as string, o));
    process.stdout.write(`${label}: ${list.join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
