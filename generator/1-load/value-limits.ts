// The loaded value as the later phases will walk it: a YAML alias is the very object of its anchor,
// so ajv, the checks and resolve see it once per alias, and an alias inside its own anchor
// (&a [*a]) is a cycle no walk ends. This walks that expanded tree iteratively, stopping at the
// first value past the limits, so it costs at most LOAD_LIMITS.maxValues steps whatever the input.
// It also refuses numbers JSON cannot hold (YAML's .inf and .nan, 1e999), which would otherwise
// reach the checks as Infinity or NaN and print as null.
import { error, pointerOf, type Diagnostic } from '../diagnostics.js';
import { LOAD_LIMITS, tooDeep, tooManyValues, type LoadLimitError } from './limits.js';

export type ValueProblem = { limit: LoadLimitError } | { diagnostics: Diagnostic[] };

const MAX_REPORTED_NUMBERS = 20;

export function checkValueTree(root: unknown, format: 'json' | 'yaml'): ValueProblem | undefined {
  const aliases = format === 'yaml';
  // Frames of the walk: the container, its keys (or length) and the next child to visit.
  type Frame = { value: object; keys: string[] | null; next: number; key: string; viaAlias: boolean };
  const path: Frame[] = [];
  const onPath = new Set<object>();
  // The pointer of a child `key` of the innermost open container ('' for the root itself).
  const at = (key: string) => (path.length === 0 ? '' : path.slice(1).map((f) => pointerOf(f.key)).join('') + pointerOf(key));
  const numbers: Diagnostic[] = [];
  let count = 0;
  // Objects met before: meeting one again means an alias is being expanded.
  const seen = new Set<object>();
  let expanded = false;

  const visit = (v: unknown, key: string): LoadLimitError | Diagnostic | undefined => {
    count++;
    if (count > LOAD_LIMITS.maxValues) return tooManyValues({ pointer: at(key) }, expanded);
    if (typeof v === 'number' && !Number.isFinite(v)) {
      if (numbers.length < MAX_REPORTED_NUMBERS) {
        numbers.push(
          error(
            'not-a-number',
            at(key),
            Number.isNaN(v) ? 'not a number (YAML .nan)' : `a number too large to hold: ${v > 0 ? '' : 'minus '}infinity (${aliases ? 'YAML .inf, or ' : ''}beyond about 1.8e308)`,
            'every number in a spec is an ordinary finite number (a port, a priority, a size in MiB); write it out in digits',
          ),
        );
      }
      return undefined;
    }
    if (v === null || typeof v !== 'object') return undefined;
    if (onPath.has(v)) {
      return error('alias-cycle', at(key), 'this alias refers to a node that contains it, so it never ends', 'a YAML alias (*name) may only refer to an anchor (&name) outside itself; write the value out here');
    }
    const alias = seen.has(v);
    if (alias) expanded = true;
    else if (aliases) seen.add(v);
    const viaAlias = alias || (path[path.length - 1]?.viaAlias ?? false);
    if (path.length + 1 > LOAD_LIMITS.maxDepth) return tooDeep({ pointer: at(key) }, viaAlias ? 'with its aliases expanded, objects and lists' : undefined);
    path.push({ value: v, keys: Array.isArray(v) ? null : Object.keys(v), next: 0, key, viaAlias });
    onPath.add(v);
    return undefined;
  };

  const first = visit(root, '');
  if (first) return 'severity' in first ? { diagnostics: [first] } : { limit: first };
  while (path.length > 0) {
    const f = path[path.length - 1] as Frame;
    const size = f.keys ? f.keys.length : (f.value as unknown[]).length;
    if (f.next >= size) {
      path.pop();
      onPath.delete(f.value);
      continue;
    }
    const n = f.next++;
    const key = f.keys ? (f.keys[n] as string) : String(n);
    const child = f.keys ? (f.value as Record<string, unknown>)[key] : (f.value as unknown[])[n];
    const problem = visit(child, key);
    if (problem) return 'severity' in problem ? { diagnostics: [problem] } : { limit: problem };
  }
  return numbers.length > 0 ? { diagnostics: numbers } : undefined;
}
