// The lab guide: its tables against the model, each language free of the other's built-in text,
// no generated file naming gen-lab's own sources, the answer keys moved to TEACHER.md on request,
// a course replacing one section file by file, and `gen-lab graph` printing the guide's figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles } from '../generator/compile.js';
import type { LabModel } from '../generator/3-resolve/model.js';
import { buildFigure, VIEWS } from '../generator/4-emit/figures.js';
import { figureWords, FIGURE_MAX_NODES } from '../generator/4-emit/guide.js';
import { TemplateSet } from '../generator/4-emit/templates.js';
import { pathToFileURL } from 'node:url';
import { repoRoot, runCli } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const work = makeTemp('guide');
const reference = join(repoRoot, 'examples', 'practica6.json');
const courseSpec = join(repoRoot, 'examples', 'courses', 'english', 'lab.json');
const courseTemplates = join(repoRoot, 'examples', 'courses', 'english', 'templates');
const es = compileFiles(reference);
const en = compileFiles(courseSpec, [courseTemplates]);
const file = (c: typeof es, path: string) => c.files.find((f) => f.path === path)?.content ?? '';

/** The rows of the table under a heading (cells without backticks). */
function table(md: string, heading: string): string[][] {
  const lines = md.split('\n');
  const at = lines.findIndex((l) => l === heading);
  assert.ok(at >= 0, `heading ${heading} is there`);
  const rows: string[][] = [];
  let i = at + 1;
  while (i < lines.length && !lines[i]?.startsWith('|')) i++;
  for (i += 2; i < lines.length && lines[i]?.startsWith('|'); i++) rows.push((lines[i] as string).slice(2, -2).split(' | ').map((c) => c.replace(/`/g, '')));
  return rows;
}

const HEADINGS = {
  en: { addresses: '### Addresses', cables: '### Cables', wiring: '### Wiring per VM (VirtualBox)', containers: '### Containers' },
  es: { addresses: '### Direcciones', cables: '### Cables', wiring: '### Cableado de cada VM (VirtualBox)', containers: '### Contenedores' },
};

function countIn(rows: string[][], col: number, value: string): number {
  return rows.filter((r) => r[col] === value).length;
}

for (const [lang, c] of [['es', es], ['en', en]] as const) {
  const model: LabModel = c.model;
  const readme = file(c, 'README.md');
  const h = HEADINGS[lang];

  test(`${lang}: the addresses table lists every address of the model once, with its node and interface`, () => {
    const rows = table(readme, h.addresses);
    const expected: [string, string, string][] = [
      ...model.vms.flatMap((vm) => [...vm.bridges.flatMap((b) => (b.address ? [[b.address.cidr, vm.name, b.name] as [string, string, string]] : [])), ...vm.nics.flatMap((n) => (n.address ? [[n.address.cidr, vm.name, n.guestName] as [string, string, string]] : []))]),
      ...model.containers.flatMap((ct) => ct.nics.flatMap((n) => (n.address ? [[n.address.cidr, ct.name, n.name] as [string, string, string]] : []))),
    ];
    const vips = model.vrrp.flatMap((g) => g.addresses.map((a) => `${a}/${g.prefix}`));
    assert.is(rows.length, expected.length + vips.length, 'one row per address, nothing else');
    for (const [cidr, node, ifname] of expected) {
      assert.is(countIn(rows, 0, cidr), 1, `${cidr} appears once`);
      const row = rows.find((r) => r[0] === cidr) as string[];
      assert.is(row[1], node, `${cidr} belongs to ${node}`);
      assert.is(row[2], ifname, `${cidr} is on ${ifname}`);
    }
    for (const vip of vips) assert.is(countIn(rows, 0, vip), 1, `VIP ${vip} appears once`);
  });

  test(`${lang}: the cables table has every cable once with both ends and its internal network`, () => {
    const rows = table(readme, h.cables);
    const cables = new Map(model.vms.flatMap((vm) => vm.nics.map((n, i) => [n.cable, { a: vm.name, b: n.peer.vm, intnet: vm.providers.virtualbox.nics[i]?.intnet }] as const)));
    assert.is(rows.length, cables.size);
    for (const [name, x] of cables) {
      assert.is(countIn(rows, 0, name), 1, `cable ${name} once`);
      const row = rows.find((r) => r[0] === name) as string[];
      assert.ok(row[1]?.startsWith(`${x.a} `) || row[1]?.startsWith(`${x.b} `), `${name}: one end ${row[1]}`);
      assert.ok(row[2]?.startsWith(`${x.a} `) || row[2]?.startsWith(`${x.b} `), `${name}: other end ${row[2]}`);
      assert.is(row[3], x.intnet);
    }
  });

  test(`${lang}: every MAC of the model appears once in the README, in the row of its adapter or container`, () => {
    const wiring = table(readme, h.wiring);
    const containers = table(readme, h.containers);
    const count = (mac: string) => readme.split(mac).length - 1;
    for (const vm of model.vms)
      vm.nics.forEach((n, i) => {
        assert.is(count(n.mac), 1, `${vm.name} ${n.guestName} ${n.mac}`);
        const row = wiring.find((r) => r[4] === n.mac);
        assert.ok(row, `${n.mac} in the wiring table`);
        assert.equal(row?.slice(0, 4), [vm.name, String(vm.providers.virtualbox.nics[i]?.adapter), n.guestName, n.cable]);
      });
    for (const ct of model.containers)
      for (const n of ct.nics) {
        assert.is(count(n.mac), 1, `${ct.name} ${n.name} ${n.mac}`);
        const row = containers.find((r) => r[0] === ct.name);
        assert.ok(row?.[4]?.includes(`${n.name} `) && row[4].includes(n.mac), `${n.mac} in ${ct.name}'s row`);
      }
    assert.is(wiring.length, model.vms.reduce((s, vm) => s + vm.nics.length, 0));
  });
}

