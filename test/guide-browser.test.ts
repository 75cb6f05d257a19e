// The guide's figures in a real browser: headless Chromium (Debian's package) renders every Mermaid
// block of the reference lab's README and of the English course's with the pinned Mermaid, and every
// diagrams/*.svg; a Mermaid error fails, each picture is screenshotted (kept under
// $GEN_LAB_SCREENSHOTS, default a temporary folder) and must not be blank, and the names the figure
// must show appear in the rendered SVG text. The SVG files are also parsed as XML.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFiles } from '../generator/compile.js';
import type { LabModel } from '../generator/3-resolve/model.js';
import { VIEWS, type ViewId } from '../generator/4-emit/figures.js';
import { Browser, chromiumBinary, inkShare } from './support/chromium.js';
import { repoRoot } from './support/cli.js';
import { makeTemp, removeTemp } from './support/tree.js';

const require = createRequire(import.meta.url);
const mermaidJs = require.resolve('mermaid/dist/mermaid.min.js');
const work = makeTemp('guide-browser');
const shots = process.env.GEN_LAB_SCREENSHOTS ?? join(work, 'screenshots');
mkdirSync(shots, { recursive: true });

const labs = [
  { id: 'practica6', c: compileFiles(join(repoRoot, 'examples', 'practica6.json')) },
  { id: 'english-course', c: compileFiles(join(repoRoot, 'examples', 'courses', 'english', 'lab.json'), [join(repoRoot, 'examples', 'courses', 'english', 'templates')]) },
];

/** What each figure must name, from the model (not from the figure code). */
function expectedNames(model: LabModel, view: ViewId): string[] {
  const addressed = (nics: { address?: unknown }[]) => nics.some((n) => n.address);
  switch (view) {
    case 'l3':
      return [
        ...model.vms.filter((v) => addressed(v.nics) || v.bridges.some((b) => b.address)).map((v) => v.name),
        ...model.containers.filter((c) => addressed(c.nics)).map((c) => c.name),
        ...model.vms.flatMap((v) => [...v.nics, ...v.bridges].flatMap((n) => (n.address ? [n.address.ip] : []))),
        ...model.containers.flatMap((c) => c.nics.flatMap((n) => (n.address ? [n.address.ip] : []))),
        ...model.vrrp.flatMap((g) => g.addresses),
      ];
    case 'ethernet':
      return [...model.vms.flatMap((v) => v.bridges.map((b) => b.name)), ...model.containers.map((c) => c.name), ...model.vms.flatMap((v) => v.nics.map((n) => n.cable)), ...model.vxlan.map((s) => s.name)];
    case 'machines':
      return [...model.vms.map((v) => v.name), ...model.vms.flatMap((v) => v.bridges.map((b) => b.name)), ...model.containers.map((c) => c.name)];
    case 'wiring':
      return [...model.vms.map((v) => v.name), ...model.vms.flatMap((v) => v.providers.virtualbox.nics.flatMap((n) => [n.intnet, n.macPlain]))];
  }
}

function mermaidBlocks(readme: string): string[] {
  return [...readme.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1] as string);
}

const binary = chromiumBinary();
let browser: Browser | undefined;
let page = '';

test.before(async () => {
  if (!binary) return;
  const html = join(work, 'page.html');
  writeFileSync(html, `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;background:#fff}#out{display:inline-block;padding:8px}</style><script src="${pathToFileURL(mermaidJs).href}"></script></head><body><div id="out"></div></body></html>`);
  browser = new Browser(binary);
  page = await browser.newPage(1600, 1200);
  await browser.navigate(page, pathToFileURL(html).href);
  await browser.evaluate(page, `mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default' }), true`);
});

test.after(async () => {
  await browser?.close();
  removeTemp(work);
});

/** Puts SVG markup in the page, screenshots it, returns its text and how much of the picture is ink. */
async function show(svg: string, name: string): Promise<{ text: string; ink: number; width: number; height: number }> {
  const b = browser as Browser;
  const box = await b.evaluate<{ x: number; y: number; width: number; height: number; text: string }>(
    page,
    `(() => { const out = document.getElementById('out'); out.innerHTML = ${JSON.stringify(svg)}; const s = out.querySelector('svg'); const vb = s && s.viewBox.baseVal; if (vb && vb.width) { s.style.maxWidth = 'none'; s.setAttribute('width', String(vb.width)); s.setAttribute('height', String(vb.height)); } const r = out.getBoundingClientRect(); return { x: r.x, y: r.y, width: Math.ceil(r.width), height: Math.ceil(r.height), text: s ? s.textContent : '' }; })()`,
  );
  assert.ok(box.width > 50 && box.height > 30, `${name}: drawn ${box.width}x${box.height}`);
  const png = await b.screenshot(page, { x: box.x, y: box.y, width: box.width, height: box.height });
  writeFileSync(join(shots, `${name}.png`), png);
  return { text: box.text, ink: inkShare(png), width: box.width, height: box.height };
}

