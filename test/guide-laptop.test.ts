// The guide's laptop section, in the reference lab (Spanish) and the English course: one subsection
// per platform with what to install, the lab's own memory total and boxes, the HCP Vagrant registry's
// real dates, the one boot that was measured said as such, and what to do when the boot fails. No
// line of the guide sends the student for an ISO tool: gen-lab writes each VM's cidata.iso itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles } from '../generator/compile.js';
import type { LabModel } from '../generator/3-resolve/model.js';
import { boxOrigin, MEASURED_FIRST_UP, REGISTRY_DATES } from '../generator/4-emit/guide-laptop.js';
import { repoRoot } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const work = makeTemp('guide-laptop');
const reference = join(repoRoot, 'examples', 'practica6.json');
const courseSpec = join(repoRoot, 'examples', 'courses', 'english', 'lab.json');
const courseTemplates = join(repoRoot, 'examples', 'courses', 'english', 'templates');
type Compiled = ReturnType<typeof compileFiles>;
const readme = (c: Compiled) => c.files.find((f) => f.path === 'README.md')?.content ?? '';
const es = compileFiles(reference);
const en = compileFiles(courseSpec, [courseTemplates]);

const WORDS = {
  es: {
    laptop: '## Su portátil',
    boot: '## Cómo arrancarlo',
    requirements: '## Requisitos del equipo anfitrión',
    platforms: ['### Windows', '### macOS (Intel)', '### macOS (Apple Silicon)', '### Linux'],
    memory: /^Las (\d+) VM de este laboratorio suman (\d+) MiB de memoria/m,
    host: /unos (\d+) MiB \([\d.]+ GiB\) libres/,
    notMeasured: 'no se ha medido',
    folder: 'del catálogo de esta carpeta, `boxes/metadata.json`',
    registry: 'del registro de Vagrant (HCP Vagrant)',
    independent: 'Este laboratorio no depende de él',
  },
  en: {
    laptop: '## Your laptop',
    boot: '## How to boot',
    requirements: '## Host requirements',
    platforms: ['### Windows', '### macOS (Intel)', '### macOS (Apple Silicon)', '### Linux'],
    memory: /^The (\d+) VMs of this lab take (\d+) MiB of memory/m,
    host: /about (\d+) MiB \([\d.]+ GiB\) free/,
    notMeasured: 'has not been measured',
    folder: "from this folder's catalog, `boxes/metadata.json`",
    registry: 'from the Vagrant registry (HCP Vagrant)',
    independent: 'This lab does not depend on it',
  },
} as const;

