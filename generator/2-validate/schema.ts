// Phase 2a: the JSON Schema, with ajv's findings turned into messages a student can act on.
import { readFileSync } from 'node:fs';
import Ajv2020Module, { type ErrorObject } from 'ajv/dist/2020.js';
import { error, type Diagnostic } from '../diagnostics.js';
import { schemaPath } from '../paths.js';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let compiled: Validator | undefined;

function validator(): Validator {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    compiled = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8'))) as Validator;
  }
  return compiled;
}

const PATTERN_HINTS: Record<string, string> = {
  '^[a-z][a-z0-9]*(-[a-z0-9]+)*$': 'use lower-case letters, digits and single dashes, starting with a letter (e.g. "serv1", "sw-out-1"); quotes, spaces, $, backticks and newlines are refused because names reach shell, Ruby and config files',
  '^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$': 'write an IPv4 address with its prefix, e.g. "10.0.0.1/24"',
  '^([0-9]{1,3}\\.){3}[0-9]{1,3}$': 'write a plain IPv4 address, e.g. "172.16.1.254"',
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

function closest(word: string, options: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) {
        const row = d[i] as number[];
        const prev = d[i - 1] as number[];
        row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
    return (d[a.length] as number[])[b.length] as number;
  };
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const dd = dist(word.toLowerCase(), o.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = o;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function toDiagnostic(e: ErrorObject, data: unknown): Diagnostic | undefined {
  const ptr = e.instancePath;
  const got = valueAt(data, ptr);
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      const schemaProps = Object.keys(((e.parentSchema as { properties?: Record<string, unknown> }).properties) ?? {});
      const guess = closest(prop, schemaProps);
      return error(
        'unknown-property',
        `${ptr}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        `unknown property "${prop}"`,
        guess ? `did you mean "${guess}"? allowed here: ${schemaProps.join(', ')}` : `allowed here: ${schemaProps.join(', ')}`,
      );
    }
    case 'required': {
      const prop = (e.params as { missingProperty: string }).missingProperty;
      return error('missing-property', ptr, `missing required property "${prop}"`, `add "${prop}" here`);
    }
    case 'type':
      return error('wrong-type', ptr, `must be ${(e.params as { type: string }).type}, got ${describeValue(got)}`, 'see the schema (schema/lab.schema.json) for this property');
    case 'pattern': {
      const pattern = (e.params as { pattern: string }).pattern;
      return error('bad-format', ptr, `${describeValue(got)} is not allowed here`, PATTERN_HINTS[pattern] ?? `it must match ${pattern}`);
    }
    case 'maxLength':
      return error('too-long', ptr, `${describeValue(got)} is longer than ${(e.params as { limit: number }).limit} characters`, 'Linux refuses interface names over 15 bytes; shorten it');
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      return error('not-allowed', ptr, `${describeValue(got)} is not one of ${allowed.join(', ')}`, `use one of ${allowed.join(', ')}`);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return error('out-of-range', ptr, `${describeValue(got)} must be ${e.message ?? 'in range'}`, 'see the schema for the allowed range');
    case 'minItems':
    case 'maxItems':
      return error('wrong-count', ptr, `must have ${(e.message ?? '').replace(/^must (have|NOT have) /, (_m, w: string) => (w === 'have' ? '' : 'no ')) }`, 'see the schema for how many items are needed');
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

export function checkSchema(data: unknown): Diagnostic[] {
  const validate = validator();
  if (validate(data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // For "bind": "*" or an address, keep the most useful branch message only.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  for (const e of errors) {
    if (oneOfPaths.has(e.instancePath) && e.keyword === 'const') continue;
    const d = toDiagnostic(e, data);
    if (!d) continue;
    const key = `${d.pointer}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
