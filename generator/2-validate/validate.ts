// Phase 2: schema first; then, on a schema-valid spec, references; then the checks that need the
// whole L2 graph. Everything found in one phase is reported together.
import { type Diagnostic } from '../diagnostics.js';
import type { LabSpec } from '../spec.js';
import { buildL2Graph } from '../lib/l2graph.js';
import { checkSchema } from './schema.js';
import { indexSpec } from './index.js';
import { checkReferences } from './references.js';
import { checkAddresses } from './addresses.js';
import { checkTopology } from './topology.js';
import { checkFamilies } from './families.js';
import { checkTeaching } from './teaching.js';

const hasErrors = (list: Diagnostic[]) => list.some((d) => d.severity === 'error');

export function validateSpec(data: unknown): { spec?: LabSpec; diagnostics: Diagnostic[] } {
  const schema = checkSchema(data);
  if (schema.length > 0) return { diagnostics: schema };
  const spec = data as LabSpec;
  const idx = indexSpec(spec);
  const refs = checkReferences(spec, idx);
  if (hasErrors(refs)) return { diagnostics: refs };
  const graph = buildL2Graph(spec);
  const rest = [...refs, ...checkFamilies(spec), ...checkAddresses(spec, idx, graph), ...checkTopology(spec, idx, graph), ...checkTeaching(spec)];
  return hasErrors(rest) ? { diagnostics: rest } : { spec, diagnostics: rest };
}
