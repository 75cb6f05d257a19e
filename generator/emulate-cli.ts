// `gen-lab emulate up|down|status|check SPEC [-o DIR]`: generates the lab folder from a spec (or
// takes an existing lab folder) and runs its emulation scripts. Exit codes: 0 ok, 1 the script
// reported a failure, 2 bad input.
import { createRequire } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import type { Argv } from 'yargs';
import { compileFiles } from './compile.js';
import { writeLab } from './5-write/write.js';

const actions = {
  up: ['emulate/up.sh'],
  down: ['emulate/down.sh'],
  status: ['emulate/status.sh'],
  check: ['emulate/checks/all.sh'],
  faults: ['emulate/checks/faults.sh'],
} as const;
type Action = keyof typeof actions;

/** The lab folder to run: SPEC itself when it is one, else the folder the spec compiles into. */
async function labFolder(spec: string, out: string | undefined): Promise<string> {
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    if (!existsSync(join(spec, 'emulate', 'up.sh'))) throw new BadInput(`${spec} is a folder without emulate/up.sh: not a generated lab folder`);
    return resolvePath(spec);
  }
  const c = compileFiles(spec);
  const dir = resolvePath(out ?? `out/${c.model.name}`);
  await writeLab(dir, c.files);
  return dir;
}

class BadInput extends Error {}

export function registerEmulateCommand(cli: Argv, fail: (e: unknown) => never): void {
  cli.command(
    'emulate <action> <spec>',
    'run the lab in network namespaces on this host (root): up, down, status, check (the four checkpoints), faults (the fault matrix)',
    (y) =>
      y
        .positional('action', { choices: Object.keys(actions) as Action[], demandOption: true })
        .positional('spec', { type: 'string', describe: 'lab spec, or a generated lab folder', demandOption: true })
        .option('out', { alias: 'o', type: 'string', describe: 'lab folder to generate into (default out/<lab name>)' })
        .option('no-wait', { type: 'boolean', default: false, describe: 'up: return without waiting for readiness' }),
    async (args) => {
      let dir: string;
      try {
        dir = await labFolder(args.spec as string, args.out);
      } catch (e) {
        if (e instanceof BadInput) {
          process.stderr.write(`gen-lab emulate: ${e.message}\n`);
          process.exit(2);
        }
        fail(e);
      }
      const action = args.action as Action;
      const extra = action === 'up' && args['no-wait'] ? ['--no-wait'] : [];
      // Loaded here: every other command would pay for it at start.
      const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
      const r = spawnSync('bash', [join(dir, actions[action][0]), ...extra], { stdio: 'inherit' });
      if (r.error) {
        process.stderr.write(`gen-lab emulate: cannot run bash: ${r.error.message}\n`);
        process.exit(2);
      }
      // The scripts use 2 for usage and environment problems, 1 for failed checks.
      process.exit(r.status === 0 ? 0 : r.status === 2 ? 2 : 1);
    },
  );
}
