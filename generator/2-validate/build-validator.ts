// Writes generator/2-validate/compiled-schema.ts: ajv's standalone code for schema/lab.schema.json.
// Compiling the schema at run time costs ~80 ms, most of the validate phase; the generated code
// costs nothing to set up. Run after every schema change:
//   npx tsc -p . && node dist/generator/2-validate/build-validator.js
// (test/validate-compiled-schema.test.ts fails until it is rerun; until then the validator is
// compiled at run time, so nothing is ever checked against a stale schema).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { packageRoot } from '../paths.js';
import { AJV_OPTIONS } from './ajv-options.js';
import { labSchema, labSchemaSha256 } from './schema-source.js';

export const compiledSchemaFile = join(packageRoot, 'generator', '2-validate', 'compiled-schema.ts');

export function generateCompiledSchema(): string {
  const require = createRequire(import.meta.url);
  const Ajv2020 = require('ajv/dist/2020.js').default as new (o: object) => { compile(s: object): unknown };
  const standalone = require('ajv/dist/standalone/index.js').default as (ajv: unknown, v: unknown) => string;
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  let code = standalone(ajv, ajv.compile(labSchema));
  // ajv emits require() for its runtime helpers even in ESM mode; this package is ESM.
  const helpers = new Map<string, string>();
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/g, (_m, path: string) => {
    const id = `ajvRuntime${helpers.size}`;
    if (![...helpers.values()].includes(path)) helpers.set(id, path);
    const found = [...helpers].find(([, p]) => p === path) as [string, string];
    return found[0];
  });
  code = code.replace(/^"use strict";/, '');
  const imports = [...helpers].map(([id, path]) => `import ${id} from '${path}.js';`).join('\n');
  return [
    '// @ts-nocheck',
    '// GENERATED from schema/lab.schema.json by generator/2-validate/build-validator.ts; do not edit.',
    '// Regenerate: npx tsc -p . && node dist/generator/2-validate/build-validator.js',
    imports,
    `export const schemaSha256 = '${labSchemaSha256}';`,
    code,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  writeFileSync(compiledSchemaFile, generateCompiledSchema());
  process.stdout.write(`wrote ${compiledSchemaFile} (schema sha256 ${labSchemaSha256.slice(0, 16)})\n`);
}
