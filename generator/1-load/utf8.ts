// Spec files are UTF-8. Node's default decoding turns every bad byte into U+FFFD silently, which
// would put replacement characters into names and the generated files; here a bad byte is an error
// at its line:column instead, and UTF-16/32 files (Windows editors' "Unicode") get a hint of their own.
import type { SourcePosition } from '../diagnostics.js';

export interface Utf8Problem {
  message: string;
  hint: string;
  position: SourcePosition;
}

const SAVE_AS_UTF8 = 'save the file as UTF-8 (in most editors: "Save with encoding" / "File encoding: UTF-8")';

export function decodeUtf8(bytes: Uint8Array): { text: string } | { bad: Utf8Problem } {
  const start = { line: 1, column: 1 };
  const wide = utf16or32(bytes);
  if (wide) return { bad: { message: `the file is ${wide}, not UTF-8`, hint: SAVE_AS_UTF8, position: start } };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const at = firstInvalidByte(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
    const line = 1 + countNewlines(bytes, at);
    // The bytes before it on its line are valid, so their characters give the column.
    const column = Buffer.from(bytes.subarray(lineStart, at)).toString('utf8').length + 1;
    const byte = (bytes[at] as number).toString(16).toUpperCase().padStart(2, '0');
    return {
      bad: {
        message: `byte 0x${byte} is not valid UTF-8 (the file is in another encoding, or damaged)`,
        hint: `${SAVE_AS_UTF8}; Latin-1 or Windows-1252 text (e.g. "é" as one byte) must be converted`,
        position: { line, column },
      },
    };
  }
}

function utf16or32(b: Uint8Array): string | undefined {
  if (b[0] === 0xff && b[1] === 0xfe) return b[2] === 0 && b[3] === 0 ? 'UTF-32' : 'UTF-16';
  if (b[0] === 0xfe && b[1] === 0xff) return 'UTF-16';
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'UTF-32';
  // No byte order mark, but "{" or "n" followed or preceded by zero bytes.
  if (b.length >= 4 && (b[0] === 0) !== (b[1] === 0) && (b[2] === 0) !== (b[3] === 0)) return 'UTF-16 (or UTF-32)';
  return undefined;
}

function countNewlines(b: Uint8Array, end: number): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i !== -1 && i < end; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return b.length;
}
