// Teaching mode in the lab guide: a lab stopped at stage S < 4 tells the student, per stage, whether
// it is built or left, with its name, weight and checkpoint, and for the left ones the spec's facts
// (bridges, STP root, containers and NICs, VRRP groups, services, VXLAN) but never the answer: no
// line the whole lab's configuration adds appears in README.md. TEACHER.md points at the files of
// the whole lab that answer each left stage. A whole lab (stage 4) has no stages section at all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFiles } from '../generator/compile.js';
import type { LabModel } from '../generator/3-resolve/model.js';
import { stagePlan, type Stage } from '../generator/rules/stages.js';
import { repoRoot } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const work = makeTemp('guide-stages');
const reference = join(repoRoot, 'examples', 'practica6.json');
const courseSpec = join(repoRoot, 'examples', 'courses', 'english', 'lab.json');
const courseTemplates = join(repoRoot, 'examples', 'courses', 'english', 'templates');
const specStages = (JSON.parse(readFileSync(reference, 'utf8')) as { stages: { name: string; weight?: number }[] }).stages;

type Compiled = ReturnType<typeof compileFiles>;
const file = (c: Compiled, path: string) => c.files.find((f) => f.path === path)?.content;
const whole = compileFiles(reference, [], 4);
const atStage = new Map<number, Compiled>([0, 1, 2, 3].map((s) => [s, compileFiles(reference, [], s as Stage)]));

const WORDS = {
  es: { section: '## Qué está hecho y qué falta', stage: 'Etapa', built: 'hecha', left: '**falta**', teacher: '## Etapas: dónde está la solución' },
  en: { section: '## What is built and what is left', stage: 'Stage', built: 'built', left: '**left**', teacher: '## Stages: where the answers are' },
};

