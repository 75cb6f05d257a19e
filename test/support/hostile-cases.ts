// Seeded hostile inputs for the front end: mutations of the reference spec (its values, its JSON or
// YAML text, its bytes) and whole files built to hurt a parser (deep nesting, alias bombs, alias
// cycles, huge lists, huge files, bad encodings). Case n of a seed is made from (seed, n) alone, so
// SEED=s CASE=n rebuilds exactly one case.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { LOAD_LIMITS } from '../../generator/1-load/limits.js';
import { repoRoot } from './cli.js';
import { mulberry32, type Rng } from './rng.js';

export interface HostileCase {
  /** What was done, for the failure message. */
  label: string;
  /** File name (its extension picks the parser). */
  name: string;
  bytes: Buffer;
}

export type { Rng };

/** One independent stream per case: mulberry32 seeded by a hash of (seed, case number). */
export function rngFor(seed: number, n: number): Rng {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca77)) >>> 0);
}

const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, list: readonly T[]): T => list[int(r, list.length)] as T;

const referenceJsonText = readFileSync(join(repoRoot, 'examples', 'practica6.json'), 'utf8');
const referenceYamlText = readFileSync(join(repoRoot, 'examples', 'practica6.yaml'), 'utf8');
const reference = () => JSON.parse(referenceJsonText) as Record<string, unknown>;

/** Every JSON pointer of a value, as key paths. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function getAt(root: unknown, path: (string | number)[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1] as string | number] = value;
}

function deleteAt(root: unknown, path: (string | number)[]): void {
  const parent = getAt(root, path.slice(0, -1));
  const k = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) parent.splice(k as number, 1);
  else delete (parent as Record<string, unknown>)[k as string];
}

const STRINGS = ['', ' ', 'a', 'host1', 'serv1', 'bal1', 'vswin1', 'externa', 'interna', '10.0.0.1/24', '10.0.0.0/24', '172.16.1.254', '0.0.0.0/0', '255.255.255.255/32', '10.0.0.256/24', '1.2.3.4/33', '*', 'roundrobin', 'leastconn', 'switch', 'host', 'client', 'web', 'balancer', 'raise-underlay', 'lower-inner', 'é', '\u0000', '\u202e', '\ud800', 'a\nb', '$(reboot)', '`id`', '"; rm -rf /', '__proto__', 'constructor', 'toString', '-1', '1e999', 'NaN', 'Infinity', 'null', 'true', 'images:alpine/3.21/cloud', 'bento/ubuntu-24.04', 'http://x/', 'sha256:' + '0'.repeat(64), '/index.php', 'x'.repeat(16), 'x'.repeat(300)];
const NUMBERS = [0, -1, 1, 2, 7, 15, 16, 31, 32, 33, 100, 127, 128, 254, 255, 256, 1000, 1500, 1501, 4095, 4096, 9000, 65535, 65536, 2 ** 31, 2 ** 32, 2 ** 53 + 1, 1e308, -1e308, 0.5, -0.0, 1e-300];

function randomValue(r: Rng, depth = 0): unknown {
  switch (int(r, depth > 2 ? 5 : 8)) {
    case 0:
      return pick(r, STRINGS);
    case 1:
      return pick(r, NUMBERS);
    case 2:
      return pick(r, [true, false, null]);
    case 3:
      return 'x'.repeat(1 + int(r, 5000));
    case 4:
      return int(r, 1 << 16);
    case 5:
      return Array.from({ length: int(r, 4) }, () => randomValue(r, depth + 1));
    case 6:
      return Object.fromEntries(Array.from({ length: int(r, 4) }, () => [pick(r, ['name', 'vm', 'bridge', 'address', 'role', 'nics', 'x', '']), randomValue(r, depth + 1)]));
    default:
      return nest(int(r, 2) ? '[' : '{', 20 + int(r, 30));
  }
}

/** A value nested n deep. */
function nest(kind: '[' | '{', n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = kind === '[' ? [v] : { a: v };
  return v;
}

