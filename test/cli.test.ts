// The command line as a user meets it: help, version, and the exit codes scripts rely on
// (0 ok, 1 check failed, 2 bad input).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const spec = join(repoRoot, 'examples', 'practica6.json');
const work = makeTemp('cli');
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

test('--help names the commands and options and exits 0', () => {
  const r = runCli(['--help']);
  assert.is(r.status, 0, r.stderr);
  for (const word of ['--check', '--templates', '--out', 'validate', 'inspect', 'templates', '--version']) assert.ok(r.stdout.includes(word), `help lacks ${word}`);
});

test('help follows the locale: yargs still finds its translations from inside the bundle', () => {
  const env = { ...process.env, LC_ALL: 'es_ES.UTF-8', LANG: 'es_ES.UTF-8' };
  const r = spawnSync(process.execPath, [cliPath, '--help'], { cwd: repoRoot, encoding: 'utf8', env });
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes('Comandos:'), `yargs' Spanish heading missing:\n${r.stdout}`);
});

test('the bin starts from the code cache the build saved (V8 accepted it)', () => {
  const out = join(work, 'timing');
  const r = runCli([spec, '-o', out, '--timing']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /code cache used/);
});

test('--version prints the package version and exits 0', () => {
  const r = runCli(['--version']);
  assert.is(r.status, 0);
  assert.is(r.stdout.trim(), version);
});

test('exit 0: a lab is generated and reported', () => {
  const r = runCli([spec, '-o', join(work, 'ok')]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /gen-lab: wrote .*ok: \d+ changed, 0 unchanged/);
});

test('exit 1: --check on a folder that drifted', () => {
  const out = join(work, 'ok');
  writeFileSync(join(out, 'README.md'), 'edited\n');
  const r = runCli([spec, '--check', '-o', out]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /differs: README\.md/);
});

test('exit 2: a spec with an error, with file:line:col and a hint', () => {
  const bad = join(work, 'bad.json');
  writeFileSync(bad, readFileSync(spec, 'utf8').replace('"vrid": 12', '"vrid": 300'));
  const r = runCli([bad, '-o', join(work, 'bad-out')]);
  assert.is(r.status, 2);
  assert.match(r.stderr, /bad\.json:\d+:\d+: error/);
  assert.match(r.stderr, /nothing written/);
});

test('exit 2: a spec that does not exist, and a spec that is not JSON', () => {
  assert.is(runCli([join(work, 'nope.json')]).status, 2);
  const broken = join(work, 'broken.json');
  writeFileSync(broken, '{ "name": ');
  assert.is(runCli([broken, '-o', join(work, 'x')]).status, 2);
});

test('exit 2: an unknown option or command-line mistake, pointing at --help', () => {
  const r = runCli([spec, '--no-such-option']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /--help/);
  assert.is(runCli([]).status, 2);
});

test('validate and inspect exit 0 on the reference spec', () => {
  const v = runCli(['validate', spec]);
  assert.is(v.status, 0, v.stderr);
  assert.match(v.stdout, /valid \(5 VMs, 5 containers/);
  const i = runCli(['inspect', '--json', spec]);
  assert.is(i.status, 0, i.stderr);
  assert.is((JSON.parse(i.stdout) as { name: string }).name, 'practica6');
});

test.after(() => removeTemp(work));
test.run();
