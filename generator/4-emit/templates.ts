// Template layers: a course's directories first, the built-in templates last; first match wins,
// file by file. Templates hold text; code computes everything they print.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import type HandlebarsNamespace from 'handlebars';
import HandlebarsRuntime from 'handlebars/runtime.js';
import { builtinTemplatesDir } from '../paths.js';
import { error, SpecError } from '../diagnostics.js';
import { commentLines, htmlText, phpString, rubyString, shellQuote, yamlString } from './escape.js';
import { mdCode, mdInline } from './guide-markdown.js';
import { COMPILE_OPTIONS, precompiledTemplates, sourceHash, type PrecompiledTemplate } from './precompiled.js';

type Handlebars = typeof HandlebarsNamespace;
const require = createRequire(import.meta.url);

export interface TemplateSource {
  /** The file's path inside its layer, e.g. "emulate/up.sh.hbs" or "emulate/lib.sh". */
  name: string;
  layer: string;
  file: string;
  /** A plain file (no .hbs): copied as it is, with the provenance line added by code. */
  plain: boolean;
}

/** A template and a plain file of the same name less ".hbs" are one slot: the first layer wins. */
const slotOf = (name: string) => name.replace(/\.hbs$/, '');

/** The provenance comment goes first, or second after a #! line (the kernel reads line one). */
function withProvenance(text: string, provenance: unknown): string {
  const header = `${commentLines(typeof provenance === 'string' ? provenance : '', '#')}\n`;
  if (!text.startsWith('#!')) return header + text;
  const eol = text.indexOf('\n') + 1 || text.length;
  return text.slice(0, eol) + header + text.slice(eol);
}

export class TemplateSet {
  private readonly sources = new Map<string, TemplateSource>();
  private readonly compiled = new Map<string, HandlebarsNamespace.TemplateDelegate>();
  /** Precompiled spec of each source that has an up-to-date one (built-in layer only). */
  private readonly ready = new Map<string, PrecompiledTemplate>();
  private readonly hb: Handlebars;

  /** With `precompiled: false` every template is compiled here (the build step itself, and tests). */
  constructor(readonly layers: string[], options: { precompiled?: boolean } = {}) {
    for (const dir of [...layers].reverse()) {
      for (const file of listFiles(dir)) {
        const name = relative(dir, file).split(sep).join('/');
        this.sources.set(slotOf(name), { name, layer: dir, file, plain: !name.endsWith('.hbs') });
      }
    }
    const built = options.precompiled === false ? {} : precompiledTemplates();
    for (const s of this.sources.values()) {
      if (s.plain) continue;
      const pre = built[s.name];
      if (pre && s.layer === builtinTemplatesDir && pre.sha256 === sourceHash(readFileSync(s.file, 'utf8'))) this.ready.set(s.name, pre);
    }
    // The compiler weighs several times the runtime: load it only when some template needs it.
    const needsCompiler = [...this.sources.values()].some((s) => !s.plain && !this.ready.has(s.name));
    this.hb = (needsCompiler ? (require('handlebars') as Handlebars) : (HandlebarsRuntime as unknown as Handlebars)).create();
    registerHelpers(this.hb);
    for (const s of this.sources.values()) {
      if (!s.name.startsWith('partials/')) continue;
      const name = s.name.slice('partials/'.length).replace(/\.hbs$/, '');
      const pre = this.ready.get(s.name);
      // A partial given as text would be compiled at its first use with Handlebars' defaults, which
      // escape HTML (a course's override printed `host1` as &#x60;host1&#x60;): compile it as templates are.
      this.hb.registerPartial(name, pre ? this.hb.template(pre.spec as Parameters<Handlebars["template"]>[0]) : this.hb.compile(readFileSync(s.file, 'utf8'), COMPILE_OPTIONS));
    }
  }

  /** How many templates run from their precompiled form. */
  get precompiledCount(): number {
    return this.ready.size;
  }

  static withOverrides(overrides: string[]): TemplateSet {
    return new TemplateSet([...overrides, builtinTemplatesDir]);
  }

  list(): TemplateSource[] {
    return [...this.sources.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  has(name: string): boolean {
    return this.sources.has(slotOf(name));
  }

  /** `name` with or without ".hbs": whichever form the winning layer holds is used. */
  render(name: string, context: object): string {
    const src = this.sources.get(slotOf(name));
    if (!src) throw new Error(`template not found: ${name}`);
    if (src.plain) return withProvenance(readFileSync(src.file, 'utf8'), (context as { provenance?: unknown }).provenance);
    name = src.name;
    try {
      let t = this.compiled.get(name);
      if (!t) {
        const pre = this.ready.get(name);
        t = pre ? this.hb.template(pre.spec as Parameters<Handlebars["template"]>[0]) : this.hb.compile(readFileSync(src.file, 'utf8'), COMPILE_OPTIONS);
        this.compiled.set(name, t);
      }
      return t(context);
    } catch (e) {
      // An override template is course material, not gen-lab code: its mistakes are bad input (exit 2).
      const hint = src.layer === builtinTemplatesDir ? 'this built-in template is broken: a bug in gen-lab' : `fix the override in ${src.layer}, or remove it to use the built-in one`;
      throw new SpecError([error('template-error', '', `template ${name} (${src.file}): ${(e as Error).message.split('\n')[0]}`, hint)], src.file);
    }
  }
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else if (entry.endsWith('.hbs') || entry.endsWith('.sh')) out.push(p);
  }
  return out;
}

function registerHelpers(hb: Handlebars): void {
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  hb.registerHelper('sh', (v: unknown) => shellQuote(str(v)));
  hb.registerHelper('rb', (v: unknown) => rubyString(str(v)));
  hb.registerHelper('yaml', (v: unknown) => yamlString(str(v)));
  hb.registerHelper('html', (v: unknown) => htmlText(str(v)));
  hb.registerHelper('php', (v: unknown) => phpString(str(v)));
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  hb.registerHelper('comment', (v: unknown, prefix: unknown) => commentLines(str(v), typeof prefix === 'string' ? prefix : '#'));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // Markdown: `code` for names and addresses, `md` for free spec text, `codes` for a list of names.
  hb.registerHelper('code', (v: unknown) => mdCode(str(v)));
  hb.registerHelper('md', (v: unknown) => mdInline(str(v)));
  hb.registerHelper('codes', (list: unknown, sepArg: unknown) => (Array.isArray(list) ? list.map((x) => mdCode(str(x))).join(typeof sepArg === 'string' ? sepArg : ', ') : ''));
  hb.registerHelper('cat', (...args: unknown[]) => args.slice(0, -1).map(str).join(''));
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('not', (v: unknown) => !v);
  hb.registerHelper('join', (list: unknown, sepArg: unknown) => (Array.isArray(list) ? list.map(str).join(typeof sepArg === 'string' ? sepArg : ' ') : ''));
}
