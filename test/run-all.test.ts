// test/run-all.js on a tree of its own: fake suites, one of them named boot.test.js, so the
// scheduling CI depends on is judged by what happens, not by reading the code. The fake boot
// suite asks for the machine (test/support/exclusive.ts) while a foreground suite runs; the step
// must start only after that suite ends and before the next starts; a failing test's heading
// must come back in the closing "failures:" block; the sum line must count every suite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support/cli.js';

const tree = mkdtempSync(join(tmpdir(), 'gen-lab-run-all-'));
const suites = join(tree, 'dist', 'test');
mkdirSync(join(suites, 'support'), { recursive: true });
mkdirSync(join(tree, 'test'));
copyFileSync(join(repoRoot, 'test', 'run-all.js'), join(tree, 'test', 'run-all.js'));
copyFileSync(join(repoRoot, 'dist', 'test', 'support', 'exclusive.js'), join(suites, 'support', 'exclusive.js'));
symlinkSync(join(repoRoot, 'node_modules'), join(tree, 'node_modules'));
writeFileSync(join(tree, 'package.json'), '{"type":"module"}\n');

const stamp = (what: string) => `console.log('STAMP ${what}', Date.now());`;
const sleep = 'const sleep = (ms) => new Promise((r) => setTimeout(r, ms));';
writeFileSync(
  join(suites, 'boot.test.js'),
  `import { test } from 'uvu'; import * as assert from 'uvu/assert'; import { getPriority } from 'node:os';
import { exclusive } from './support/exclusive.js'; ${sleep}
test('untimed', async () => { console.log('NICE', getPriority()); await sleep(300); });
test('timed', () => exclusive('timed step', async () => { ${stamp('timed-start')} await sleep(800); ${stamp('timed-end')} }));
test('fails on purpose', () => assert.is(1, 2, 'boot fails here'));
test.run();\n`,
);
for (const n of ['a', 'b']) {
  writeFileSync(join(suites, `${n}.test.js`), `import { test } from 'uvu'; ${sleep}\ntest('${n}', async () => { ${stamp(`${n}-start`)} await sleep(1500); ${stamp(`${n}-end`)} });\ntest.run();\n`);
}

const r = spawnSync(process.execPath, [join(tree, 'test', 'run-all.js')], { cwd: tree, encoding: 'utf8', timeout: 60_000 });
rmSync(tree, { recursive: true, force: true });
const at = (what: string) => Number(new RegExp(`STAMP ${what} (\\d+)`).exec(r.stdout)?.[1] ?? NaN);

test('the boot suite runs in the background, niced, its lines prefixed', () => {
  assert.match(r.stdout, /\[boot\.test\.js\] NICE 10/);
  assert.ok(at('a-start') < at('timed-start'), 'suite a started while the boot suite ran');
});

test('a timed step waits for the suite in front, and no suite starts until it ends', () => {
  assert.ok(at('a-end') <= at('timed-start'), `the step started at ${at('timed-start')}, before suite a ended at ${at('a-end')}`);
  assert.ok(at('timed-end') <= at('b-start'), `suite b started at ${at('b-start')}, before the step ended at ${at('timed-end')}`);
});

test('failures are repeated before the summary, and the last line sums every suite', () => {
  const tail = r.stdout.slice(r.stdout.lastIndexOf('\nfailures:'));
  assert.match(tail, /boot\.test\.js: FAIL\s+"fails on purpose"\n\s+boot fails here/);
  assert.is(r.stdout.trim().split('\n').pop(), '4 passed, 1 failed');
  assert.is(r.status, 1);
});

test.run();
