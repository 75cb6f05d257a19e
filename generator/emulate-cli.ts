// `gen-lab emulate up|down|status|check SPEC`: placeholder until the emulation lands (issue 4).
import type { Argv } from 'yargs';

export function registerEmulateCommand(cli: Argv, _fail: (e: unknown) => never): void {
  void cli;
}
