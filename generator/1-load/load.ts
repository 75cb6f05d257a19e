// Phase 1: read the spec file (JSON or YAML; both mean the same) and map pointers to positions.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import yaml from 'js-yaml';
import { error, SpecError, type PositionMap } from '../diagnostics.js';
import { JsonSyntaxError, scanJsonPositions } from './json-positions.js';
import { loadYamlWithPositions } from './yaml-positions.js';

export interface LoadedSpec {
  file: string;
  value: unknown;
  positions: PositionMap;
  format: 'json' | 'yaml';
}

export function loadSpecFile(file: string): LoadedSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new SpecError(
      [error('unreadable-file', '', `cannot read the spec (${code})`, 'check the path; the spec is a .json, .yaml or .yml file')],
      file,
    );
  }
  return parseSpecText(text, file);
}

export function parseSpecText(rawText: string, file: string): LoadedSpec {
  // Editors on Windows may save a byte order mark; neither parser accepts it.
  const text = rawText.startsWith('\uFEFF') ? rawText.slice(1) : rawText;
  if (text.trim() === '') {
    throw new SpecError([error('empty-spec', '', 'the spec file is empty', 'a spec is an object with at least "name" and "vms"; start from examples/practica6.json')], file);
  }
  const ext = extname(file).toLowerCase();
  const looksJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*[[{]/.test(text));
  return looksJson ? parseJson(text, file) : parseYaml(text, file);
}

function parseJson(text: string, file: string): LoadedSpec {
  let scan: ReturnType<typeof scanJsonPositions>;
  try {
    scan = scanJsonPositions(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    throw new SpecError([error('json-syntax', '', `not valid JSON: ${e.message}`, e.hint)], file, new Map([['', e.position]]));
  }
  const { positions, duplicateKeys } = scan;
  if (duplicateKeys.length > 0) {
    throw new SpecError(
      duplicateKeys.map((p) => error('duplicate-key', p, 'this key appears twice in the same object', 'JSON keeps only the last one silently; remove or rename one')),
      file,
      positions,
    );
  }
  // The scanner accepted the grammar, so JSON.parse cannot fail here.
  return { file, value: JSON.parse(text) as unknown, positions, format: 'json' };
}

function parseYaml(text: string, file: string): LoadedSpec {
  try {
    const { value, positions } = loadYamlWithPositions(text, file);
    if (value === null || value === undefined) {
      throw new SpecError([error('empty-spec', '', 'the spec file holds no data (only comments or blank lines)', 'a spec is a mapping with at least "name" and "vms"; start from examples/practica6.yaml')], file);
    }
    return { file, value, positions, format: 'yaml' };
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      const mark = e.mark as { line: number; column: number } | undefined;
      const positions: PositionMap = new Map();
      if (mark) positions.set('', { line: mark.line + 1, column: mark.column + 1 });
      if (/duplicated mapping key/.test(e.reason)) {
        const line = mark ? (text.split('\n')[mark.line] ?? '') : '';
        const key = /^[\s-]*["']?([^"':#]+?)["']?\s*:/.exec(line)?.[1];
        throw new SpecError([error('duplicate-key', '', `${key ? `key "${key}"` : 'this key'} appears twice in the same mapping`, 'YAML allows each key once per mapping, and a parser that accepted it would keep only one; remove or rename one')], file, positions);
      }
      throw new SpecError([error('yaml-syntax', '', `not valid YAML: ${e.reason}`, 'check indentation and quoting on this line; indent with spaces only, the same amount for siblings')], file, positions);
    }
    throw e;
  }
}