/** Prose fragments of the built-in guide templates of one language (Handlebars and code removed). */
function builtinFragments(lang: string): string[] {
  const dir = join(repoRoot, 'templates', 'partials', 'guide', lang);
  const out = new Set<string>();
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, f), 'utf8')
      .replace(/\{\{[^}]*\}\}/g, '\n')
      .replace(/`[^`\n]*`/g, '\n');
    for (const piece of text.split(/[\n|*_()[\]:;,.!?"<>=#/]+/)) {
      const t = piece.trim();
      if (t.split(/\s+/).length >= 2 && t.length >= 10 && /[a-záéíóúñ]{3}/i.test(t)) out.add(t);
    }
  }
  return [...out];
}

test('each language guide contains none of the other language\'s built-in sentences and headings', () => {
  const enF = builtinFragments('en');
  const esF = builtinFragments('es');
  const shared = new Set(enF.filter((f) => esF.includes(f)));
  const enOnly = enF.filter((f) => !shared.has(f));
  const esOnly = esF.filter((f) => !shared.has(f));
  assert.ok(enOnly.length > 80 && esOnly.length > 80, `fragments: en ${enOnly.length}, es ${esOnly.length}`);
  const esText = es.files.filter((f) => f.path.endsWith('.md')).map((f) => f.content).join('\n');
  const enText = en.files.filter((f) => f.path.endsWith('.md')).map((f) => f.content).join('\n');
  // The spec's own text (title, descriptions) is the author's, in whatever language they wrote it.
  const specText = (m: LabModel) => [m.title, m.description ?? '', ...m.vms.map((v) => v.description ?? ''), ...m.containers.map((x) => x.description ?? ''), ...m.subnets.map((s) => s.description ?? '')].join('\n');
  const leaks = (text: string, fragments: string[], spec: string) => fragments.filter((f) => text.includes(f) && !spec.includes(f));
  assert.equal(leaks(esText, enOnly, specText(es.model)), [], 'English in the Spanish guide');
  assert.equal(leaks(enText, esOnly, specText(en.model)), [], 'Spanish in the English guide');
  // The extraction finds each language's own text in its guide, so the check above has teeth.
  assert.ok(enOnly.filter((f) => enText.includes(f)).length > enOnly.length / 2);
  assert.ok(esOnly.filter((f) => esText.includes(f)).length > esOnly.length / 2);
});

test('no generated file names gen-lab\'s own sources', () => {
  for (const c of [es, en])
    for (const f of c.files) {
      assert.not.match(f.content, /generator\/|templates\/partials|\b[\w-]+\.ts\b|slot:/, `${f.path} names a source file`);
    }
});

test('guide.teacherOnly moves the answer keys to TEACHER.md and out of the student\'s README and figures', () => {
  const spec = JSON.parse(readFileSync(reference, 'utf8')) as Record<string, unknown>;
  spec.guide = { teacherOnly: true };
  const p = join(work, 'teacher.json');
  writeFileSync(p, JSON.stringify(spec));
  const t = compileFiles(p);
  const readme = file(t, 'README.md');
  const teacher = file(t, 'TEACHER.md');
  assert.ok(teacher, 'TEACHER.md is written');
  assert.not.ok(file(es, 'TEACHER.md'), 'and only then');
  for (const d of t.model.l2domains) {
    if (!d.stp) continue;
    assert.ok(teacher.includes(d.stp.root.bridgeId), 'the root bridge id is in TEACHER.md');
    assert.not.ok(readme.includes(d.stp.root.bridgeId), 'and not in README.md');
    for (const b of d.stp.blocked) assert.ok(teacher.includes(`\`${b.port}\` de \`${b.vm}/${b.bridge}\``), `blocked ${b.port} in TEACHER.md`);
  }
  for (const g of t.model.vrrp) {
    const interval = `${g.masterDownInterval.toFixed(2)} s`;
    assert.ok(teacher.includes(interval));
    assert.not.ok(readme.includes(interval));
    assert.not.ok(readme.includes(`maestro: ${g.expectedMaster}`), 'the figures do not tell the master either');
  }
  assert.not.ok(readme.includes('BLOQUEADO') || readme.includes('RAÍZ'), 'the figures do not mark the tree');
  assert.not.ok(readme.includes('## Solución'));
  assert.ok(file(es, 'README.md').includes('## Solución'), 'without the option the keys are in README.md');
});

