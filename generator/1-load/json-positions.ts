// Finds where every value of a JSON text starts, keyed by JSON pointer. Values themselves come from
// JSON.parse; this scanner only walks the same grammar to record line:column, and reports
// duplicate keys, which JSON.parse silently lets the last one win.
import { pointerOf, type PositionMap } from '../diagnostics.js';

export interface JsonScan {
  positions: PositionMap;
  duplicateKeys: string[];
}

export function scanJsonPositions(text: string): JsonScan {
  const positions: PositionMap = new Map();
  const duplicateKeys: string[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const skipWs = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') {
        line++;
        lineStart = i + 1;
      } else if (c !== ' ' && c !== '\t' && c !== '\r') break;
      i++;
    }
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (ptr: string): void => {
    skipWs();
    positions.set(ptr, { line, column: i - lineStart + 1 });
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      skipWs();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWs();
        const key = readString();
        const child = ptr + pointerOf(key);
        if (seen.has(key)) duplicateKeys.push(child);
        seen.add(key);
        skipWs();
        i++; // ':'
        value(child);
        skipWs();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      skipWs();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(ptr + pointerOf(n));
        skipWs();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      readString();
    } else {
      while (i < text.length && /[^,\]}\s]/.test(text[i] as string)) i++;
    }
  };
  value('');
  return { positions, duplicateKeys };
}
