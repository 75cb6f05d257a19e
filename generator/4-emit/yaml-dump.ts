// YAML from objects, with js-yaml, and one shortcut. js-yaml chooses the style of every string by
// walking it a code point at a time; user-data embeds whole files, which made that walk the largest
// cost of emitting (reference lab ~15 ms of ~45, 100-host lab ~100 ms). For a multi-line string of
// printable characters its choice is always a literal block, so such strings are written here, in
// the exact form js-yaml gives them, and the rest of the document is still dumped by js-yaml.
// Anything else (tabs, control characters, a lone surrogate...) is left to js-yaml.
// Tests compare this with plain js-yaml byte for byte.
import yaml from 'js-yaml';

export const YAML_OPTIONS: yaml.DumpOptions = { lineWidth: -1, noRefs: true, quotingType: '"' };
const INDENT = 2; // js-yaml's default, which YAML_OPTIONS keep

// js-yaml's isPrintable, plus the line feed: what it accepts in a block scalar.
const NOT_BLOCK_SAFE = /[^\n\x20-\x7E\xA1-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]/u;

// Most embedded files are plain ASCII: a class without the u flag settles those several times faster.
const NOT_PRINTABLE_ASCII = /[^\n\x20-\x7E]/;

/** A string js-yaml would write as a literal block (given lineWidth -1 and no flow level). */
const isLiteralBlock = (s: string) => s.includes('\n') && (!NOT_PRINTABLE_ASCII.test(s) || !NOT_BLOCK_SAFE.test(s));

/** js-yaml's literal block for `s` at nesting `level`: header, chomping, indented lines. */
function literalBlock(s: string, level: number): string {
  const indent = ' '.repeat(INDENT * Math.max(1, level));
  const indicator = /^\n* /.test(s) ? String(INDENT) : '';
  const clip = s.endsWith('\n');
  const keep = clip && (s[s.length - 2] === '\n' || s === '\n');
  const chomp = keep ? '+' : clip ? '' : '-';
  const body = s.replace(/^(?!$)/gm, indent);
  return `|${indicator}${chomp}\n${clip ? body.slice(0, -1) : body}`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

export function dumpYaml(doc: object): string {
  const blocks: string[] = [];
  const token = (i: number) => `gen_lab_literal_block_${i}_`;
  // Replace each block-worthy string by a plain token, remembering the depth js-yaml will write it at.
  const substitute = (v: unknown, level: number): unknown => {
    if (typeof v === 'string') {
      if (!isLiteralBlock(v)) return v;
      blocks.push(literalBlock(v, level));
      return token(blocks.length - 1);
    }
    if (Array.isArray(v)) return v.map((x) => substitute(x, level + 1));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, level + 1)]));
    return v; // numbers, booleans, null, and anything js-yaml represents itself (dates, binary...)
  };
  const skeleton = yaml.dump(substitute(doc, 0), YAML_OPTIONS);
  if (blocks.length === 0) return skeleton;
  const parts = skeleton.split(/gen_lab_literal_block_(\d+)_/);
  // A token inside some other string of the document would split it too: then let js-yaml do it all.
  if (parts.length !== 2 * blocks.length + 1 || parts.some((p, i) => i % 2 === 1 && Number(p) !== (i - 1) / 2)) return yaml.dump(doc, YAML_OPTIONS);
  return parts.map((p, i) => (i % 2 === 1 ? blocks[Number(p)] : p)).join('');
}
