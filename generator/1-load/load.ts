// Phase 1: read the spec file (JSON or YAML; both mean the same) and map pointers to positions.
// Every limit (size, nesting, number of values) lives in limits.ts; hitting one is bad input.
import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import yaml from 'js-yaml';
import { error, SpecError, type PositionMap } from '../diagnostics.js';
import { JsonSyntaxError, scanJsonPositions } from './json-positions.js';
import { loadYamlWithPositions } from './yaml-positions.js';
import { fmtCount, LIMIT_HINT, LOAD_LIMITS, LoadLimitError } from './limits.js';
import { checkValueTree } from './value-limits.js';
import { decodeUtf8 } from './utf8.js';

export interface LoadedSpec {
  file: string;
  value: unknown;
  positions: PositionMap;
  format: 'json' | 'yaml';
}

export function loadSpecFile(file: string): LoadedSpec {
  const bytes = readBounded(file);
  const decoded = decodeUtf8(bytes);
  if ('bad' in decoded) {
    throw new SpecError([error('invalid-utf8', '', decoded.bad.message, decoded.bad.hint)], file, new Map([['', decoded.bad.position]]));
  }
  return parseSpecText(decoded.text, file);
}

/** The file's bytes, never reading more than maxFileBytes + 1 (so /dev/zero or a pipe ends too). */
function readBounded(file: string): Buffer {
  const limit = LOAD_LIMITS.maxFileBytes;
  const buf = Buffer.alloc(limit + 1);
  let fd: number | undefined;
  let size = 0;
  try {
    fd = openSync(file, 'r');
    for (;;) {
      const n = readSync(fd, buf, size, buf.length - size, null);
      if (n === 0) break;
      size += n;
      if (size > limit) break;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new SpecError(
      [error('unreadable-file', '', `cannot read the spec (${code})`, 'check the path; the spec is a .json, .yaml or .yml file')],
      file,
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (size > limit) {
    throw new SpecError([error('file-too-large', '', `the spec file is larger than ${fmtCount(limit)} bytes (${fmtCount(limit / 1024 / 1024)} MiB); it was not read further`, LIMIT_HINT)], file);
  }
  return buf.subarray(0, size);
}

export function parseSpecText(rawText: string, file: string): LoadedSpec {
  if (rawText.length > LOAD_LIMITS.maxFileBytes) {
    throw new SpecError([error('file-too-large', '', `the spec is longer than ${fmtCount(LOAD_LIMITS.maxFileBytes)} characters`, LIMIT_HINT)], file);
  }
  let loaded: LoadedSpec;
  try {
    loaded = parseWithinLimits(rawText, file);
  } catch (e) {
    if (!(e instanceof LoadLimitError)) throw e;
    throw limitError(e, file, new Map());
  }
  const problem = checkValueTree(loaded.value, loaded.format);
  if (problem) {
    if ('limit' in problem) throw limitError(problem.limit, file, loaded.positions);
    throw new SpecError(problem.diagnostics, file, loaded.positions);
  }
  return loaded;
}

function limitError(e: LoadLimitError, file: string, positions: PositionMap): SpecError {
  const pointer = e.where.pointer ?? '';
  // A position found while reading is more exact than the pointer's (which may be an ancestor's).
  const at = new Map(positions);
  if (e.where.position) at.set(pointer, e.where.position);
  return new SpecError([error(e.code, pointer, e.message, e.hint)], file, at);
}

function parseWithinLimits(rawText: string, file: string): LoadedSpec {
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
      // Some of js-yaml's errors carry no mark: the message's "(line:column)", else the file's start.
      const inMessage = /\((\d+):(\d+)\)/.exec(e.message);
      const mark = (e.mark as { line: number; column: number } | undefined) ?? (inMessage ? { line: Number(inMessage[1]) - 1, column: Number(inMessage[2]) - 1 } : { line: 0, column: 0 });
      const positions: PositionMap = new Map();
      positions.set('', { line: mark.line + 1, column: mark.column + 1 });
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