test('Chromium and the pinned Mermaid are there', async () => {
  assert.ok(binary, 'chromium is missing: install the Debian package chromium (scripts/install-deps.sh)');
  assert.ok(await (browser as Browser).evaluate<boolean>(page, "typeof mermaid === 'object' && typeof mermaid.render === 'function'"), 'mermaid.min.js did not load');
  const pinned = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.mermaid;
  assert.is((require('mermaid/package.json') as { version: string }).version, pinned, 'the installed Mermaid is the pinned one');
  assert.match(pinned ?? '', /^\d+\.\d+\.\d+$/, 'Mermaid is pinned to one version');
});

for (const { id, c } of labs) {
  test(`${id}: every Mermaid block of README.md renders, is not blank and names the lab's nodes`, async () => {
    const readme = c.files.find((f) => f.path === 'README.md')?.content ?? '';
    const blocks = mermaidBlocks(readme);
    assert.is(blocks.length, VIEWS.length, 'one Mermaid block per view');
    for (const [i, text] of blocks.entries()) {
      const view = VIEWS[i] as ViewId;
      const r = await (browser as Browser).evaluate<{ svg?: string; error?: string }>(page, `mermaid.render('m${id.replace(/-/g, '_')}${i}', ${JSON.stringify(text)}).then((r) => ({ svg: r.svg }), (e) => ({ error: String(e && e.message || e) }))`);
      assert.not.ok(r.error, `${id} ${view}: Mermaid error: ${r.error}`);
      assert.not.match(r.svg ?? '', /aria-roledescription="error"|Syntax error in text/, `${id} ${view}: Mermaid drew its error picture`);
      const shot = await show(r.svg ?? '', `${id}-mermaid-${view}`);
      assert.ok(shot.ink > 0.01, `${id} ${view}: the picture is blank (${(shot.ink * 100).toFixed(2)}% ink)`);
      for (const name of expectedNames(c.model, view)) assert.ok(shot.text.includes(name), `${id} Mermaid ${view}: ${name} is not in the rendered text`);
    }
  });

  test(`${id}: every diagrams/*.svg is well-formed XML, renders, is not blank and names the lab's nodes`, async () => {
    for (const view of VIEWS) {
      const svg = c.files.find((f) => f.path === `diagrams/${view}.svg`)?.content;
      assert.ok(svg, `diagrams/${view}.svg is generated`);
      const parseError = await (browser as Browser).evaluate<string>(page, `(() => { const d = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml'); const e = d.querySelector('parsererror'); return e ? e.textContent : (d.documentElement.nodeName === 'svg' ? '' : 'root is ' + d.documentElement.nodeName); })()`);
      assert.is(parseError, '', `${id} ${view}.svg: ${parseError}`);
      const shot = await show(svg, `${id}-svg-${view}`);
      assert.ok(shot.ink > 0.01, `${id} ${view}.svg is blank`);
      for (const name of expectedNames(c.model, view)) assert.ok(shot.text.includes(name), `${id} ${view}.svg: ${name} is not in the rendered text`);
    }
  });
}

test('no label of an SVG figure overlaps another label or a box it does not belong to', async () => {
  for (const { id, c } of labs)
    for (const view of VIEWS) {
      const svg = c.files.find((f) => f.path === `diagrams/${view}.svg`)?.content ?? '';
      const overlaps = await (browser as Browser).evaluate<string[]>(
        page,
        `(() => { const out = document.getElementById('out'); out.innerHTML = ${JSON.stringify(svg)};
          const boxes = [...out.querySelectorAll('text')].map((t) => ({ t: t.textContent, r: t.getBBox() }));
          const hit = (a, b) => a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;
          const bad = [];
          for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (hit(boxes[i].r, boxes[j].r)) bad.push(boxes[i].t + ' / ' + boxes[j].t);
          return bad; })()`,
      );
      assert.equal(overlaps, [], `${id} ${view}.svg: texts overlap`);
    }
});

test.run();
