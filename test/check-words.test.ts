// Every sentence a checkpoint says (`say KEY` in emulate/checks/*.sh) has words in the lab's
// language: a key missing from words.sh would be printed as the bare key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const work = makeTemp('check-words');
const labs = {
  es: [join(repoRoot, 'examples', 'practica6.json')],
  en: [join(repoRoot, 'examples', 'courses', 'english', 'lab.json'), '--templates', join(repoRoot, 'examples', 'courses', 'english', 'templates')],
};

for (const [language, args] of Object.entries(labs)) {
  test(`${language}: every say KEY of the checks is a key of words.sh`, () => {
    const dir = join(work, language);
    const r = runCli([args[0] as string, '-o', dir, ...args.slice(1)]);
    assert.is(r.status, 0, r.stderr);
    const checks = join(dir, 'emulate', 'checks');
    const defined = new Set([...readFileSync(join(checks, 'words.sh'), 'utf8').matchAll(/^ {2}\[(\w+)\]=/gm)].map((m) => m[1]));
    const used = new Set<string>();
    for (const f of readdirSync(checks).filter((n) => n.endsWith('.sh'))) {
      const code = readFileSync(join(checks, f), 'utf8').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
      for (const m of code.matchAll(/\bsay (\w+)/g)) used.add(m[1] as string);
    }
    assert.ok(used.size > 50, `found only ${used.size} keys: the pattern no longer matches the scripts`);
    assert.equal([...used].filter((k) => !defined.has(k)).sort(), [], 'keys said but not defined');
  });
}

test.after(() => removeTemp(work));
test.run();
