// Phase 4: every emitter, in one list. Output is sorted by path so the result is deterministic.
import type { LabModel } from '../3-resolve/model.js';
import type { Bundler, Emitter, OutputFile } from './files.js';
import { emitModelJson } from './model-json.js';
import { emitEmulation } from './emulate.js';
import { emitChecks } from './checks.js';
import { emitGrade } from './grade.js';
import { emitNetworkScripts } from './network.js';
import { emitServiceConfigs } from './services.js';
import { emitGuide } from './guide.js';
import { emitVagrantfile } from './vagrantfile.js';
import { emitCloudInit } from './cloud-init.js';
import { emitCloudInitSeeds } from './cidata.js';
import { emitLxd } from './lxd.js';
import { emitGitAttributes } from './git-attributes.js';
import { provenanceLine } from './provenance.js';
import type { TemplateSet } from './templates.js';

export const emitters: Emitter[] = [emitModelJson, emitGuide, emitNetworkScripts, emitServiceConfigs, emitVagrantfile, emitEmulation, emitChecks, emitGrade, emitGitAttributes];

/** Run after every emitter, in this order, each seeing all files emitted before it. */
export const bundlers: Bundler[] = [emitLxd, emitCloudInit, emitCloudInitSeeds];

export function emitLab(model: LabModel, templates: TemplateSet): OutputFile[] {
  const ctx = { model, templates, provenance: provenanceLine(model) };
  const files = emitters.flatMap((e) => e(ctx));
  for (const bundle of bundlers) files.push(...bundle(ctx, [...files]));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two emitters wrote ${f.path}`);
    seen.add(f.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