test('a course replaces one section of the guide by overriding one partial', () => {
  const layer = join(work, 'course');
  mkdirSync(join(layer, 'partials', 'guide', 'en'), { recursive: true });
  writeFileSync(join(layer, 'partials', 'guide', 'en', 'boot.hbs'), '## Booting in our classroom\n\nAsk the technician for `{{firstVm}}`.\n\n');
  const c = compileFiles(courseSpec, [layer, courseTemplates]);
  const readme = file(c, 'README.md');
  assert.ok(readme.includes('## Booting in our classroom\n\nAsk the technician for `host1`.'));
  assert.not.ok(readme.includes('### How the lab boots'), 'the built-in boot section is gone');
  assert.ok(readme.includes('## Lab network: `network.sh`') && readme.includes('## Checkpoints'), 'the other sections stay built-in');
  const list = runCli(['templates', '--templates', layer]).stdout;
  assert.match(list, new RegExp(`partials/guide/en/boot\\.hbs\\t${layer}`));
});

test('a course\'s figure words lacking a word is refused as bad input (exit 2), naming the file', () => {
  const layer = join(work, 'words');
  mkdirSync(join(layer, 'partials', 'guide', 'en'), { recursive: true });
  writeFileSync(join(layer, 'partials', 'guide', 'en', 'figure-words.hbs'), 'host: host VM\n');
  const r = runCli([courseSpec, '-o', join(work, 'words-out'), '--templates', layer]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /figure-words\.hbs.*lacks the figure words switch, client/);
});

test('a figure too big to read is left out of the lab folder, said so in the README, and still drawn by gen-lab graph', async () => {
  const { syntheticSpec } = (await import(pathToFileURL(join(repoRoot, 'bench', 'synthetic-spec.js')).href)) as { syntheticSpec(hosts: number): unknown };
  const p = join(work, 'big.json');
  writeFileSync(p, JSON.stringify(syntheticSpec(25)));
  const big = compileFiles(p);
  const readme = file(big, 'README.md');
  const machines = buildFigure('machines', big.model, figureWords(big.model, TemplateSet.withOverrides([])));
  assert.ok(machines.nodes.length > FIGURE_MAX_NODES, `the machines figure has ${machines.nodes.length} boxes`);
  assert.not.ok(big.files.some((f) => f.path === 'diagrams/machines.svg'));
  assert.match(readme, new RegExp(`_This figure would have ${machines.nodes.length} boxes, more than a page can show legibly \\(${FIGURE_MAX_NODES}\\)`));
  for (const view of VIEWS) {
    const fig = buildFigure(view, big.model, figureWords(big.model, TemplateSet.withOverrides([])));
    assert.is(big.files.some((f) => f.path === `diagrams/${view}.svg`), fig.nodes.length <= FIGURE_MAX_NODES, view);
  }
  const g = runCli(['graph', p, '--view', 'machines', '--format', 'svg']);
  assert.is(g.status, 0);
  assert.ok(g.stdout.startsWith('<svg '));
});

