// The example specs every consumer suite judges, compiled once per suite, and the judges' commands.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
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

/** The Alpine image family, which gen-lab still generates for a spec that names an Alpine image
 * (the handout's own choice) while the default is gen-lab's Debian image file. */
export const ALPINE_IMAGE = 'images:alpine/3.22';

/** Every example compiled with its containers' image set to `image` in the spec's defaults (the
 * suites that judge one image family's LXD adapter). */
export function compileExamplesWithImage(image: string): { labs: CompiledExample[]; broken: string[] } {
  const labs: CompiledExample[] = [];
  const broken: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gen-lab-examples-'));
  try {
    for (const spec of exampleSpecs()) {
      try {
        const value = yaml.load(readFileSync(join(repoRoot, 'examples', spec), 'utf8')) as { defaults?: Record<string, unknown> };
        value.defaults = { ...value.defaults, image };
        const file = join(dir, spec.replace(/\.(ya?ml)$/, '.json'));
        writeFileSync(file, JSON.stringify(value));
        labs.push({ spec, ...compileFiles(file) });
      } catch (e) {
        broken.push(`${spec}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { labs, broken };
}

/** The commands of `tools` (command -> Debian package) not on PATH, as "cmd (Debian package pkg)". */
export function missingCommands(tools: Record<string, string>): string[] {
  return Object.entries(tools)
    .filter(([c]) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0)
    .map(([c, p]) => `${c} (Debian package ${p})`);
}
