// The Vagrantfile's preflight judged by Ruby: its rules against fake host facts (Windows, Apple
// Silicon, old Vagrant, small laptops, nothing known), its real host facts on this machine, and the
// whole check run as `vagrant up` would run it (and as real Vagrant loads it), in both languages.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileModel } from '../generator/compile.js';
import { PREFLIGHT_WORDS, preflightLab, preflightRuby } from '../generator/4-emit/preflight.js';
import { provenanceLine } from '../generator/4-emit/provenance.js';
import { TemplateSet } from '../generator/4-emit/templates.js';
import { templateWords } from '../generator/4-emit/words.js';
import { builtinTemplatesDir } from '../generator/paths.js';
import { repoRoot } from './support/cli.js';
import { missingCommands } from './support/examples.js';
import { makeTemp, removeTemp } from './support/tree.js';

const work = makeTemp('preflight');
const templates = new TemplateSet([builtinTemplatesDir], { precompiled: false });
const LABS = { es: 'examples/practica6.json', en: 'examples/courses/english/lab.json' } as const;
const models = { es: compileModel(join(repoRoot, LABS.es)).model, en: compileModel(join(repoRoot, LABS.en)).model };
/** What Vagrant gives a Vagrantfile that the checks read: its version (here the newest the rules know). */
const STUB = 'module Vagrant; VERSION = "2.4.9"; end\n';

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A folder holding preflight.rb (stub + the lab's preflight) and `driver` after it, as main.rb;
 * packed: with the lab's box in boxes/metadata.json, as `gen-lab pack` leaves it. */
function labDir(language: keyof typeof LABS, name: string, driver: string, opts: { stub?: string; packed?: boolean } = {}): string {
  const dir = join(work, `${language}-${name}`);
  mkdirSync(dir, { recursive: true });
  const model = models[language];
  const stub = opts.stub ?? STUB;
  if (opts.packed) {
    mkdirSync(join(dir, 'boxes'), { recursive: true });
    writeFileSync(join(dir, 'boxes', 'metadata.json'), CATALOG(model.vms[0]?.box ?? '', undefined));
    // ... and the container images it copies into images/.
    for (const image of new Set(model.containers.filter((c) => c.localImage).map((c) => c.image))) {
      mkdirSync(join(dir, 'images'), { recursive: true });
      writeFileSync(join(dir, image), 'image stand-in\n');
    }
  }
  writeFileSync(join(dir, 'preflight.rb'), stub + preflightRuby({ model, templates, provenance: provenanceLine(model) }));
  writeFileSync(join(dir, 'main.rb'), `require_relative "preflight"\n${driver}\n`);
  return dir;
}

/** Runs `driver` after the preflight and returns the JSON it printed last. */
function rubyJson<T>(language: keyof typeof LABS, name: string, driver: string): T {
  const dir = labDir(language, name, `require "json"\n${driver}`);
  const r = run('ruby', ['main.rb'], { cwd: dir });
  assert.is(r.status, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as T;
}

// Host facts that pass every check; each case changes what it is about.
const GOOD = `{ os: :linux, provider: "virtualbox", vagrant: "2.4.9", arch: "amd64", hw_arch: "amd64", apple_silicon: nil, rosetta: false,
  mem_total_mb: 32_000, mem_available_mb: 20_000, provider_tool: "/usr/bin/VBoxManage", provider_version: "7.2.4",
  local_catalog: false, catalog_path: "boxes/metadata.json", boxes_installed: {}, created: [] }`;
const MAC_ARM = `GOOD.merge(os: :macos, arch: "arm64", hw_arch: "arm64", apple_silicon: true)`;
const GEN_LAB_BOX = `GEN_LAB_PREFLIGHT_LAB.merge(boxes: [{ name: "gen-lab/debian12", box_url: false }])`;
/** name -> [facts, lab, expected "level:key" list]. */
const CASES: Record<string, [string, string, string[]]> = {
  allGood: ['GOOD', 'LAB', []],
  windowsVbs: ['GOOD.merge(os: :windows, vbs_running: true, hypervisor_present: false)', 'LAB', ['warn:hyperv']],
  windowsHypervisor: ['GOOD.merge(os: :windows, vbs_running: false, hypervisor_present: true)', 'LAB', ['warn:hyperv']],
  windowsClean: ['GOOD.merge(os: :windows, vbs_running: false, hypervisor_present: false)', 'LAB', []],
  macArmVbox70: [`${MAC_ARM}.merge(provider_version: "7.0.20")`, 'LAB', ['stop:armVbox']],
  macArmVagrant23: [`${MAC_ARM}.merge(vagrant: "2.3.7", provider_version: "7.1.4")`, 'LAB', ['stop:vagrantTooOld', 'stop:armVagrant']],
  armCatalogAmd64: [`${MAC_ARM}.merge(local_catalog: gen_lab_preflight_catalog(File.join(__dir__, "amd64.json")))`, 'LAB', ['stop:armBoxes']],
  armCatalogArm64: [`${MAC_ARM}.merge(local_catalog: gen_lab_preflight_catalog(File.join(__dir__, "arm64.json")))`, 'LAB', []],
  armCatalogOtherBox: [`${MAC_ARM}.merge(local_catalog: { name: "gen-lab/other", offers: { "virtualbox" => ["amd64"] } })`, 'LAB', []],
  armManyAdapters: [MAC_ARM, 'LAB.merge(vms: LAB[:vms] + [{ name: "core", memory_mb: 0, adapters: 65 }])', ['stop:armAdapters']],
  armTwoWide: [MAC_ARM, 'LAB.merge(vms: LAB[:vms] + [{ name: "core", memory_mb: 0, adapters: 65 }, { name: "edge", memory_mb: 0, adapters: 70 }])', ['stop:armAdapters', 'stop:armAdapters']],
  armSixtyFourAdapters: [MAC_ARM, 'LAB.merge(vms: LAB[:vms] + [{ name: "core", memory_mb: 0, adapters: 64 }])', []],
  amd64ManyAdapters: ['GOOD', 'LAB.merge(vms: LAB[:vms] + [{ name: "core", memory_mb: 0, adapters: 9 }])', []],
  rosetta: [`${MAC_ARM}.merge(arch: "amd64", rosetta: true)`, 'LAB', ['warn:rosetta']],
  vagrant241Vbox714: ['GOOD.merge(vagrant: "2.4.1", provider_version: "7.1.4")', 'LAB', ['stop:vagrantTooOld']],
  vagrant242Vbox714: ['GOOD.merge(vagrant: "2.4.2", provider_version: "7.1.4")', 'LAB', []],
  vagrant231Vbox70: ['GOOD.merge(vagrant: "2.3.1", provider_version: "7.0.0")', 'LAB', ['stop:vagrantTooOld']],
  vagrant248Vbox72: ['GOOD.merge(vagrant: "2.4.8", provider_version: "7.2.0")', 'LAB', ['stop:vagrantTooOld']],
  vbox61OldVagrant: ['GOOD.merge(vagrant: "2.2.19", provider_version: "6.1.50")', 'LAB', []],
  vboxNewer: ['GOOD.merge(provider_version: "7.3.0")', 'LAB', ['warn:vboxNewer']],
  vboxMissing: ['GOOD.merge(provider_tool: false, provider_version: nil)', 'LAB', ['stop:vboxMissing']],
  libvirtNoVbox: ['GOOD.merge(provider: "libvirt", provider_tool: "/usr/bin/virsh", provider_version: "9.0.0")', 'LAB', []],
  memoryTooSmall: ['GOOD.merge(mem_total_mb: 4096, mem_available_mb: 3000)', 'LAB', ['stop:memoryTotal']],
  memoryJustEnough: ['GOOD.merge(mem_total_mb: LAB[:memory_mb] + 1024)', 'LAB', []],
  memoryBusy: ['GOOD.merge(mem_available_mb: 1000)', 'LAB', ['warn:memoryAvailable']],
  memoryBusyAlreadyUp: ['GOOD.merge(mem_available_mb: 1000, created: LAB[:vms].map { |v| v[:name] })', 'LAB', []],
  genLabBoxMissing: ['GOOD.merge(boxes_installed: { "gen-lab/debian12" => false })', GEN_LAB_BOX, ['stop:boxMissing']],
  genLabBoxInstalled: ['GOOD.merge(boxes_installed: { "gen-lab/debian12" => true })', GEN_LAB_BOX, []],
  genLabBoxPacked: ['GOOD.merge(boxes_installed: { "gen-lab/debian12" => false }, local_catalog: { name: "gen-lab/debian12", offers: { "virtualbox" => ["unknown"] } })', GEN_LAB_BOX, []],
  genLabBoxOtherCatalog: ['GOOD.merge(boxes_installed: { "gen-lab/debian12" => false }, local_catalog: { name: "gen-lab/other", offers: {} })', GEN_LAB_BOX, ['stop:boxMissing']],
  genLabBoxUnreadableCatalog: ['GOOD.merge(boxes_installed: { "gen-lab/debian12" => false }, local_catalog: nil)', GEN_LAB_BOX, ['warn:unknownFacts']],
  genLabBoxUrl: ['GOOD.merge(boxes_installed: { "gen-lab/debian12" => false })', 'LAB.merge(boxes: [{ name: "gen-lab/debian12", box_url: true }])', []],
  imageMissing: ['GOOD.merge(images: { "images/x.tar.gz" => { "amd64" => false, "arm64" => false } })', 'LAB', ['stop:imageMissing']],
  imageThere: ['GOOD.merge(images: { "images/x.tar.gz" => { "amd64" => true, "arm64" => false } })', 'LAB', []],
  armImageMissing: [`${MAC_ARM}.merge(images: { "images/x.tar.gz" => { "amd64" => true, "arm64" => false } })`, 'LAB', ['stop:armImages']],
  armImageThere: [`${MAC_ARM}.merge(images: { "images/x.tar.gz" => { "amd64" => true, "arm64" => true } })`, 'LAB', []],
  nilFacts: ['GOOD.transform_values { nil }', 'LAB', ['warn:unknownFacts']],
  nilWindows: ['GOOD.transform_values { nil }.merge(os: :windows, provider: "virtualbox", provider_tool: "C:/VBoxManage.exe", local_catalog: nil)', 'LAB', ['warn:unknownFacts']],
  noFacts: ['{}', 'LAB', ['warn:unknownFacts']],
  everything: [`${MAC_ARM}.merge(vagrant: "2.3.1", provider_version: "7.0.8", mem_total_mb: 2048, mem_available_mb: nil, rosetta: true)`, 'LAB', ['stop:vagrantTooOld', 'stop:armVbox', 'stop:armVagrant', 'stop:memoryTotal', 'warn:rosetta', 'warn:unknownFacts']],
};

const CATALOG = (name: string, arch: string | undefined) =>
  JSON.stringify({ name, versions: [{ version: '1', providers: [{ name: 'libvirt', url: 'x', ...(arch ? { architecture: 'arm64' } : {}) }, { name: 'virtualbox', url: 'y', ...(arch ? { architecture: arch } : {}) }] }] });

function casesDriver(): string {
  const rows = Object.entries(CASES).map(([name, [facts, lab]]) => `  ${JSON.stringify(name)} => [(${facts}), (${lab})],`);
  return [
    'LAB = GEN_LAB_PREFLIGHT_LAB',
    `File.write(File.join(__dir__, "amd64.json"), JSON.generate(JSON.parse(${JSON.stringify(CATALOG('', undefined))}).merge("name" => LAB[:boxes][0][:name])))`,
    `File.write(File.join(__dir__, "arm64.json"), JSON.generate(JSON.parse(${JSON.stringify(CATALOG('', 'arm64'))}).merge("name" => LAB[:boxes][0][:name])))`,
    `GOOD = ${GOOD}`,
    'CASES = {',
    ...rows,
    '}',
    'out = CASES.to_h do |name, (facts, lab)|',
    '  problems = gen_lab_preflight_problems(facts, lab)',
    '  [name, { "keys" => problems.map { |l, k, _| "#{l}:#{k}" }, "lines" => problems.map { |_, k, p| gen_lab_preflight_say(k, p) } }]',
    'end',
    'puts JSON.generate(out)',
  ].join('\n');
}

test('ruby is installed (scripts/install-deps.sh)', () => {
  assert.equal(missingCommands({ ruby: 'ruby' }), []);
});

test('every preflight word has text in both languages, with the same %{...} slots', () => {
  const slots = (s: string) => [...s.matchAll(/%\{(\w+)\}/g)].map((m) => m[1]).sort();
  const es = templateWords(templates, 'partials/vagrant/es/preflight-words.hbs', PREFLIGHT_WORDS, 'preflight words');
  const en = templateWords(templates, 'partials/vagrant/en/preflight-words.hbs', PREFLIGHT_WORDS, 'preflight words');
  for (const k of PREFLIGHT_WORDS) {
    assert.ok(es[k].length > 0 && en[k].length > 0, `${k} has no text`);
    assert.equal(slots(es[k]), slots(en[k]), `${k}: es and en fill in different slots`);
    assert.not.match(es[k], /\{\{|%[^{]/, `${k}: es has a stray % or {{`);
  }
  // Every key the Ruby says is a word (a missing one would print the bare key).
  const ruby = readFileSync(join(builtinTemplatesDir, 'vagrant', 'preflight.rb.hbs'), 'utf8');
  const said = new Set([...ruby.matchAll(/:(?:stop|warn), "(\w+)"|gen_lab_preflight_say\('(\w+)'|\["(fact\w+)"|'(label\w+)'/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]));
  assert.ok(said.size > 20, `found only ${said.size} keys: the pattern no longer matches the template`);
  assert.equal([...said].filter((k) => !(PREFLIGHT_WORDS as readonly string[]).includes(k as string)), []);
  assert.equal(PREFLIGHT_WORDS.filter((k) => !said.has(k)), [], 'words the Ruby never says');
});

test('the lab facts: memory, VMs, adapters and boxes of the reference lab', () => {
  const lab = preflightLab(models.es);
  assert.is(lab.memoryMb, models.es.vms.reduce((s, v) => s + v.memory, 0));
  assert.is(lab.vmCount, 5);
  assert.equal(lab.boxes, [...new Set(models.es.vms.map((v) => v.box))].map((name) => ({ name, boxUrl: models.es.vms.every((v) => v.box !== name || v.boxUrl) ? 'true' : 'false' })));
  assert.ok(lab.boxes.length > 0);
  assert.is(lab.ich9, 'false');
  assert.equal(lab.vms.find((v) => v.name === 'swout1'), { name: 'swout1', memoryMb: 512, adapters: 4 });
  assert.is(lab.catalog, 'boxes/metadata.json');
});

for (const language of ['es', 'en'] as const) {
  test(`${language}: the rules against fake host facts`, () => {
    const got = rubyJson<Record<string, { keys: string[]; lines: string[] }>>(language, 'rules', casesDriver());
    for (const [name, [, , expected]] of Object.entries(CASES)) {
      assert.equal(got[name]?.keys, expected, name);
      for (const line of got[name]?.lines ?? []) assert.not.match(line, /%\{|^$/, `${name}: ${line}`);
    }
    // The sentences carry the numbers that matter.
    const lab = preflightLab(models[language]);
    assert.match(got.memoryTooSmall?.lines[0] ?? '', new RegExp(`\\b${lab.memoryMb + 1024}\\b.*\\b4096\\b`));
    assert.match(got.vagrant241Vbox714?.lines[0] ?? '', /7\.1\.4.*2\.4\.2.*2\.4\.1/);
    assert.match(got.armTwoWide?.lines[1] ?? '', /\b64\b.*edge.*\b70\b/);
    assert.ok((got.armCatalogAmd64?.lines[0] ?? '').includes(lab.boxes[0]?.name ?? '?'), got.armCatalogAmd64?.lines[0]);
    assert.match(got.nilWindows?.lines[0] ?? '', language === 'es' ? /Hyper-V.* y el catálogo de cajas boxes\/metadata\.json/ : /Hyper-V.* and the box catalog boxes\/metadata\.json/);
  });
}

test('command line: the command, the machines named, the provider', () => {
  const got = rubyJson<Record<string, unknown>>(
    'en',
    'argv',
    [
      'lab = GEN_LAB_PREFLIGHT_LAB',
      'puts JSON.generate({',
      '  "debugUp" => gen_lab_preflight_command(%w[--debug up host1 --provider libvirt host2]),',
      '  "status" => gen_lab_preflight_command(%w[status]),',
      '  "providerEq" => gen_lab_preflight_provider(%w[up --provider=libvirt], {}),',
      '  "providerArg" => gen_lab_preflight_provider(%w[up --provider libvirt], {}),',
      '  "providerEnv" => gen_lab_preflight_provider(%w[up], { "VAGRANT_DEFAULT_PROVIDER" => "libvirt" }),',
      '  "providerNone" => gen_lab_preflight_provider(%w[up], {}),',
      '  "onlyHost1" => gen_lab_preflight_only(lab, %w[host1])[:memory_mb],',
      '  "onlyRegex" => gen_lab_preflight_only(lab, %w[/host/])[:memory_mb],',
      '  "all" => gen_lab_preflight_only(lab, [])[:memory_mb],',
      '  "version" => gen_lab_preflight_version_in("WARNING: The vboxdrv kernel module is not loaded.\\n7.1.4r165100\\n"),',
      '  "versionUbuntu" => gen_lab_preflight_version_in("7.0.16_Ubuntur162802\\n"),',
      '})',
    ].join('\n'),
  );
  const total = preflightLab(models.en).memoryMb;
  assert.equal(got, {
    debugUp: ['up', ['host1', 'host2']],
    status: ['status', []],
    providerEq: ['libvirt', true],
    providerArg: ['libvirt', true],
    providerEnv: ['libvirt', true],
    providerNone: ['virtualbox', false],
    onlyHost1: 2048,
    onlyRegex: total,
    all: total,
    version: '7.1.4',
    versionUbuntu: '7.0.16',
  });
});

test('commands: a slow one is cut off, a missing one is nil; macOS and Windows outputs are read', () => {
  const got = rubyJson<Record<string, unknown>>(
    'en',
    'parsers',
    [
      't0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)',
      'slow = gen_lab_preflight_run(%w[sleep 30], 1)',
      'seconds = Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0',
      'missing = gen_lab_preflight_run(%w[gen-lab-no-such-tool --version])',
      'failing = gen_lab_preflight_run(%w[false])',
      'CANNED = {',
      '  "sysctl hw.optional.arm64" => "1\\n",',
      '  "sysctl hw.memsize" => "17179869184\\n",',
      '  "vm_stat" => "Mach Virtual Memory Statistics: (page size of 16384 bytes)\\nPages free:                               10000.\\nPages active:                            200000.\\nPages inactive:                          190000.\\nPages speculative:                         5000.\\n",',
      '  "powershell" => "total=16651608\\r\\nfree=8123456\\r\\nhypervisor=True\\r\\nvbs=2\\r\\n",',
      '}',
      'def gen_lab_preflight_run(argv, _seconds = 1)',
      '  CANNED[argv.first == "sysctl" ? "sysctl #{argv.last}" : argv.first]',
      'end',
      'mac = gen_lab_preflight_macos_memory.merge(gen_lab_preflight_host_arch(:macos))',
      'win = gen_lab_preflight_windows_facts',
      'CANNED["powershell"] = "total=\\r\\nfree=x\\r\\nhypervisor=\\r\\nvbs=\\r\\n"',
      'puts JSON.generate({ "slow" => slow, "seconds" => seconds, "missing" => missing, "failing" => failing, "mac" => mac, "win" => win, "winBlank" => gen_lab_preflight_windows_facts })',
    ].join('\n'),
  );
  assert.equal([got.slow, got.missing, got.failing], [null, null, null]);
  assert.ok((got.seconds as number) < 5, `sleep 30 was cut off after ${String(got.seconds)} s`);
  // This Ruby is x86_64: under Rosetta on Apple Silicon it would say so.
  assert.equal(got.mac, { mem_total_mb: 16384, mem_available_mb: 3203, arch: 'amd64', apple_silicon: true, rosetta: true, hw_arch: 'arm64' });
  assert.equal(got.win, { mem_total_mb: 16261, mem_available_mb: 7933, hypervisor_present: true, vbs_running: true });
  assert.equal(got.winBlank, { mem_total_mb: null, mem_available_mb: null, hypervisor_present: null, vbs_running: null });
});

test('the real host facts of this machine (Linux, amd64, libvirt)', () => {
  const facts = rubyJson<Record<string, unknown>>('es', 'host', 'puts JSON.generate(gen_lab_host_facts("libvirt"))');
  assert.is(facts.os, 'linux');
  assert.is(facts.arch, 'amd64');
  assert.is(facts.hw_arch, 'amd64');
  assert.is(facts.vagrant, '2.4.9');
  assert.is(facts.provider, 'libvirt');
  assert.is(facts.local_catalog, false, 'no boxes/metadata.json next to the Vagrantfile');
  const memTotal = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) / 1024;
  assert.ok(Math.abs((facts.mem_total_mb as number) - memTotal) <= memTotal * 0.05, `${String(facts.mem_total_mb)} MB against ${memTotal} MB`);
  assert.ok(typeof facts.mem_available_mb === 'number' && facts.mem_available_mb > 0 && facts.mem_available_mb <= (facts.mem_total_mb as number));
  if (missingCommands({ virsh: 'libvirt-clients' }).length === 0) assert.match(String(facts.provider_version), /^\d+\.\d+/);
});

test('a local catalog and an installed gen-lab box are seen where Vagrant keeps them', () => {
  const home = join(work, 'vagrant-home');
  mkdirSync(join(home, 'boxes', 'gen-lab-VAGRANTSLASH-debian12', '2026.12.1', 'libvirt'), { recursive: true });
  mkdirSync(join(home, 'boxes', 'gen-lab-VAGRANTSLASH-empty'), { recursive: true });
  const got = rubyJson<Record<string, unknown>>(
    'en',
    'boxes',
    [
      `ENV["VAGRANT_HOME"] = ${JSON.stringify(home)}`,
      'Dir.mkdir(File.join(__dir__, "boxes")) unless Dir.exist?(File.join(__dir__, "boxes"))',
      `File.write(File.join(__dir__, "boxes", "metadata.json"), ${JSON.stringify(CATALOG('gen-lab/debian12', 'amd64'))})`,
      'lab = GEN_LAB_PREFLIGHT_LAB.merge(boxes: %w[gen-lab/debian12 gen-lab/empty gen-lab/absent bento/x].map { |n| { name: n, box_url: false } })',
      'f = gen_lab_host_facts("virtualbox", lab, __dir__)',
      'File.write(File.join(__dir__, "boxes", "metadata.json"), "{ not json")',
      'puts JSON.generate({ "installed" => f[:boxes_installed], "catalog" => f[:local_catalog], "broken" => gen_lab_preflight_catalog(File.join(__dir__, "boxes", "metadata.json")) })',
    ].join('\n'),
  );
  assert.equal(got, { installed: { 'gen-lab/debian12': true, 'gen-lab/empty': false, 'gen-lab/absent': false }, catalog: { name: 'gen-lab/debian12', offers: { libvirt: ['arm64'], virtualbox: ['amd64'] } }, broken: null });
});

const ENV_CLEAN = (() => {
  const env: NodeJS.ProcessEnv = { ...process.env, VAGRANT_HOME: join(work, 'no-vagrant-home') };
  delete env.VAGRANT_DEFAULT_PROVIDER;
  delete env.GEN_LAB_SKIP_PREFLIGHT;
  return env;
})();
const IMPOSSIBLE = 'gen_lab_preflight(GEN_LAB_PREFLIGHT_LAB.merge(memory_mb: 100_000_000))';

test('es: vagrant up with an impossible lab stops with exit status 1 and says why in Spanish', () => {
  const dir = labDir('es', 'e2e-up', IMPOSSIBLE, { packed: true });
  const r = run('ruby', ['main.rb', 'up', '--provider=libvirt'], { cwd: dir, env: ENV_CLEAN });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0] ?? '', /^gen-lab: error: la práctica necesita 100001024 MB de memoria \(100000000 MB para 5 máquinas y 1024 MB para el propio equipo\) y este equipo tiene \d+ MB/);
  assert.match(lines[lines.length - 1] ?? '', /^gen-lab: la práctica no puede arrancar así \(errores: 1, avisos: \d+\)/);
  assert.ok(lines.every((l) => l.startsWith('gen-lab: ')), r.stderr);
});

test('es: other commands, and GEN_LAB_SKIP_PREFLIGHT=1, never stop', () => {
  const dir = labDir('es', 'e2e-status', IMPOSSIBLE, { packed: true });
  const status = run('ruby', ['main.rb', 'status'], { cwd: dir, env: ENV_CLEAN });
  assert.equal([status.status, status.stdout, status.stderr], [0, '', '']);
  const destroy = run('ruby', ['main.rb', '--debug', 'destroy', '-f'], { cwd: dir, env: ENV_CLEAN });
  assert.equal([destroy.status, destroy.stdout, destroy.stderr], [0, '', '']);
  const help = run('ruby', ['main.rb', 'up', '--help'], { cwd: dir, env: ENV_CLEAN });
  assert.equal([help.status, help.stdout, help.stderr], [0, '', '']);
  const skipped = run('ruby', ['main.rb', 'up'], { cwd: dir, env: { ...ENV_CLEAN, GEN_LAB_SKIP_PREFLIGHT: '1' } });
  assert.equal([skipped.status, skipped.stdout], [0, '']);
  assert.match(skipped.stderr, /^gen-lab: comprobaciones previas omitidas porque GEN_LAB_SKIP_PREFLIGHT=1\n$/);
});

test('en: the reference lab on this machine with libvirt passes and says so in one line', () => {
  const dir = labDir('en', 'e2e-pass', 'gen_lab_preflight', { packed: true });
  const r = run('ruby', ['main.rb', 'up', '--provider=libvirt'], { cwd: dir, env: ENV_CLEAN });
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stderr, /error:/);
  if (r.stderr === '') assert.match(r.stdout, /^gen-lab: preflight checks passed \(english-course: 5 VMs, 5632 MB of memory, libvirt\)\n$/);
});

test('real Vagrant loads the preflight from a Vagrantfile: `up` stops before any machine, `status` is untouched', () => {
  if (missingCommands({ vagrant: 'vagrant' }).length) return;
  const dir = labDir('es', 'vagrant', '', { stub: '', packed: true });
  writeFileSync(
    join(dir, 'Vagrantfile'),
    [
      'require_relative "preflight"',
      IMPOSSIBLE,
      'Vagrant.configure("2") do |config|',
      '  config.vm.box = "gen-lab/preflight-test-none"',
      '  config.vm.synced_folder ".", "/vagrant", disabled: true',
      'end',
      '',
    ].join('\n'),
  );
  const env = { ...ENV_CLEAN, VAGRANT_HOME: join(work, 'vagrant-home-real'), VAGRANT_CHECKPOINT_DISABLE: '1' };
  const up = run('vagrant', ['up', '--provider=libvirt'], { cwd: dir, env });
  assert.is(up.status, 1, up.stdout + up.stderr);
  assert.match(up.stderr, /gen-lab: error: la práctica necesita 100001024 MB/);
  assert.not.match(up.stdout + up.stderr, /Bringing machine|box could not be found/);
  const status = run('vagrant', ['status'], { cwd: dir, env });
  assert.is(status.status, 0, status.stdout + status.stderr);
  assert.not.match(status.stdout + status.stderr, /gen-lab:/);
});

test.after(() => removeTemp(work));
test.run();
