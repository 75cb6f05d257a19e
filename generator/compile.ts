// The pipeline: load -> validate -> resolve -> emit. Each phase is a folder; this file only chains them.
import { loadSpecFile, type LoadedSpec } from './1-load/load.js';
import { validateSpec } from './2-validate/validate.js';
import { resolveLab } from './3-resolve/resolve.js';
import type { LabModel } from './3-resolve/model.js';
import { emitLab } from './4-emit/emit.js';
import type { OutputFile } from './4-emit/files.js';
import { TemplateSet } from './4-emit/templates.js';
import { SpecError, type Diagnostic } from './diagnostics.js';
import type { Stage } from './rules/stages.js';

export interface Compiled {
  loaded: LoadedSpec;
  model: LabModel;
  warnings: Diagnostic[];
  timing: { loadMs: number; validateMs: number; resolveMs: number };
}

/** `stage` (gen-lab --stage) overrides the spec's stage; the spec hash stays the spec's. */
export function compileModel(file: string, stage?: Stage): Compiled {
  const t0 = performance.now();
  const loaded = loadSpecFile(file);
  const t1 = performance.now();
  const { spec, diagnostics } = validateSpec(loaded.value);
  const t2 = performance.now();
  if (!spec) throw new SpecError(diagnostics, file, loaded.positions);
  const model = resolveLab(spec);
  if (stage !== undefined) model.teaching.stage = stage;
  const t3 = performance.now();
  return { loaded, model, warnings: diagnostics, timing: { loadMs: t1 - t0, validateMs: t2 - t1, resolveMs: t3 - t2 } };
}

export function compileFiles(file: string, templateOverrides: string[] = [], stage?: Stage): Compiled & { files: OutputFile[]; emitMs: number } {
  const compiled = compileModel(file, stage);
  const t0 = performance.now();
  const files = emitLab(compiled.model, TemplateSet.withOverrides(templateOverrides));
  return { ...compiled, files, emitMs: performance.now() - t0 };
}
