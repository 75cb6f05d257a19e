// The example specs every consumer suite judges, compiled once per suite, and the judges' commands.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles } from '../../generator/compile.js';
import { repoRoot } from './cli.js';

/** examples/*.json|yaml|yml, sorted. */
export const exampleSpecs = (): string[] =>
  readdirSync(join(repoRoot, 'examples'))
    .filter((f) => /\.(json|ya?ml)$/.test(f))
    .sort();

export type CompiledExample = { spec: string } & ReturnType<typeof compileFiles>;

/** Every example compiled; an example that no longer compiles is listed in `broken` (a suite's
 * first test asserts there is none) instead of crashing the suite before its first test. */
export function compileExamples(): { labs: CompiledExample[]; broken: string[] } {
  const labs: CompiledExample[] = [];
  const broken: string[] = [];
  for (const spec of exampleSpecs()) {
    try {
      labs.push({ spec, ...compileFiles(join(repoRoot, 'examples', spec)) });
    } catch (e) {
      broken.push(`${spec}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { labs, broken };
}

/** The commands of `tools` (command -> Debian package) not on PATH, as "cmd (Debian package pkg)". */
export function missingCommands(tools: Record<string, string>): string[] {
  return Object.entries(tools)
    .filter(([c]) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0)
    .map(([c, p]) => `${c} (Debian package ${p})`);
}
