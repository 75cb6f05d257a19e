// Phase 2a: the JSON Schema, with ajv's findings turned into messages a student can act on.
// The validator is ajv's standalone code generated at build time (compiled-schema.ts); when the
// schema has changed since, it is compiled here instead, so a stale validator is never used.
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { error, pointerOf, type Diagnostic } from '../diagnostics.js';
import { AJV_OPTIONS } from './ajv-options.js';
import * as precompiled from './compiled-schema.js';
import { labSchema, labSchemaSha256, schemaAt } from './schema-source.js';

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let runtimeCompiled: Validator | undefined;

export function precompiledIsCurrent(): boolean {
  return precompiled.schemaSha256 === labSchemaSha256;
}

/** ajv compiled now, from the schema file; the slow path, also used by tests as the reference. */
export function runtimeValidator(): Validator {
  if (!runtimeCompiled) {
    const require = createRequire(import.meta.url);
    const Ajv2020 = require('ajv/dist/2020.js').default as new (o: object) => { compile(s: object): Validator };
    runtimeCompiled = new Ajv2020(AJV_OPTIONS).compile(labSchema);
  }
  return runtimeCompiled;
}

function validator(): Validator {
  return precompiledIsCurrent() ? (precompiled.validate as Validator) : runtimeValidator();
}

const NAME_PATTERN = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';
const PATTERN_HINTS: Record<string, string> = {
  [NAME_PATTERN]: 'use lower-case letters, digits and single dashes, starting with a letter (e.g. "serv1", "sw-out-1"); quotes, spaces, $, backticks and newlines are refused because names reach shell, Ruby and config files',
  '^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$': 'write an IPv4 address with its prefix, e.g. "10.0.0.1/24"',
  '^([0-9]{1,3}\\.){3}[0-9]{1,3}$': 'write a plain IPv4 address without prefix, e.g. "172.16.1.254"',
  '^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$': 'write a Vagrant box as organisation/name, e.g. "bento/ubuntu-24.04"',
  '^[0-9][0-9.]*$': 'write a box version as digits and dots, e.g. "202404.26.0"',
  '^[a-z][a-z0-9-]*:[a-z0-9][a-z0-9./-]*$': 'write an LXD image as remote:alias, e.g. "images:alpine/3.21/cloud"',
  '^/[A-Za-z0-9._~/-]*$': 'write an HTTP path starting with "/", e.g. "/index.php"',
};

function describeValue(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length] as number;
}

