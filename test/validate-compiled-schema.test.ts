// The precompiled validator (generator/2-validate/compiled-schema.ts) must be generated from the
// current schema and judge exactly like ajv compiling the schema at run time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compiledSchemaFile, generateCompiledSchema } from '../generator/2-validate/build-validator.js';
import { checkSchema, precompiledIsCurrent, runtimeValidator } from '../generator/2-validate/schema.js';
import { parseSpecText } from '../generator/1-load/load.js';
import { repoRoot } from './support/cli.js';

const REGENERATE = 'regenerate it: npx tsc -p . && node dist/generator/2-validate/build-validator.js';

test('compiled-schema.ts was generated from the current schema', () => {
  assert.ok(precompiledIsCurrent(), `schema/lab.schema.json changed since compiled-schema.ts was generated; ${REGENERATE}`);
  assert.ok(readFileSync(compiledSchemaFile, 'utf8') === generateCompiledSchema(), `compiled-schema.ts differs from what the generator writes; ${REGENERATE}`);
});

test('precompiled and run-time validators report the same diagnostics on every case', () => {
  const dir = join(repoRoot, 'test', 'bad-specs');
  const files = [...readdirSync(dir).map((f) => join(dir, f)), ...readdirSync(join(dir, 'accepted')).map((f) => join(dir, 'accepted', f)), join(repoRoot, 'examples', 'practica6.json')].filter((f) => /\.(json|ya?ml)$/.test(f));
  let compared = 0;
  let withErrors = 0;
  for (const f of files) {
    let value: unknown;
    try {
      value = parseSpecText(readFileSync(f, 'utf8'), f).value;
    } catch {
      continue;
    }
    const fast = checkSchema(value);
    const slow = checkSchema(value, runtimeValidator());
    assert.equal(fast, slow, f);
    compared++;
    if (fast.length) withErrors++;
  }
  assert.ok(compared > 50 && withErrors > 10, `${compared} compared, ${withErrors} with schema errors`);
});

test.run();
