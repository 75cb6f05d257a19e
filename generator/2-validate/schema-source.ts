// The lab schema as data, and the fingerprint that tells whether the precompiled validator was
// generated from this very text.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { schemaPath } from '../paths.js';

export const labSchemaText = readFileSync(schemaPath, 'utf8');
export const labSchemaSha256 = createHash('sha256').update(labSchemaText).digest('hex');
export const labSchema = JSON.parse(labSchemaText) as Record<string, unknown>;

/** The subschema a JSON pointer such as "#/$defs/vm/properties/role" names. */
export function schemaAt(schemaPointer: string): Record<string, unknown> | undefined {
  let cur: unknown = labSchema;
  for (const raw of schemaPointer.replace(/^#/, '').split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>) : undefined;
}
