import type { LabModel } from '../3-resolve/model.js';
import { STAGE_WEIGHTS } from '../3-resolve/defaults.js';
import { FINAL_STAGE } from '../rules/stages.js';
import type { Emitter } from './files.js';

/** The resolved model itself, for tools and for the curious. */
// A whole lab with default stage settings leaves them out, so its model.json is the same as before teaching mode.
export const emitModelJson: Emitter = ({ model }) => [{ path: 'model.json', content: JSON.stringify(model, omitDefaultTeaching, 2) + '\n' }];

function omitDefaultTeaching(this: unknown, key: string, value: unknown): unknown {
  if (key !== 'teaching' || this === null || typeof this !== 'object' || !('specHash' in this)) return value;
  const t = value as LabModel['teaching'];
  const isDefault = t.stage === FINAL_STAGE && t.stages.every((s, n) => s.name === undefined && s.weight === STAGE_WEIGHTS[n] && !s.prebuildContainers);
  return isDefault ? undefined : value;
}
