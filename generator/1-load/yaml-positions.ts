// Positions of YAML values by JSON pointer, from js-yaml's node listener: every composed node
// reports 'open' and 'close'; nesting of those events gives the tree (mapping children alternate
// key, value), and each node's start offset gives line:column.
// js-yaml recurses once (or twice) per nesting level and composes every node it reads, so the
// listener refuses nesting and node counts past the load limits before the parser goes deeper;
// the exact limits (with aliases expanded) are checked on the loaded value (value-limits.ts).
import yaml from 'js-yaml';
import { pointerOf, type PositionMap } from '../diagnostics.js';
import { complexKey, keyTooLong, LOAD_LIMITS, pointerBudget, tooDeep, tooManyValues } from './limits.js';

/** Composed nodes per value at most: the value and either its key or a block-sequence item's wrapper. */
const NODES_PER_VALUE = 2;
/** Nesting levels of composed nodes per nesting level at most (the wrapper again). */
const NODE_LEVELS_PER_LEVEL = 2;

interface NodeRecord {
  start: number;
  kind: string | null;
  result: unknown;
  children: NodeRecord[];
}

export function loadYamlWithPositions(text: string, filename: string): { value: unknown; positions: PositionMap } {
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text[k] === '\n') lineStarts.push(k + 1);
  const toPos = (offset: number) => {
    let o = offset;
    // Node offsets can sit before the "- " of a sequence entry, blanks or a comment.
    while (o < text.length) {
      const c = text[o] as string;
      if (c === '#' && (o === 0 || /\s/.test(text[o - 1] as string))) {
        while (o < text.length && text[o] !== '\n') o++;
      } else if (/\s/.test(c) || (c === '-' && /\s/.test(text[o + 1] ?? ' '))) o++;
      else break;
    }
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (lineStarts[lo] as number) + 1 };
  };
  const stack: NodeRecord[] = [{ start: 0, kind: null, result: undefined, children: [] }];
  let nodes = 0;
  const value = yaml.load(text, {
    filename,
    schema: yaml.CORE_SCHEMA,
    json: false,
    listener(event, state) {
      if (event === 'open') {
        if (stack.length > NODE_LEVELS_PER_LEVEL * LOAD_LIMITS.maxDepth + 1) throw tooDeep({ position: toPos(state.position) });
        if (++nodes > NODES_PER_VALUE * LOAD_LIMITS.maxValues) throw tooManyValues({ position: toPos(state.position) });
        stack.push({ start: state.position, kind: null, result: undefined, children: [] });
      } else {
        const node = stack.pop() as NodeRecord;
        node.kind = state.kind;
        node.result = state.result;
        stack[stack.length - 1]?.children.push(node);
      }
    },
  });
  // "[ ? {a: 1} ]" or "[ [a]: b ]": a one-pair mapping inside a flow sequence, which js-yaml composes
  // without events of its own, so its key is a child of the sequence that is neither an item nor
  // the value of one (and js-yaml turned it into the key "[object Object]").
  const rejectPairKeys = (node: NodeRecord, ptr: string) => {
    const items = new Set(node.result as unknown[]);
    const pairValues = new Set<unknown>();
    for (const item of items) if (typeof item === 'object' && item !== null && !Array.isArray(item)) for (const v of Object.values(item)) pairValues.add(v);
    for (const child of node.children) {
      const r = child.result;
      if (typeof r === 'object' && r !== null && !items.has(r) && !pairValues.has(r)) throw complexKey({ position: toPos(child.start), pointer: ptr }, Array.isArray(r) ? 'list' : 'mapping');
    }
  };
  const positions: PositionMap = new Map();
  const budget = pointerBudget();
  const walk = (outer: NodeRecord, ptr: string) => {
    budget(ptr, { position: toPos(outer.start) });
    positions.set(ptr, toPos(outer.start));
    // A block-sequence item that is a flow collection is composed twice: js-yaml first tries it
    // as the key of a block mapping, so one node wraps the real one, with the very same result.
    let node = outer;
    while (node.children.length === 1 && node.children[0]?.result === node.result && typeof node.result === 'object' && node.result !== null) node = node.children[0] as NodeRecord;
    if (node.kind === 'mapping') {
      for (let k = 0; k + 1 < node.children.length; k += 2) {
        const keyNode = node.children[k] as NodeRecord;
        const valueNode = node.children[k + 1] as NodeRecord;
        if (typeof keyNode.result === 'object' && keyNode.result !== null) throw complexKey({ position: toPos(keyNode.start), pointer: ptr }, Array.isArray(keyNode.result) ? 'list' : 'mapping');
        const key = String(keyNode.result);
        if (Buffer.byteLength(key) > LOAD_LIMITS.maxKeyBytes) throw keyTooLong({ position: toPos(keyNode.start), pointer: ptr }, Buffer.byteLength(key));
        const child = ptr + pointerOf(key);
        walk(valueNode, child);
        // A block value (or nothing, for "key:" alone) starts on a later line than its key; the
        // line a student looks for is the key's.
        const keyPos = toPos(keyNode.start);
        if ((positions.get(child) as { line: number }).line > keyPos.line) positions.set(child, keyPos);
      }
    } else if (node.kind === 'sequence') {
      rejectPairKeys(node, ptr);
      node.children.forEach((child, n) => walk(child, ptr + pointerOf(n)));
    }
  };
  const root = stack[0]?.children[0];
  if (root) walk(root, '');
  return { value, positions };
}