/** The text from a heading line to the next heading of the same or a higher level. */
function section(md: string, heading: string): string {
  const lines = md.split('\n');
  const at = lines.indexOf(heading);
  assert.ok(at >= 0, `heading ${heading} is there`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((l, i) => i > at && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(at, end < 0 ? undefined : end).join('\n');
}

const totalMemory = (m: LabModel) => m.vms.reduce((sum, vm) => sum + vm.memory, 0);

/** The reference spec (or the course's) with these defaults, compiled. */
function variant(lang: 'es' | 'en', name: string, defaults: Record<string, unknown>): string {
  const spec = JSON.parse(readFileSync(lang === 'es' ? reference : courseSpec, 'utf8'));
  spec.defaults = { ...spec.defaults, ...defaults };
  const p = join(work, `${lang}-${name}.json`);
  writeFileSync(p, JSON.stringify(spec));
  return readme(compileFiles(p, lang === 'es' ? [] : [courseTemplates]));
}

for (const [lang, c] of [['es', es], ['en', en]] as const) {
  const w = WORDS[lang];
  const md = readme(c);

  test(`${lang}: the laptop section sits between the requirements and how to boot, with the four platforms in order`, () => {
    const at = (h: string) => md.split('\n').indexOf(h);
    assert.ok(at(w.requirements) >= 0 && at(w.requirements) < at(w.laptop) && at(w.laptop) < at(w.boot), 'requirements, laptop, boot');
    const laptop = section(md, w.laptop);
    const positions = w.platforms.map((h) => laptop.split('\n').indexOf(h));
    assert.ok(positions.every((p) => p > 0), `platforms: ${positions.join(', ')}`);
    assert.equal([...positions].sort((a, b) => a - b), positions, 'Windows, macOS (Intel), macOS (Apple Silicon), Linux');
    assert.match(section(laptop, '### Windows'), /bcdedit \/set hypervisorlaunchtype off[\s\S]*Git Bash/);
    assert.match(section(laptop, '### Windows'), /VirtualBox\/virtualbox#152, #837/);
    assert.match(section(laptop, '### macOS (Intel)'), /`brew install bash`/);
    assert.match(section(laptop, '### macOS (Apple Silicon)'), /arm64[\s\S]*2\.4\.2/);
    assert.match(section(laptop, '### Linux'), /--provider=libvirt/);
  });

  test(`${lang}: the laptop section's memory total is the sum of the model's VM memory`, () => {
    const laptop = section(md, w.laptop);
    const m = laptop.match(w.memory);
    assert.ok(m, 'the memory sentence is there');
    assert.is(Number(m?.[1]), c.model.vms.length, 'VM count');
    assert.is(Number(m?.[2]), totalMemory(c.model), 'total memory');
    assert.is(Number(laptop.match(w.host)?.[1]), totalMemory(c.model) + 1024, 'plus ~1 GiB for the host');
  });

  test(`${lang}: the registry's real dates, the measured boot said as measured, and every box with its source`, () => {
    const laptop = section(md, w.laptop);
    assert.ok(laptop.includes(REGISTRY_DATES.noNewBoxes) && laptop.includes(REGISTRY_DATES.end), 'both registry dates');
    assert.is(REGISTRY_DATES.noNewBoxes, '2026-10-01');
    assert.is(REGISTRY_DATES.end, '2026-12-31');
    assert.not.match(md, /2027|finales de 2026|late 2026/, 'no stale registry dates anywhere in the guide');
    assert.ok(laptop.includes(`${MEASURED_FIRST_UP.fromS}`) && laptop.includes(`${MEASURED_FIRST_UP.toS}`), 'the measured range');
    assert.ok(laptop.replace(/\s+/g, ' ').includes(w.notMeasured), 'what was not measured is said');
    for (const box of new Set(c.model.vms.map((vm) => vm.box))) assert.ok(laptop.includes(`\`${box}\``), `box ${box} named`);
    if (c.model.vms.every((vm) => boxOrigin(vm) === 'folder')) {
      assert.ok(laptop.includes(w.folder), 'a gen-lab box is found in the lab folder');
      assert.ok(laptop.includes(w.independent));
    }
    assert.match(laptop, /\/var\/log\/cloud-init-output\.log[\s\S]*vagrant destroy -f && vagrant up/);
    assert.match(laptop, /GEN_LAB_SKIP_PREFLIGHT=1/);
    assert.match(laptop, /\.gitattributes[\s\S]*core\.autocrlf=true/);
  });

  test(`${lang}: no line of the guide names an ISO tool to install; the boot section describes cidata.iso`, () => {
    for (const f of c.files.filter((x) => x.path.endsWith('.md'))) {
      const lines = f.content.split('\n').filter((l) => /mkisofs|genisoimage|hdiutil/i.test(l));
      assert.equal(lines, [], `${f.path}: ${lines.join(' / ')}`);
    }
    const boot = section(md, w.boot);
    assert.match(boot, /`vms\/<vm>\/cidata\.iso`[\s\S]*`VAGRANT_EXPERIMENTAL=disks`/);
    assert.not.match(boot, /cloud_init/);
  });

  test(`${lang}: a registry box is named as such, with the dates by which to have it`, () => {
    const laptop = section(variant(lang, 'registry', { box: 'bento/ubuntu-24.04' }), w.laptop);
    assert.ok(laptop.includes(`\`bento/ubuntu-24.04\` (`) && laptop.includes(w.registry), laptop);
    assert.not.ok(laptop.includes(w.independent));
    const hosted = section(variant(lang, 'hosted', { boxUrl: 'https://course.example/boxes/metadata.json' }), w.laptop);
    assert.ok(hosted.includes('`https://course.example/boxes/metadata.json`') && hosted.includes(w.independent));
  });
}

test('boxOrigin: a .json boxUrl is a catalog, another boxUrl a .box file, gen-lab\'s box without one the lab folder, any other name the registry', () => {
  assert.is(boxOrigin({ box: 'gen-lab/debian12', boxUrl: 'https://x.example/metadata.json' }), 'catalog');
  assert.is(boxOrigin({ box: 'gen-lab/debian12', boxUrl: 'https://x.example/debian12.box' }), 'file');
  assert.is(boxOrigin({ box: 'gen-lab/debian12' }), 'folder');
  assert.is(boxOrigin({ box: 'bento/ubuntu-24.04' }), 'registry');
});

test.after(() => removeTemp(work));
test.run();