/** The text from a heading line to the next heading of the same or a higher level. */
function section(md: string, headingStart: string): string | undefined {
  const lines = md.split('\n');
  const at = lines.findIndex((l) => l.startsWith(headingStart));
  if (at < 0) return undefined;
  const level = (headingStart.match(/^#+/) as RegExpMatchArray)[0].length;
  const end = lines.findIndex((l, i) => i > at && /^#+ /.test(l) && (l.match(/^#+/) as RegExpMatchArray)[0].length <= level);
  return lines.slice(at, end < 0 ? undefined : end).join('\n');
}

/** Lines the whole lab's file has and the staged lab's does not: the answer the student writes. */
function answerLines(wholeText: string, stagedText: string | undefined): string[] {
  const staged = new Set((stagedText ?? '').split('\n').map((l) => l.trim()));
  return wholeText
    .split('\n')
    .map((l) => l.trim())
    // A bare value (an address alone on its line) is a fact the guide may state; a directive with its
    // arguments is configuration.
    .filter((l) => l.length >= 12 && /\S\s+\S/.test(l) && !l.startsWith('#') && !l.startsWith('//') && !staged.has(l) && !/^[\w-]+\(\)\s*\{$|^(fi|done|esac|\}|else|then)$/.test(l));
}

const cidrOf = (a: { cidr: string } | undefined) => a?.cidr ?? '';

/** The facts stage n must state, from the model and stagePlan (not from the guide's own code). */
function factsOf(model: LabModel, n: number): string[] {
  const plan = stagePlan(model);
  const facts: string[] = [];
  for (const vm of model.vms)
    for (const b of vm.bridges) if (plan.bridge(vm.name, b.name) === n) facts.push(`\`${b.name}\``, ...(b.address ? [`\`${b.address.cidr}\``] : []));
  for (const d of model.l2domains) if (d.stp && plan.bridge(d.stp.root.vm, d.stp.root.bridge) === n) facts.push(`\`${d.stp.root.bridge}\``);
  for (const c of model.containers) {
    if (plan.container(c.name) === n) facts.push(`\`${c.name}\``, `\`${c.image}\``);
    for (const x of c.nics) if (plan.containerNic(c.name, x.name) === n) facts.push(`\`${x.name}\``, `\`${x.bridge}\``, `\`${cidrOf(x.address)}\``);
  }
  for (const g of model.vrrp)
    if (Math.max(...g.members.map((m) => plan.daemon(m.container, 'keepalived'))) === n) facts.push(`VRID ${g.vrid}`, ...g.addresses.map((a) => `\`${a}\``), ...g.members.map((m) => `\`${m.container}\` por \`${m.nic}\` con prioridad ${m.priority}`));
  for (const s of model.services)
    if (Math.max(...s.balancers.map((b) => plan.daemon(b.container, 'haproxy'))) === n) facts.push(`\`${s.name}\``, `\`${s.algorithm}\``, ...s.vips.map((v) => `\`${v}:${s.port}\``), ...s.backends.map((b) => `\`${b.container}\` \`${b.address}:${b.port}\``));
  if (plan.vxlan === n) for (const s of model.vxlan) facts.push(`VNI ${s.vni}`, ...s.members.map((m) => `\`${m.vm}/${m.bridge}\` (desde \`${m.local}\`)`));
  return facts;
}

for (const [stage, c] of atStage) {
  const readme = file(c, 'README.md') ?? '';
  const teacher = file(c, 'TEACHER.md') ?? '';
  const w = WORDS.es;

  test(`stage ${stage}: the README's table gives every stage 1-4 its spec name, weight, state and checkpoint`, () => {
    const part = section(readme, w.section);
    assert.ok(part, 'the stages section is there');
    for (const n of [1, 2, 3, 4]) {
      const s = specStages[n] as { name: string; weight?: number };
      const state = n <= stage ? w.built : w.left;
      assert.match(part, new RegExp(`^\\| ${n} \\| ${s.name} \\| ${s.weight} % \\| ${state.replace(/\*/g, '\\*')} \\| \`emulate/checks/cp${n}-[a-z]+\\.sh\` \\|$`, 'm'), `row of stage ${n}`);
      assert.is(section(readme, `### ${w.stage} ${n}: `) !== undefined, n > stage, `stage ${n} has its own section exactly when it is left`);
    }
  });

  test(`stage ${stage}: each left stage states its facts of the assignment, and only its own`, () => {
    for (const n of [1, 2, 3, 4].filter((x) => x > stage)) {
      const s = specStages[n] as { name: string; weight?: number };
      const part = section(readme, `### ${w.stage} ${n}: ${s.name} (${s.weight} %)`) ?? '';
      assert.ok(part, `stage ${n} section`);
      for (const fact of factsOf(c.model, n)) assert.ok(part.includes(fact), `stage ${n} states ${fact}`);
    }
    // The root is the assignment's: said once, on the root's own line.
    const roots = readme.split('\n').filter((l) => l.includes('debe ser el puente raíz'));
    const root = c.model.l2domains.find((d) => d.stp)?.stp?.root;
    assert.equal(roots.map((l) => l.startsWith(`- En \`${root?.vm}\`, el puente \`${root?.bridge}\``)), stage < 1 ? [true] : []);
    // A built stage's facts are not repeated as work to do.
    if (stage >= 2) assert.not.ok((section(readme, w.section) ?? '').includes('VRID'), 'VRRP is built: no VRRP task');
  });

  test(`stage ${stage}: no line of the answer (the whole lab's configuration beyond this stage) is in README.md`, () => {
    assert.not.match(readme, /vrrp_instance|virtual_ipaddress \{|virtual_router_id|^\s*backend\s|^\s*frontend\s|^\s*server \S+ [\d.]+:\d+/m);
    let checked = 0;
    for (const f of whole.files.filter((x) => /^(vms|containers)\//.test(x.path))) {
      for (const line of answerLines(f.content, file(c, f.path))) {
        checked++;
        assert.not.ok(readme.includes(line), `README.md gives away ${f.path}: ${line}`);
      }
    }
    assert.ok(checked > (stage < 3 ? 20 : 3), `${checked} answer lines checked`);
  });

  test(`stage ${stage}: TEACHER.md holds the keys and, per left stage, the whole lab's files that answer it`, () => {
    assert.ok(teacher, 'a staged lab has a teacher\'s copy');
    const part = section(teacher, WORDS.es.teacher) ?? '';
    assert.ok(part.includes('--stage 4'), 'it says how to get the whole lab');
    for (const d of c.model.l2domains) if (d.stp) {
      assert.ok(teacher.includes(d.stp.root.bridgeId), 'the STP key is the teacher\'s');
      assert.not.ok(readme.includes(d.stp.root.bridgeId), 'and not the student\'s');
    }
    for (const n of [1, 2, 3, 4]) {
      const s = specStages[n] as { name: string; weight?: number };
      const own = section(part, `### ${w.stage} ${n}: ${s.name} (${s.weight} %)`);
      assert.is(own !== undefined, n > stage, `stage ${n} in TEACHER.md exactly when left`);
      if (!own) continue;
      assert.ok(own.includes(`\`emulate/checks/cp${n}-`) && own.includes(`${s.weight} %`), `stage ${n}: its checkpoint and weight`);
      const listed = [...own.matchAll(/^ {2}- `([^`]+)`$/gm)].map((m) => m[1] as string);
      assert.ok(listed.length > 0, `stage ${n} lists answer files`);
      const [before, after] = [n - 1, n].map((x) => (x === 4 ? whole : (atStage.get(x) as Compiled)));
      for (const p of listed) {
        assert.ok(file(whole, p) !== undefined, `${p} is a file of the whole lab`);
        assert.ok(file(after as Compiled, p) !== file(before as Compiled, p), `${p} holds part of stage ${n}'s answer: stage ${n} changes it`);
      }
      // And every lab file the stage changes is listed (user-data only bundles these, so it is not).
      const changed = (after as Compiled).files.filter((f) => /^(containers\/|vms\/[^/]+\/(network|containers)\.sh$)/.test(f.path) && f.content !== file(before as Compiled, f.path)).map((f) => f.path);
      assert.equal(listed, changed.sort(), `stage ${n}: the files it changes`);
    }
    // Every daemon file the stage leaves out is pointed at.
    for (const f of whole.files.filter((x) => /^containers\/[^/]+\/(keepalived\.conf|haproxy\.cfg|index\.php)$/.test(x.path) && !file(c, x.path))) assert.ok(part.includes(`\`${f.path}\``), `${f.path} is pointed at`);
  });
}

test('stage 1 (the handout\'s example): the VIP is an assignment fact, no keepalived or haproxy text anywhere in README.md', () => {
  const readme = file(atStage.get(1) as Compiled, 'README.md') ?? '';
  const vrrp = section(readme, '### Etapa 2: ') ?? '';
  assert.ok(vrrp.includes('`172.16.1.254`') && vrrp.includes('prioridad 150') && vrrp.includes('VRID 12'));
  for (const text of ['vrrp_instance', 'virtual_ipaddress {', 'backend ', 'balance roundrobin']) assert.not.ok(readme.includes(text), text);
});

test('stage 4 and no stage: no stages section, no teacher\'s copy, the same README', () => {
  const none = compileFiles(reference);
  assert.is(file(whole, 'README.md'), file(none, 'README.md'));
  assert.not.ok((file(whole, 'README.md') ?? '').includes(WORDS.es.section));
  assert.is(file(whole, 'TEACHER.md'), undefined);
});

/** Prose fragments of the stage partials of one language (Handlebars and code removed). */
function stageFragments(lang: 'es' | 'en'): string[] {
  const dir = join(repoRoot, 'templates', 'partials', 'guide', lang);
  return readdirSync(dir)
    .filter((f) => f.startsWith('stage') || f.startsWith('teacher-stages'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').replace(/\{\{[^}]*\}\}/g, '\n').replace(/`[^`\n]*`/g, '\n').split(/[\n|*_()[\]:;,.!?"«»<>=#/]+/))
    .map((t) => t.trim())
    .filter((t) => t.split(/\s+/).length >= 2 && /[a-záéíóúñ]{3}/i.test(t));
}

test('an English lab, staged: English stage names and words, none of the Spanish ones', () => {
  const en = compileFiles(courseSpec, [courseTemplates], 2);
  const readme = file(en, 'README.md') ?? '';
  const teacher = file(en, 'TEACHER.md') ?? '';
  const part = section(readme, WORDS.en.section) ?? '';
  assert.match(part, /^\| 3 \| Load-balanced services \| 25 % \| \*\*left\*\* \|/m);
  assert.match(part, /^\| 2 \| First-hop redundancy with VRRP \| 25 % \| built \|/m);
  assert.ok(part.includes('### Stage 4: VXLAN overlay (25 %)') && part.includes('VNI '));
  assert.ok(teacher.includes(WORDS.en.teacher));
  const esOnly = stageFragments('es').filter((f) => !stageFragments('en').includes(f));
  assert.ok(esOnly.length > 20, `${esOnly.length} Spanish fragments`);
  assert.equal(esOnly.filter((f) => readme.includes(f) || teacher.includes(f)), [], 'Spanish in the English guide');
  const es = `${file(atStage.get(1) as Compiled, 'README.md')}${file(atStage.get(1) as Compiled, 'TEACHER.md')}`;
  assert.ok(esOnly.filter((f) => es.includes(f)).length > esOnly.length / 2, 'the fragments are found in the Spanish guide, so the check has teeth');
});

test('prebuilt containers: a left stage says the container exists, with its packages and no lab NIC', () => {
  const spec = JSON.parse(readFileSync(reference, 'utf8')) as { stages: Record<string, unknown>[] };
  (spec.stages[1] as Record<string, unknown>)['prebuild'] = { containers: true };
  const p = join(work, 'prebuild.json');
  writeFileSync(p, JSON.stringify(spec));
  const readme = file(compileFiles(p, [], 1), 'README.md') ?? '';
  const vrrp = section(readme, '### Etapa 2: ') ?? '';
  assert.match(vrrp, /- `bal1` ya existe en `host1`, con `[^\n]*keepalived[^\n]* instalados y sin NIC del laboratorio\./);
  assert.not.ok(vrrp.includes('Cree `bal1`'));
  assert.ok((file(atStage.get(1) as Compiled, 'README.md') ?? '').includes('Cree `bal1` en `host1`'), 'without prebuild the student creates it');
});

test('a backend weight and a page heading the spec sets are facts of the assignment too', () => {
  const spec = JSON.parse(readFileSync(reference, 'utf8')) as { services: { backends: Record<string, unknown>[] }[]; containers: Record<string, unknown>[] };
  (spec.services[0]?.backends[2] as Record<string, unknown>)['weight'] = 3;
  (spec.containers.find((x) => x['name'] === 'serv1') as Record<string, unknown>)['page'] = { heading: 'Hola desde serv1' };
  const p = join(work, 'weights.json');
  writeFileSync(p, JSON.stringify(spec));
  const part = section(file(compileFiles(p, [], 2), 'README.md') ?? '', '### Etapa 3: ') ?? '';
  assert.ok(part.includes('`serv3` `10.0.0.3:80` (peso 3)') && part.includes('`serv2` `10.0.0.2:80`, '), 'only the weight that is not 1 is said');
  assert.ok(part.includes('- `serv1` en `host1`, encabezado de la página «Hola desde serv1».'));
});

test('the web servers\' task names the text the checkpoint recognises a page by, as the whole lab\'s page prints it', () => {
  const c = atStage.get(2) as Compiled;
  const part = section(file(c, 'README.md') ?? '', '### Etapa 3: ') ?? '';
  for (const w of c.model.containers.filter((x) => x.role === 'web')) assert.ok(part.includes(`- \`${w.name}\` en \`${w.vm}\`, encabezado de la página «${w.pageHeading}».`), w.name);
  assert.ok(part.includes('`server=SERVIDOR client=DIRECCIÓN`') && part.includes('`server=serv1`'));
  assert.ok((file(whole, 'containers/serv1/index.php') ?? '').includes('server=<?= $h($server) ?> client=<?= $h($client) ?>'), 'the page prints it');
  assert.ok((file(whole, 'emulate/checks/lib.sh') ?? '').includes('s/.*server=\\([^ <]*\\) client=\\([^ <]*\\).*/'), 'the checkpoint reads it');
});

test('a stage the lab has nothing for says so in README.md and TEACHER.md, and lists no file', () => {
  const spec = JSON.parse(readFileSync(reference, 'utf8')) as Record<string, unknown>;
  delete spec['vrrp'];
  const p = join(work, 'no-vrrp.json');
  writeFileSync(p, JSON.stringify(spec));
  const c = compileFiles(p, [], 1);
  const readme = section(file(c, 'README.md') ?? '', '### Etapa 2: ') ?? '';
  const teacher = section(file(c, 'TEACHER.md') ?? '', '### Etapa 2: ') ?? '';
  assert.ok(readme.includes('En este laboratorio esta etapa no construye nada.') && !readme.includes('Contenedores:'));
  assert.ok(teacher.includes('- En este laboratorio esta etapa no construye nada.') && !teacher.includes('containers/'));
  assert.ok((section(file(c, 'README.md') ?? '', '### Etapa 3: ') ?? '').includes('Cree `bal1`'), 'the balancers come with the services instead');
});

test('a course overrides the stage tasks by one partial', () => {
  const layer = join(work, 'course');
  mkdirSync(join(layer, 'partials', 'guide', 'es'), { recursive: true });
  writeFileSync(join(layer, 'partials', 'guide', 'es', 'stage-tasks.hbs'), 'Vea el enunciado, apartado {{number}}.\n\n');
  const readme = file(compileFiles(reference, [layer], 1), 'README.md') ?? '';
  assert.ok(readme.includes('### Etapa 3: Servicio web balanceado (30 %)\n\nVea el enunciado, apartado 3.\n\nPunto de control 3'));
  assert.not.ok(readme.includes('Servicios balanceados:'));
});

test.after(() => removeTemp(work));
test.run();