/** Value mutations: the spec stays well-formed JSON/YAML but its content goes wrong. */
function mutateValue(r: Rng, spec: Record<string, unknown>): string {
  const all = paths(spec).filter((p) => p.length > 0);
  const names = paths(spec)
    .filter((p) => typeof getAt(spec, p) === 'string')
    .map((p) => getAt(spec, p) as string)
    .filter((s) => /^[a-z][a-z0-9-]*$/.test(s));
  const steps = 1 + int(r, 3);
  const done: string[] = [];
  for (let s = 0; s < steps; s++) {
    const p = pick(r, all);
    const parent = getAt(spec, p.slice(0, -1));
    if (parent === null || typeof parent !== 'object') continue;
    const where = '/' + p.join('/');
    const v = getAt(spec, p);
    switch (int(r, 9)) {
      case 0:
        deleteAt(spec, p);
        done.push(`delete ${where}`);
        break;
      case 1: {
        const nv = randomValue(r);
        setAt(spec, p, nv);
        done.push(`set ${where}`);
        break;
      }
      case 2:
        if (typeof v === 'string' && names.length) {
          setAt(spec, p, pick(r, names));
          done.push(`rename ${where}`);
        }
        break;
      case 3:
        if (typeof v === 'number') {
          setAt(spec, p, pick(r, [v + 1, v - 1, 0, -v, v * 256, pick(r, NUMBERS)]));
          done.push(`number ${where}`);
        }
        break;
      case 4:
        if (Array.isArray(v) && v.length) {
          // Copies of an item (duplicate names, addresses, ports, members).
          const copies = pick(r, [1, 2, 50, 2000]);
          const item = v[int(r, v.length)];
          for (let c = 0; c < copies; c++) v.push(JSON.parse(JSON.stringify(item)) as unknown);
          done.push(`copy x${copies} ${where}`);
        }
        break;
      case 5:
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          (v as Record<string, unknown>)[pick(r, ['extra', 'nmae', 'vm', 'address', 'subnet', 'mtu', 'stp', 'nic', '__proto__'])] = randomValue(r);
          done.push(`add key ${where}`);
        }
        break;
      case 6:
        if (typeof v === 'string') {
          setAt(spec, p, v + pick(r, ['1', '-', '.', '/24', ' ', 'é', 'x'.repeat(20)]));
          done.push(`append ${where}`);
        }
        break;
      case 7:
        setAt(spec, p, nest(int(r, 2) ? '[' : '{', pick(r, [5, 31, 33, 100, 2000])));
        done.push(`nest ${where}`);
        break;
      default:
        if (Array.isArray(v)) {
          v.reverse();
          done.push(`reverse ${where}`);
        }
    }
  }
  return done.join(', ') || 'unchanged';
}

/** Text mutations: the file stops being well-formed, or says something else than it seems. */
function mutateText(r: Rng, text: string, yamlText: boolean): { text: string; label: string } {
  const at = int(r, text.length + 1);
  const lines = text.split('\n');
  const line = int(r, lines.length);
  switch (int(r, 12)) {
    case 0:
      return { text: text.slice(0, at), label: `cut at ${at}` };
    case 1:
      return { text: text.slice(0, at) + text.slice(at + 1 + int(r, 40)), label: `delete after ${at}` };
    case 2:
      return { text: text.slice(0, at) + pick(r, ['{', '}', '[', ']', ',', ':', '"', "'", '\t', '#', '&a ', '*a', '!!str ', '!js/function ', '? ', '- ', '|', '>', '%YAML 1.2\n', '---\n', '...\n', '\\', '\u0000', '\ufeff', '\r', '<<: *a\n']) + text.slice(at), label: `insert at ${at}` };
    case 3: {
      const copy = [...lines];
      copy.splice(line, 0, lines[line] ?? '');
      return { text: copy.join('\n'), label: `duplicate line ${line + 1}` };
    }
    case 4: {
      const copy = [...lines];
      copy[line] = ' '.repeat(int(r, 8)) + (copy[line] ?? '').trimStart();
      return { text: copy.join('\n'), label: `reindent line ${line + 1}` };
    }
    case 5: {
      const n = pick(r, [40, 1000, 100_000]);
      const open = yamlText ? pick(r, ['[', '{a: ', '- ']) : pick(r, ['[', '{"a":']);
      return { text: text.slice(0, at) + open.repeat(n) + text.slice(at), label: `open ${JSON.stringify(open)} x${n} at ${at}` };
    }
    case 6:
      return { text: '\ufeff' + text, label: 'byte order mark' };
    case 7: {
      // A number written as the parsers see numbers.
      const num = pick(r, ['1e999', '-1e999', '.inf', '-.inf', '.nan', '0x1F', '0o17', '1_000', '9'.repeat(400), '1.5', '-0', '00012']);
      return { text: text.replace(/\b(\d+)\b/, num), label: `first number -> ${num}` };
    }
    case 8:
      return { text: text.replace(/(name)/g, (m) => (r() < 0.1 ? 'nmae' : m)), label: 'misspelt keys' };
    case 9:
      return { text: text + (yamlText ? '\nname: again\n' : ''), label: 'trailing duplicate key' };
    case 10:
      return { text: text.split('\n').reverse().join('\n'), label: 'lines reversed' };
    default:
      return { text: text.replace(/ {2}/g, '\t'), label: 'tabs for indentation' };
  }
}

export const WHOLE_FILE_VARIANTS = 10;

