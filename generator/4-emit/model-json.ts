import type { Emitter } from './files.js';

/** The resolved model itself, for tools and for the curious. */
export const emitModelJson: Emitter = ({ model }) => [{ path: 'model.json', content: JSON.stringify(model, null, 2) + '\n' }];
