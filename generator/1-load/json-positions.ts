// Finds where every value of a JSON text starts, keyed by JSON pointer, and checks the grammar
// strictly on the way. V8's JSON.parse messages change between Node versions and often carry no
// line, so syntax errors are reported from here, with the line:column students see in an editor.
// Values still come from JSON.parse; duplicate keys, which JSON.parse lets the last one win
// silently, are collected here too. The scan recurses one level per nesting level, so it refuses
// nesting beyond LOAD_LIMITS.maxDepth (and more than maxValues values) before going deeper; that
// also keeps JSON.parse, which recurses too, from ever seeing a text that would overflow the stack.
import { pointerOf, type PositionMap, type SourcePosition } from '../diagnostics.js';
import { keyTooLong, LOAD_LIMITS, pointerBudget, tooDeep, tooManyValues } from './limits.js';

export interface JsonScan {
  positions: PositionMap;
  duplicateKeys: string[];
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: SourcePosition,
    readonly hint: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = ['true', 'false', 'null'];

export function scanJsonPositions(text: string): JsonScan {
  const positions: PositionMap = new Map();
  const duplicateKeys: string[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): SourcePosition => ({ line, column: i - lineStart + 1 });

  const describe = (): string => {
    if (i >= text.length) return 'the end of the file';
    const c = text[i] as string;
    if (c === '\n' || c === '\r') return 'the end of the line';
    if (c === '"') return `the string ${/^"(?:[^"\\\n]|\\.){0,30}"?/.exec(text.slice(i))?.[0] ?? '"'}`;
    const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 40))?.[0];
    return word ? `"${word}"` : `"${c}"`;
  };
  const fail = (message: string, hint: string, at: SourcePosition = here()): never => {
    throw new JsonSyntaxError(message, at, hint);
  };

  const skipWs = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') {
        line++;
        lineStart = i + 1;
      } else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
        fail('comments are not allowed in JSON', 'remove the comment, or write the spec in YAML (.yaml), where # starts a comment');
      } else if (c !== ' ' && c !== '\t' && c !== '\r') break;
      i++;
    }
  };
  const readString = (): string => {
    const start = i;
    const open = here();
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text[i] as string;
      if (c === '\n') fail('this string is not closed before the end of the line', 'add the closing double quote', open);
      if (c < ' ') fail('a control character (such as a tab) inside a string', 'write it as an escape, e.g. \\t');
      if (c === '\\') {
        const e = text[i + 1] ?? '';
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string', 'write \\u followed by four hex digits');
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e) || e === '') fail(`bad escape "\\${e}" in a string`, 'JSON knows only \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a backslash as \\\\');
        i += 2;
        continue;
      }
      i++;
    }
    if (i >= text.length) fail('this string is not closed', 'add the closing double quote', open);
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  let lastComma: SourcePosition = { line: 1, column: 1 };
  const comma = () => {
    lastComma = here();
    i++;
  };
  const expectValue = (context: string) => {
    const c = text[i];
    if (c === '}' || c === ']') {
      if (context === 'after a comma') fail(`trailing comma before "${c}"`, 'JSON allows no comma after the last item; remove it', lastComma);
      fail(`expected a value ${context}, found "${c}"`, 'write a value: a "string", a number, true, false, null, an object or an array');
    }
    if (c === "'") fail('strings need double quotes in JSON', 'replace the single quotes with double quotes');
    if (i >= text.length) fail(`expected a value ${context}, found the end of the file`, 'the file is cut short; finish the value and close every { and [');
  };

  const budget = pointerBudget();
  const value = (ptr: string, context: string, depth: number): void => {
    skipWs();
    expectValue(context);
    budget(ptr, { position: here() });
    positions.set(ptr, here());
    if (positions.size > LOAD_LIMITS.maxValues) throw tooManyValues({ position: here(), pointer: ptr });
    const c = text[i];
    if ((c === '{' || c === '[') && depth > LOAD_LIMITS.maxDepth) throw tooDeep({ position: here(), pointer: ptr });
    if (c === '{') {
      const open = here();
      i++;
      const seen = new Set<string>();
      skipWs();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWs();
        if (text[i] === '}') fail('trailing comma before "}"', 'JSON allows no comma after the last property; remove it', lastComma);
        if (text[i] !== '"') {
          if (i >= text.length) fail(`the object opened at line ${open.line}, column ${open.column} is not closed`, 'add the missing "}" (and any "]" before it)');
          fail(`expected a property name in double quotes, found ${describe()}`, 'JSON property names are double-quoted strings, e.g. "name": "serv1"');
        }
        const keyAt = here();
        const key = readString();
        if (Buffer.byteLength(key) > LOAD_LIMITS.maxKeyBytes) throw keyTooLong({ position: keyAt, pointer: ptr }, Buffer.byteLength(key));
        const child = ptr + pointerOf(key);
        if (seen.has(key)) duplicateKeys.push(child);
        seen.add(key);
        skipWs();
        if (text[i] !== ':') fail(`expected ":" after the property name "${key}", found ${describe()}`, 'write "key": value');
        i++;
        value(child, `for "${key}"`, depth + 1);
        skipWs();
        const next = text[i];
        if (next === ',') {
          comma();
          continue;
        }
        if (next === '}') {
          i++;
          return;
        }
        if (i >= text.length) fail(`the object opened at line ${open.line}, column ${open.column} is not closed`, 'add the missing "}" (and any "]" before it)');
        fail(`expected "," or "}" after the value of "${key}", found ${describe()}`, next === '"' ? 'a comma is missing between two properties' : 'separate properties with commas and close the object with "}"');
      }
    } else if (c === '[') {
      const open = here();
      i++;
      skipWs();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(ptr + pointerOf(n), n === 0 ? 'in the array' : 'after a comma', depth + 1);
        skipWs();
        const next = text[i];
        if (next === ',') {
          comma();
          continue;
        }
        if (next === ']') {
          i++;
          return;
        }
        if (i >= text.length) fail(`the array opened at line ${open.line}, column ${open.column} is not closed`, 'add the missing "]" (and any "}" before it)');
        fail(`expected "," or "]" after an array item, found ${describe()}`, next === '{' || next === '"' ? 'a comma is missing between two items' : 'separate items with commas and close the array with "]"');
      }
    } else if (c === '"') {
      readString();
    } else {
      NUMBER.lastIndex = i;
      const num = NUMBER.exec(text);
      if (num) {
        i += num[0].length;
        return;
      }
      const lit = LITERALS.find((l) => text.startsWith(l, i));
      if (lit) {
        i += lit.length;
        return;
      }
      fail(`expected a value ${context}, found ${describe()}`, 'strings need double quotes; numbers are plain digits; true, false and null are lower-case');
    }
  };
  value('', 'at the start of the file', 1);
  skipWs();
  if (i < text.length) fail(`unexpected ${describe()} after the end of the spec`, 'the spec is one object { ... }; remove what follows its closing "}"');
  return { positions, duplicateKeys };
}