test('gen-lab graph prints the guide\'s figures: Mermaid as in README.md, SVG as in diagrams/, dot', () => {
  const readme = file(es, 'README.md');
  for (const view of VIEWS) {
    const m = runCli(['graph', reference, '--view', view]);
    assert.is(m.status, 0, m.stderr);
    assert.ok(readme.includes('```mermaid\n' + m.stdout + '```'), `${view}: the README's block`);
    const s = runCli(['graph', reference, '--view', view, '--format', 'svg']);
    assert.is(s.stdout, file(es, `diagrams/${view}.svg`), `${view}: diagrams/${view}.svg`);
    const d = runCli(['graph', reference, '--view', view, '--format', 'dot']);
    assert.is(d.status, 0);
    assert.match(d.stdout, new RegExp(`^graph ${view} \\{\\n[\\s\\S]*\\n\\}\\n$`));
    for (const vm of es.model.vms) if (view !== 'l3') assert.ok(d.stdout.includes(vm.name), `${view} dot names ${vm.name}`);
  }
  const bad = runCli(['graph', reference, '--view', 'stp']);
  assert.is(bad.status, 2);
});

test.after(() => removeTemp(work));
/** The text from a heading line to the next heading of the same or a higher level. */
function sectionOf(md: string, heading: string): string {
  const lines = md.split('\n');
  const at = lines.indexOf(heading);
  assert.ok(at >= 0, `heading ${heading} is there`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((l, i) => i > at && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(at, end < 0 ? undefined : end).join('\n');
}

/** The reference spec with these defaults, compiled; its README.md. */
function referenceWith(name: string, defaults: Record<string, unknown>): string {
  const spec = JSON.parse(readFileSync(reference, 'utf8'));
  spec.defaults = { ...spec.defaults, ...defaults };
  const specFile = join(work, `${name}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  return file(compileFiles(specFile), 'README.md');
}

test('the boot section says where each box and image comes from, and what to do when the registry box is gone', () => {
  const md = file(es, 'README.md');
  const boxes = table(md, '### De dónde salen las boxes y las imágenes');
  assert.equal(boxes.map((r) => r[0]), [...new Set(es.model.vms.map((vm) => vm.box))].sort());
  const registry = sectionOf(referenceWith('registry-box', { box: 'bento/ubuntu-24.04' }), '## Cómo arrancarlo');
  assert.equal(table(registry, '### De dónde salen las boxes y las imágenes').map((r) => [r[0], r[3]]), [['bento/ubuntu-24.04', 'el registro de Vagrant (HCP Vagrant), solo mientras esté en la caché del portátil']]);
  assert.match(registry, /HCP Vagrant[\s\S]*2026-10-01[\s\S]*2026-12-31[\s\S]*gen-lab pack[\s\S]*gen-lab box build/, 'a registry box gets its dates and the way out');
  const hosted = sectionOf(referenceWith('hosted-box', { box: 'gen-lab/debian12', boxUrl: 'https://course.example/boxes/metadata.json', image: 'images/gen-lab-debian12.tar.gz' }), '## Cómo arrancarlo');
  const rows = table(hosted, '### De dónde salen las boxes y las imágenes');
  assert.equal(rows.map((r) => [r[0], r[1], r[3]]), [['gen-lab/debian12', 'debian12 (LXD de la distribución)', 'el catálogo del curso, https://course.example/boxes/metadata.json']]);
  assert.not.match(hosted, /HCP Vagrant/, 'no registry note in the boot section when every box has its own URL');
  assert.match(hosted, /gen-lab-debian12\.tar\.gz` \| `debian` \(`apt`, `systemd`\) \| `bal1`, `bal2`, `serv1`, `serv2`, `serv3` \| esta carpeta/, 'the local image ships in the lab folder');
  assert.not.match(hosted, /servidor de imágenes de LXD/, 'a local image needs no image server');
  const packed = sectionOf(referenceWith('packed-box', { box: 'gen-lab/debian12', image: 'images/gen-lab-debian12.tar.gz' }), '## Cómo arrancarlo');
  assert.equal(table(packed, '### De dónde salen las boxes y las imágenes').map((r) => r[3]), ['el catálogo de esta carpeta, boxes/metadata.json (lo escribe gen-lab pack)']);
  assert.match(packed, /Debian LTS hasta el 2028-06-30/);
});

test.run();
