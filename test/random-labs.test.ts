// The random-lab generator against the front end, cheaply (no root, no namespaces): hundreds of
// seeds per run (a fresh base seed, printed; SEED=<n> reproduces) all validate with no diagnostic,
// resolve and emit; one seed gives one lab byte for byte; the shapes the emulation suite relies on
// all occur; the generated checks of a few labs, and of the seeds kept under test/specs/ because
// their emulation once failed, are shellcheck -S warning clean.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateSpec } from '../generator/2-validate/validate.js';
import { resolveLab } from '../generator/3-resolve/resolve.js';
import { emitLab } from '../generator/4-emit/emit.js';
import { TemplateSet } from '../generator/4-emit/templates.js';
import { interSwitchCables } from '../generator/4-emit/checks-data.js';
import { keptRandomSpecs, randomLab, runSeed } from './support/random-lab.js';
import { repoRoot } from './support/cli.js';

const N = 300;
const base = runSeed();
process.stdout.write(`random labs: seeds ${base}..${base + N - 1} (SEED=${base} reproduces)\n`);
const templates = TemplateSet.withOverrides([]);

test(`${N} random labs validate without an error, resolve and emit`, () => {
  const shapes = new Set<string>();
  for (let s = base; s < base + N; s++) {
    const lab = randomLab(s >>> 0);
    const { spec, diagnostics } = validateSpec(lab.spec);
    // Warnings (a switch with more than 7 cables takes VirtualBox's ICH9 chipset) are fine; errors are not.
    assert.equal(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.pointer}: ${d.message}`), [], `seed ${s}: ${lab.summary}`);
    assert.ok(spec, `seed ${s}`);
    const model = resolveLab(spec as NonNullable<typeof spec>);
    assert.ok(emitLab(model, templates).length > 0);
    shapes.add(lab.summary.match(/switch\(es\) (\w+)/)?.[1] ?? '?');
    shapes.add(`groups${model.vrrp.length}`);
    shapes.add(`services${model.services.length}`);
    for (const sv of model.services) shapes.add(sv.algorithm);
    if (model.vrrp.length > 1 && new Set(model.vrrp.map((g) => g.expectedMaster)).size > 1) shapes.add('active/active');
    if (model.services.some((sv) => sv.balancers.some((b) => b.reachableWithoutTunnels.length === 0))) shapes.add('balancer without local backend');
    if (interSwitchCables(model).some((c) => c.redundant && c.onTree)) shapes.add('cable on a loop');
  }
  for (const want of ['ring', 'triangle', 'star', 'mesh', 'groups1', 'groups2', 'groups3', 'services1', 'services2', 'services3', 'roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'uri', 'active/active', 'balancer without local backend', 'cable on a loop']) {
    assert.ok(shapes.has(want), `no lab of shape '${want}' among ${N} seeds`);
  }
});

test('one seed, one lab, byte for byte', () => {
  assert.is(JSON.stringify(randomLab(base).spec), JSON.stringify(randomLab(base).spec));
  assert.is.not(JSON.stringify(randomLab(base).spec), JSON.stringify(randomLab(base + 1).spec));
});

/** The generated checks of one spec object are shellcheck -S warning clean ('' or the findings). */
function shellcheckChecks(dir: string, specObject: unknown): string {
  const { spec, diagnostics } = validateSpec(specObject);
  if (!spec) return diagnostics.map((d) => `${d.code} ${d.pointer}: ${d.message}`).join('\n');
  const files = emitLab(resolveLab(spec), templates).filter((f) => f.path.startsWith('emulate/'));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  const checks = files.filter((f) => f.path.startsWith('emulate/checks/') && f.path.endsWith('.sh')).map((f) => f.path.slice('emulate/checks/'.length));
  const r = spawnSync('shellcheck', ['-S', 'warning', '-x', ...checks], { cwd: join(dir, 'emulate', 'checks'), encoding: 'utf8' });
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`;
}

test("the generated checks of 3 random labs are shellcheck -S warning clean", () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gen-lab-rl-'));
  try {
    for (let s = base; s < base + 3; s++) assert.is(shellcheckChecks(join(tmp, String(s)), randomLab(s).spec), '', `seed ${s}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// Seeds whose emulation once failed, kept as specs: they still validate, emit and shellcheck.
const kept = keptRandomSpecs();

test(`the kept failing seeds (${kept.join(', ')}) validate, emit and their checks are shellcheck -S warning clean`, () => {
  assert.ok(kept.length > 0, 'test/specs/random-*.json');
  const tmp = mkdtempSync(join(tmpdir(), 'gen-lab-rl-'));
  try {
    for (const f of kept) assert.is(shellcheckChecks(join(tmp, f), JSON.parse(readFileSync(join(repoRoot, 'test', 'specs', f), 'utf8'))), '', f);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
