// The gen-lab command line. Exit codes: 0 ok, 1 a check failed or output drifted, 2 bad input.
import { resolve as resolvePath } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { compileFiles, compileModel } from './compile.js';
import { formatDiagnostic, SpecError, type Diagnostic } from './diagnostics.js';
import { describeModel } from './inspect.js';
import { TemplateSet } from './4-emit/templates.js';
import { checkLab, writeLab } from './5-write/write.js';
import { FileCreator } from './5-write/create-files.js';
import { generatorVersion } from './version.js';
import { registerEmulateCommand } from './emulate-cli.js';
import { registerBuildCommands } from './build-cli.js';
import { registerGradeCommand } from './grade-cli.js';
import { figureWords } from './4-emit/guide.js';
import { buildFigure, VIEWS, type ViewId } from './4-emit/figures.js';
import { toDot, toMermaid } from './4-emit/figure-text.js';
import { toSvg } from './4-emit/figure-svg.js';
import type { Stage } from './rules/stages.js';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

function printWarnings(warnings: Diagnostic[], file: string, positions?: Map<string, { line: number; column: number }>) {
  for (const w of warnings) process.stderr.write(formatDiagnostic(w, file, positions) + '\n');
}

function handleFailure(e: unknown, writes = false): never {
  if (e instanceof SpecError) {
    process.stderr.write(e.message + '\n');
    const n = e.diagnostics.filter((d) => d.severity === 'error').length;
    process.stderr.write(`gen-lab: ${n} error${n === 1 ? '' : 's'}${writes ? '; nothing written' : ''}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  process.stderr.write(`gen-lab: internal error: ${(e as Error).message}\n  this is a bug in gen-lab, not in your spec; please report it with the spec\n`);
  process.exit(70);
}

/** --stage N: an integer 0..4, else exit 2 with a hint. */
function parseStage(v: unknown): Stage | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (/^[0-4]$/.test(s)) return Number(s) as Stage;
  process.stderr.write(`gen-lab: error: --stage ${JSON.stringify(s)} is not a stage\n  hint: give a stage number 0..4 (0: machines and packages only; 4: the whole lab)\n`);
  process.exit(EXIT_BAD_INPUT);
}

function asList(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

/** `startup` says how bin/gen-lab.js started the bundle (for --timing). */
export function main(argv: string[], startup?: { codeCache: string }): void {
  const cli = yargs(hideBin(argv))
    .scriptName('gen-lab')
    .usage('$0 SPEC [-o DIR]    compile a lab spec into a lab folder')
    .command(
      '$0 <spec>',
      'generate the lab folder (default out/<lab name>)',
      (y) =>
        y
          .positional('spec', { type: 'string', describe: 'lab spec (.json, .yaml, .yml)', demandOption: true })
          .option('out', { alias: 'o', type: 'string', describe: 'output folder' })
          .option('check', { type: 'boolean', default: false, describe: 'regenerate in memory and exit 1 if the folder differs' })
          .option('templates', { type: 'string', array: true, describe: 'template override folder (repeatable, first wins)' })
          .option('timing', { type: 'boolean', default: false, describe: 'print the time of each phase' })
          .option('stage', { type: 'string', describe: 'teaching mode: build the lab up to stage N (0-4) and no further (overrides the spec)' }),
      async (args) => {
        try {
          const t0 = performance.now();
          const c = compileFiles(args.spec as string, asList(args.templates), parseStage(args.stage));
          printWarnings(c.warnings, c.loaded.file, c.loaded.positions);
          const out = resolvePath(args.out ?? `out/${c.model.name}`);
          if (args.check) {
            const d = checkLab(out, c.files);
            const problems = [...d.differ.map((p) => `differs: ${p}`), ...d.missing.map((p) => `missing: ${p}`), ...d.extra.map((p) => `extra:   ${p}`)];
            if (problems.length) {
              process.stderr.write(`gen-lab --check: ${out} is not what the generator writes now\n${problems.map((p) => '  ' + p).join('\n')}\n  regenerate with: gen-lab ${args.spec as string} -o ${args.out ?? out}\n`);
              process.exit(EXIT_CHECK_FAILED);
            }
            process.stdout.write(`gen-lab --check: ${out} is up to date (${c.files.length} files)\n`);
          } else {
            const t1 = performance.now();
            const creator = new FileCreator();
            const r = await writeLab(out, c.files, creator);
            process.stdout.write(`gen-lab: wrote ${out}: ${r.written} changed, ${r.unchanged} unchanged${r.removed.length ? `, ${r.removed.length} stale removed` : ''}\n`);
            if (args.timing) process.stdout.write(`write ${(performance.now() - t1).toFixed(1)} ms (creates: ${creator.mode})\n`);
          }
          if (args.timing) {
            const t = c.timing;
            process.stdout.write(`load ${t.loadMs.toFixed(1)} ms, validate ${t.validateMs.toFixed(1)} ms, resolve ${t.resolveMs.toFixed(1)} ms, emit ${c.emitMs.toFixed(1)} ms, total ${(performance.now() - t0).toFixed(1)} ms\n`);
            process.stdout.write(`process up ${performance.now().toFixed(1)} ms; code cache ${startup?.codeCache ?? 'not in use (not started by bin/gen-lab.js)'}\n`);
          }
        } catch (e) {
          handleFailure(e, !args.check);
        }
      },
    )
    .command(
      'validate <spec>',
      'report errors and warnings only',
      (y) => y.positional('spec', { type: 'string', demandOption: true }).option('timing', { type: 'boolean', default: false }),
      (args) => {
        try {
          const c = compileModel(args.spec as string);
          printWarnings(c.warnings, c.loaded.file, c.loaded.positions);
          process.stdout.write(`${args.spec as string}: valid (${c.model.vms.length} VMs, ${c.model.containers.length} containers, ${c.warnings.length} warning${c.warnings.length === 1 ? '' : 's'})\n`);
          if (args.timing) process.stdout.write(`load ${c.timing.loadMs.toFixed(1)} ms, validate ${c.timing.validateMs.toFixed(1)} ms, resolve ${c.timing.resolveMs.toFixed(1)} ms\n`);
        } catch (e) {
          handleFailure(e);
        }
      },
    )
    .command(
      'inspect <spec>',
      'show the resolved model',
      (y) => y.positional('spec', { type: 'string', demandOption: true }).option('json', { type: 'boolean', default: false }).option('timing', { type: 'boolean', default: false }),
      (args) => {
        try {
          const c = compileModel(args.spec as string);
          printWarnings(c.warnings, c.loaded.file, c.loaded.positions);
          process.stdout.write(args.json ? JSON.stringify(c.model, null, 2) + '\n' : describeModel(c.model));
          if (args.timing) process.stderr.write(`load ${c.timing.loadMs.toFixed(1)} ms, validate ${c.timing.validateMs.toFixed(1)} ms, resolve ${c.timing.resolveMs.toFixed(1)} ms\n`);
        } catch (e) {
          handleFailure(e);
        }
      },
    )
    .command(
      'graph <spec>',
      'print one figure of the lab (the ones the lab guide shows)',
      (y) =>
        y
          .positional('spec', { type: 'string', demandOption: true })
          .option('view', { choices: [...VIEWS], default: 'l3' as ViewId, describe: 'l3: subnets and addresses; ethernet: bridges, cables, STP, VXLAN; machines: what runs in each VM; wiring: VirtualBox adapters and internal networks' })
          .option('format', { choices: ['mermaid', 'svg', 'dot'] as const, default: 'mermaid' as const, describe: 'output format' })
          .option('templates', { type: 'string', array: true, describe: 'template override folder (repeatable, first wins)' }),
      (args) => {
        try {
          const c = compileModel(args.spec as string);
          printWarnings(c.warnings, c.loaded.file, c.loaded.positions);
          const view = args.view as ViewId;
          const fig = buildFigure(view, c.model, figureWords(c.model, TemplateSet.withOverrides(asList(args.templates))));
          if (args.format === 'svg') process.stdout.write(toSvg(fig, `${c.model.name}: ${view}`));
          else if (args.format === 'dot') process.stdout.write(toDot(fig));
          else {
            const m = toMermaid(fig);
            if (!m.text) process.stderr.write(`gen-lab graph: ${m.edges} links, ${m.chars} characters: beyond what Mermaid draws by default; printed anyway\n`);
            process.stdout.write(`${m.source}\n`);
          }
        } catch (e) {
          handleFailure(e);
        }
      },
    )
    .command(
      'templates',
      'list every template and the layer that supplies it',
      (y) => y.option('templates', { type: 'string', array: true, describe: 'template override folder (repeatable, first wins)' }),
      (args) => {
        const set = TemplateSet.withOverrides(asList(args.templates));
        for (const t of set.list()) process.stdout.write(`${t.name}\t${t.layer}\n`);
      },
    );
  cli.command(
    'pack <spec>',
    'write a lab folder a classroom boots with no Internet: the lab, its boxes and its images',
    (y) =>
      y
        .positional('spec', { type: 'string', describe: 'lab spec (.json, .yaml, .yml)', demandOption: true })
        .option('out', { alias: 'o', type: 'string', describe: 'folder to write (default packs/<lab name>)' })
        .option('boxes', { type: 'string', demandOption: true, describe: 'folder of the box catalog (metadata.json and .box files) that `gen-lab box build -o DIR` wrote' })
        .option('images', { type: 'string', describe: 'folder of the container images `gen-lab image build -o DIR` wrote (arm64 builds in DIR/arm64)' })
        .option('templates', { type: 'string', array: true, describe: 'template override folder (repeatable, first wins)' })
        .option('stage', { type: 'string', describe: 'teaching mode: build the lab up to stage N (0-4)' }),
    async (args) => {
      try {
        const c = compileFiles(args.spec as string, asList(args.templates), parseStage(args.stage));
        printWarnings(c.warnings, c.loaded.file, c.loaded.positions);
        const { packLab } = await import('./pack.js');
        const r = await packLab(c.model, c.files, { outDir: args.out ?? `packs/${c.model.name}`, boxesDir: args.boxes, ...(args.images ? { imagesDir: args.images } : {}) });
        printWarnings(r.warnings, 'gen-lab pack');
      } catch (e) {
        handleFailure(e, true);
      }
    },
  );
  registerEmulateCommand(cli, handleFailure);
  registerBuildCommands(cli, handleFailure);
  registerGradeCommand(cli);
  cli
    .version(generatorVersion)
    .help()
    .alias('h', 'help')
    .strict()
    .fail((msg, err) => {
      if (err) handleFailure(err);
      process.stderr.write(`gen-lab: ${msg}\n  run gen-lab --help for usage\n`);
      process.exit(EXIT_BAD_INPUT);
    })
    .parse();
}
