// The one home of the load limits. A lab spec is a small document: the reference lab is 5 KB,
// 250 values and 6 levels deep; a lab of 100 hosts and 1,000 containers (bench/synthetic-spec.js)
// is 400 KB, 17,000 values and still 6 levels deep (250 hosts: 43,000 values). Anything far beyond is hostile or broken, and is
// refused before it can cost the later phases time, memory or the stack (JSON.parse, js-yaml and
// ajv all recurse; YAML aliases let 1 KB of text stand for billions of values).
export const LOAD_LIMITS = {
  /** Bytes of the spec file; the file is never read further than this. */
  maxFileBytes: 4 * 1024 * 1024,
  /** Nesting depth of objects/arrays (the top-level object is depth 1); real specs need 6. */
  maxDepth: 32,
  /** Values (objects, arrays, strings, numbers, booleans, nulls), counting every YAML alias as the
   * values it stands for. */
  maxValues: 50_000,
  /** Bytes of a property name; the schema's longest is 21 ("expectUnreachableFrom"). */
  maxKeyBytes: 128,
  /** Characters of all JSON pointers kept for positions together. Only long names nested deep get
   * near it (each value's pointer repeats every key above it); it bounds that map's memory. */
  maxPointerChars: 16 * 1024 * 1024,
} as const;

export const fmtCount = (n: number): string => n.toLocaleString('en-US');

/** The hint shared by every limit: what a real spec looks like. */
export const LIMIT_HINT = 'a lab spec is a small document: the reference lab has 250 values nested 6 levels deep, a lab of 100 hosts and 1,000 containers 17,000; this file is not a lab spec, or was generated wrongly';

/** A limit was hit while reading; load.ts turns it into a diagnostic at `position` (or `pointer`). */
export class LoadLimitError extends Error {
  constructor(
    readonly code: 'too-deep' | 'too-many-values' | 'file-too-large' | 'key-too-long' | 'complex-key',
    message: string,
    readonly hint: string,
    readonly where: { position?: { line: number; column: number }; pointer?: string },
  ) {
    super(message);
  }
}

export const tooDeep = (where: LoadLimitError['where'], what = 'objects and lists'): LoadLimitError =>
  new LoadLimitError('too-deep', `${what} are nested more than ${LOAD_LIMITS.maxDepth} levels deep here`, LIMIT_HINT, where);

export const tooManyValues = (where: LoadLimitError['where'], viaAliases = false): LoadLimitError =>
  new LoadLimitError(
    'too-many-values',
    viaAliases ? `with its aliases expanded, the spec holds more than ${fmtCount(LOAD_LIMITS.maxValues)} values by here` : `the spec holds more than ${fmtCount(LOAD_LIMITS.maxValues)} values by here`,
    viaAliases ? `each YAML alias (*name) counts as a copy of what its anchor (&name) holds, so aliases of aliases multiply; write the values out or use fewer aliases; ${LIMIT_HINT}` : LIMIT_HINT,
    where,
  );

export const keyTooLong = (where: LoadLimitError['where'], bytes: number): LoadLimitError =>
  new LoadLimitError('key-too-long', `a property name of ${fmtCount(bytes)} bytes; at most ${LOAD_LIMITS.maxKeyBytes} are allowed`, 'property names are the schema\'s own words ("name", "vms", "bridges", ...), none longer than 21 bytes; is a value written where a key belongs (a missing ":" or quote)?', where);

/** YAML allows a list or a mapping as a key ("? [a, b]: x", "{[a]: x}"); a lab spec's keys are words. */
export const complexKey = (where: LoadLimitError['where'], kind: string): LoadLimitError =>
  new LoadLimitError('complex-key', `a ${kind} is used as a property name`, 'property names are plain words ("name", "vms", "bridges", ...); is a "?" or a bracket misplaced, or a value written where a key belongs?', where);

/** Adds a pointer to the running total of pointer characters; throws past maxPointerChars. */
export function pointerBudget(): (pointer: string, where: LoadLimitError['where']) => void {
  let used = 0;
  return (pointer, where) => {
    used += pointer.length;
    if (used > LOAD_LIMITS.maxPointerChars) {
      throw new LoadLimitError('too-many-values', 'the spec\'s structure is too large: long property names nested deep, with many values below them', LIMIT_HINT, where);
    }
  };
}
