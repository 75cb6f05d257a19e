// Built-in templates run from their build-time precompiled form, and that form prints exactly what
// compiling the template at run time prints.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { compileModel } from '../generator/compile.js';
import { emitLab } from '../generator/4-emit/emit.js';
import { TemplateSet } from '../generator/4-emit/templates.js';
import { builtinTemplatesDir } from '../generator/paths.js';
import { repoRoot } from './support/cli.js';

test('every built-in template has an up-to-date precompiled form (npm run build ran)', () => {
  const set = new TemplateSet([builtinTemplatesDir]);
  assert.ok(set.list().length > 20, `only ${set.list().length} templates found`);
  // Plain files (NAME.sh, no .hbs) are copied, never compiled.
  assert.ok(set.list().some((t) => t.plain));
  assert.is(set.precompiledCount, set.list().filter((t) => !t.plain).length);
});

test('precompiled and run-time compiled templates give byte-identical labs', () => {
  for (const spec of ['practica6.json', 'courses/english/lab.json']) {
    const model = compileModel(join(repoRoot, 'examples', spec)).model;
    const fast = emitLab(model, new TemplateSet([builtinTemplatesDir]));
    const slow = emitLab(model, new TemplateSet([builtinTemplatesDir], { precompiled: false }));
    assert.is(fast.length, slow.length);
    fast.forEach((f, i) => assert.is(f.content, slow[i]?.content, `${spec}: ${f.path}`));
  }
});

test('an override layer is compiled at run time, not taken from the built-ins', () => {
  const course = join(repoRoot, 'examples', 'courses', 'english', 'templates');
  const set = new TemplateSet([course, builtinTemplatesDir]);
  const overridden = set.list().filter((t) => t.layer === course).length;
  assert.ok(overridden > 0);
  assert.is(set.precompiledCount, set.list().filter((t) => !t.plain).length - overridden);
});

test.run();
