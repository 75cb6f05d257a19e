// Teaching mode: the checkpoints' weights make a grade out of 100.
import { error, type Diagnostic } from '../diagnostics.js';
import type { LabSpec } from '../spec.js';
import { STAGE_WEIGHTS } from '../3-resolve/defaults.js';

/** Weight of each stage as resolve will fill it: the spec's, else the default. */
export function stageWeights(spec: LabSpec): number[] {
  return STAGE_WEIGHTS.map((w, n) => spec.stages?.[n]?.weight ?? w);
}

export function checkTeaching(spec: LabSpec): Diagnostic[] {
  if (!spec.stages) return [];
  const weights = stageWeights(spec);
  const sum = weights.slice(1).reduce((a, b) => a + b, 0);
  const out: Diagnostic[] = [];
  if (Math.abs(sum - 100) > 1e-9) {
    out.push(error('stage-weights', '/stages', `the weights of stages 1-4 sum to ${sum} (${weights.slice(1).join(' + ')}), not 100`, 'each checkpoint\'s weight is its percent of the grade; make stages 1-4 add up to 100'));
  }
  if (weights[0] !== 0) out.push(error('stage-weights', '/stages/0/weight', `stage 0 has weight ${weights[0]} but no checkpoint`, 'leave out "weight" in stage 0 or set it to 0'));
  return out;
}