/** Files built to hurt the parser or the checks; each should be refused quickly. */
function wholeFile(r: Rng, variant = int(r, WHOLE_FILE_VARIANTS)): HostileCase {
  const n = pick(r, [33, 100, 1000, 10_000, 100_000, 1_000_000]);
  switch (variant) {
    case 0:
      return { label: `JSON arrays nested ${n} deep`, name: 'deep.json', bytes: Buffer.from('['.repeat(n) + ']'.repeat(n)) };
    case 1:
      return { label: `JSON objects nested ${n} deep`, name: 'deep.json', bytes: Buffer.from(`{"name":"x","vms":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`) };
    case 2:
      return { label: `YAML flow nested ${n} deep`, name: 'deep.yaml', bytes: Buffer.from(`name: x\nvms: ${'['.repeat(n)}${']'.repeat(n)}\n`) };
    case 3: {
      const k = Math.min(n, 3000);
      return { label: `YAML blocks nested ${k} deep`, name: 'deep.yaml', bytes: Buffer.from('name: x\nvms:\n' + Array.from({ length: k }, (_, i) => ' '.repeat(i + 1) + 'a:\n').join('') + ' '.repeat(k + 1) + '1\n') };
    }
    case 4: {
      const fan = 2 + int(r, 12);
      const levels = 3 + int(r, 20);
      const out = ['name: laughs', `l0: &l0 [${Array.from({ length: fan }, () => '"lol"').join(', ')}]`];
      for (let i = 1; i < levels; i++) out.push(`l${i}: &l${i} [${Array.from({ length: fan }, () => `*l${i - 1}`).join(', ')}]`);
      out.push(`vms: *l${levels - 1}`);
      return { label: `billion laughs ${fan}^${levels}`, name: 'laughs.yaml', bytes: Buffer.from(out.join('\n') + '\n') };
    }
    case 5:
      return { label: 'alias cycle', name: 'cycle.yaml', bytes: Buffer.from(pick(r, ['name: x\nvms: &a [*a]\n', 'name: x\nvms: &a\n  - name: h\n    role: host\n    bridges: *a\n', 'a: &a {b: *a}\nname: x\nvms: [*a]\n'])) };
    case 6: {
      const k = Math.min(n, LOAD_LIMITS.maxValues * 2);
      return { label: `a list of ${k} numbers`, name: 'wide.json', bytes: Buffer.from(`{"name":"x","vms":[${Array.from({ length: k }, () => '0').join(',')}]}`) };
    }
    case 7:
      return { label: 'a file over the size limit', name: 'big.json', bytes: Buffer.from(`{"name":"x","vms":[],"title":"${'x'.repeat(LOAD_LIMITS.maxFileBytes)}"}`) };
    case 8: {
      const enc = pick(r, ['latin1', 'utf16le', 'bad-bytes'] as const);
      const bytes = enc === 'bad-bytes' ? Buffer.concat([Buffer.from(referenceYamlText.slice(0, 200)), Buffer.from([pick(r, [0x80, 0xc0, 0xed, 0xf5, 0xff]), 0x41]), Buffer.from(referenceYamlText.slice(200))]) : Buffer.from(referenceYamlText.replace('Práctica', 'Práctica'), enc);
      return { label: `encoding ${enc}`, name: 'enc.yaml', bytes };
    }
    default: {
      const k = pick(r, [100, 1000, 20_000]);
      return { label: `${k} keys of 129 bytes`, name: 'keys.json', bytes: Buffer.from(`{${Array.from({ length: k }, (_, i) => `"${String(i).padStart(129, 'k')}": 0`).join(',')}}`) };
    }
  }
}

/** Case n of a seed as one of the whole-file shapes (each shape in turn). */
export function wholeFileCase(seed: number, n: number): HostileCase {
  return wholeFile(rngFor(seed, n), n % WHOLE_FILE_VARIANTS);
}

export function hostileCase(seed: number, n: number): HostileCase {
  const r = rngFor(seed, n);
  const kind = int(r, 10);
  if (kind === 0) return wholeFile(r);
  const asYaml = r() < 0.5;
  if (kind <= 5) {
    const spec = reference();
    const label = mutateValue(r, spec);
    // Block style below a few levels is quadratic for js-yaml to dump, so deeper levels are flow style.
    const text = asYaml ? yaml.dump(spec, { lineWidth: -1, noRefs: true, flowLevel: 2 + int(r, 4) }) : JSON.stringify(spec, null, int(r, 2) ? 2 : undefined);
    return { label: `values: ${label} (${asYaml ? 'YAML' : 'JSON'})`, name: asYaml ? 'spec.yaml' : 'spec.json', bytes: Buffer.from(text) };
  }
  const { text, label } = mutateText(r, asYaml ? referenceYamlText : referenceJsonText, asYaml);
  return { label: `text: ${label} (${asYaml ? 'YAML' : 'JSON'})`, name: asYaml ? 'spec.yaml' : 'spec.json', bytes: Buffer.from(text) };
}