function closest(word: string, options: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const o of options) {
    // The distance is at least the difference in length; a long value is not compared letter by letter.
    if (Math.abs(word.length - o.length) > limit) continue;
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** The schema that holds the failing keyword (ajv's verbose mode supplies it). */
const ownerSchema = (e: ErrorObject) => (e.parentSchema as Record<string, unknown> | undefined) ?? {};
const lastKey = (pointer: string) => pointer.slice(pointer.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
const isIndex = (key: string) => /^[0-9]+$/.test(key);

function rangeOf(s: Record<string, unknown>): string {
  const min = s.minimum as number | undefined;
  const max = s.maximum as number | undefined;
  if (min !== undefined && max !== undefined) return `${min}..${max}`;
  return min !== undefined ? `${min} or more` : `${max as number} or less`;
}

function tooLongHint(pointer: string, limit: number, schema: Record<string, unknown>): string {
  if (pointer === '/name') return `the lab name prefixes provider networks and namespaces; at most ${limit} bytes, like every name`;
  if (schema.pattern === NAME_PATTERN) return `names become Linux interface and namespace names, which allow at most ${limit} bytes; shorten it`;
  return `shorten it to at most ${limit} characters`;
}

function toDiagnostic(e: ErrorObject, data: unknown): Diagnostic | undefined {
  const ptr = e.instancePath;
  const got = valueAt(data, ptr);
  const owner = ownerSchema(e);
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((owner.properties as Record<string, unknown> | undefined) ?? {});
      const guess = closest(prop, allowed);
      return error('unknown-property', ptr + pointerOf(prop), `unknown property "${prop}"`, guess ? `did you mean "${guess}"? allowed here: ${allowed.join(', ')}` : `allowed here: ${allowed.join(', ')}`);
    }
    case 'required': {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      const propSchema = (owner.properties as Record<string, Record<string, unknown>> | undefined)?.[prop];
      const ref = typeof propSchema?.$ref === 'string' ? schemaAt(propSchema.$ref) : undefined;
      const about = (propSchema?.description ?? ref?.description) as string | undefined;
      const choices = (propSchema?.enum as unknown[] | undefined)?.map((v) => JSON.stringify(v)).join(', ');
      return error('missing-property', ptr, `missing required property "${prop}"`, `add "${prop}"${choices ? ` (one of ${choices})` : ''}${about ? `: ${about}` : ''}`);
    }
    case 'type': {
      const want = (e.params as { type: string }).type;
      const key = lastKey(ptr);
      const what = ptr === '' ? 'the spec' : isIndex(key) ? `item ${key}` : `"${key}"`;
      const quotedNumber = (want === 'integer' || want === 'number') && typeof got === 'string' && /^-?[0-9.]+$/.test(got);
      const hint = ptr === '' ? 'a spec is one object with at least "name" and "vms"; start from examples/practica6.json'
        : quotedNumber ? `write the number without quotes: ${got as string}`
        : want === 'integer' && typeof got === 'number' ? 'use a whole number'
        : want === 'boolean' && typeof got === 'string' ? 'write true or false without quotes'
        : want === 'array' ? `write a list: [ ... ] in JSON, or "- item" lines in YAML`
        : want === 'object' ? `write an object: { "key": value } in JSON, or indented "key: value" lines in YAML`
        : want === 'integer' ? 'write a whole number'
        : `write ${/^[aeiou]/.test(want) ? 'an' : 'a'} ${want}`;
      return error('wrong-type', ptr, `${what} must be ${want === 'integer' ? 'a whole number' : `${/^[aeiou]/.test(want) ? 'an' : 'a'} ${want}`}, got ${describeValue(got)}`, hint);
    }
    case 'pattern': {
      const pattern = (e.params as { pattern: string }).pattern;
      return error('bad-format', ptr, `${describeValue(got)} is not allowed here`, PATTERN_HINTS[pattern] ?? `it must match ${pattern}`);
    }
    case 'maxLength': {
      const limit = (e.params as { limit: number }).limit;
      return error('too-long', ptr, `${describeValue(got)} is ${typeof got === 'string' ? Buffer.byteLength(got) : '?'} bytes, longer than ${limit}`, tooLongHint(ptr, limit, owner));
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      const guess = typeof got === 'string' ? closest(got, allowed.map((a) => JSON.parse(a) as string)) : undefined;
      return error('not-allowed', ptr, `${describeValue(got)} is not one of ${allowed.join(', ')}`, guess ? `did you mean "${guess}"?` : `use one of ${allowed.join(', ')}`);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const key = lastKey(ptr);
      const limit = (e.params as { limit: number }).limit;
      const side = e.keyword.endsWith('inimum') ? 'below the minimum' : 'above the maximum';
      const title = owner.title as string | undefined;
      return error('out-of-range', ptr, `${isIndex(key) ? 'value' : `"${key}"`} ${describeValue(got)} is ${side} ${limit}`, `${title ? `${title}: ` : ''}allowed ${rangeOf(owner)}`);
    }
    case 'minItems':
    case 'maxItems': {
      const limit = (e.params as { limit: number }).limit;
      const n = Array.isArray(got) ? got.length : 0;
      const about = owner.description as string | undefined;
      return error('wrong-count', ptr, `has ${n} item${n === 1 ? '' : 's'}; ${e.keyword === 'minItems' ? `at least ${limit} needed` : `at most ${limit} allowed`}`, about ?? 'see schema/lab.schema.json');
    }
    case 'oneOf':
    case 'anyOf':
    case 'if':
      return undefined; // the branch errors say more
    case 'const':
      return error('not-allowed', ptr, `${describeValue(got)} is not allowed here`, `use ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`);
    default:
      return error('schema', ptr, e.message ?? 'does not match the schema', 'see schema/lab.schema.json');
  }
}

export function checkSchema(data: unknown, validate: Validator = validator()): Diagnostic[] {
  if (validate(data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // For "bind": "*" or an address, keep the address branch's message only.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const constAlternatives = new Map<string, string>();
  for (const e of errors) if (oneOfPaths.has(e.instancePath) && e.keyword === 'const') constAlternatives.set(e.instancePath, JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
  for (const e of errors) {
    if (oneOfPaths.has(e.instancePath) && e.keyword === 'const') continue;
    const d = toDiagnostic(e, data);
    if (!d) continue;
    const alternative = constAlternatives.get(e.instancePath);
    if (alternative && d.hint) d.hint = `use ${alternative}, or ${d.hint}`;
    const key = `${d.pointer}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
