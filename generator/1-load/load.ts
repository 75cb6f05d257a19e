// Phase 1: read the spec file (JSON or YAML; both mean the same) and map pointers to positions.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import yaml from 'js-yaml';
import { error, SpecError, type PositionMap } from '../diagnostics.js';
import { scanJsonPositions } from './json-positions.js';
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

export function parseSpecText(text: string, file: string): LoadedSpec {
  const ext = extname(file).toLowerCase();
  const looksJson = ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && /^\s*\{/.test(text));
  if (looksJson) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const at = /position (\d+)/.exec(msg);
      const positions: PositionMap = new Map();
      if (at) {
        const offset = Number(at[1]);
        const before = text.slice(0, offset).split('\n');
        positions.set('', { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 });
      }
      throw new SpecError(
        [error('json-syntax', '', `not valid JSON: ${msg.replace(/^Unexpected/, 'unexpected')}`, 'look for a missing comma, quote or bracket just before this point')],
        file,
        positions,
      );
    }
    const { positions, duplicateKeys } = scanJsonPositions(text);
    if (duplicateKeys.length > 0) {
      throw new SpecError(
        duplicateKeys.map((p) => error('duplicate-key', p, 'this key appears twice in the same object', 'JSON keeps only the last one silently; remove or rename one')),
        file,
        positions,
      );
    }
    return { file, value, positions, format: 'json' };
  }
  try {
    const { value, positions } = loadYamlWithPositions(text, file);
    return { file, value, positions, format: 'yaml' };
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      const mark = e.mark as { line: number; column: number } | undefined;
      const positions: PositionMap = new Map();
      if (mark) positions.set('', { line: mark.line + 1, column: mark.column + 1 });
      throw new SpecError([error('yaml-syntax', '', `not valid YAML: ${e.reason}`, 'check indentation and quoting on this line')], file, positions);
    }
    throw e;
  }
}
