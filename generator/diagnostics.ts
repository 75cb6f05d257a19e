// Diagnostics: every problem in a spec is reported with where (JSON pointer, file:line:col),
// what, and a hint. Errors stop the compiler before anything is written; warnings do not.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier of the check, e.g. "duplicate-name". */
  code: string;
  /** JSON pointer into the spec ("" is the whole spec). */
  pointer: string;
  message: string;
  hint?: string;
}

export interface SourcePosition {
  line: number;
  column: number;
}

/** Maps a JSON pointer to where that value starts in the source text. */
export type PositionMap = Map<string, SourcePosition>;

export function error(code: string, pointer: string, message: string, hint?: string): Diagnostic {
  return hint === undefined
    ? { severity: 'error', code, pointer, message }
    : { severity: 'error', code, pointer, message, hint };
}

export function warning(code: string, pointer: string, message: string, hint?: string): Diagnostic {
  return hint === undefined
    ? { severity: 'warning', code, pointer, message }
    : { severity: 'warning', code, pointer, message, hint };
}

export function pointerOf(...parts: (string | number)[]): string {
  return parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** The position of the pointer, or of its nearest ancestor that has one. */
export function locate(positions: PositionMap | undefined, pointer: string): SourcePosition | undefined {
  if (!positions) return undefined;
  let p = pointer;
  for (;;) {
    const pos = positions.get(p);
    if (pos) return pos;
    if (p === '') return undefined;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}

export function formatDiagnostic(d: Diagnostic, file: string, positions?: PositionMap): string {
  const pos = locate(positions, d.pointer);
  const where = pos ? `${file}:${pos.line}:${pos.column}` : file;
  const head = `${where}: ${d.severity} [${d.code}] at ${d.pointer === '' ? '/' : d.pointer}: ${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic) => (d.severity === 'error' ? 0 : 1);
  return [...list].sort((a, b) => rank(a) - rank(b));
}

/** Errors before warnings, each in the order they appear in the file (a student fixes top down). */
export function orderForReport(list: Diagnostic[], positions?: PositionMap): Diagnostic[] {
  const key = (d: Diagnostic) => {
    const pos = locate(positions, d.pointer);
    return [d.severity === 'error' ? 0 : 1, pos?.line ?? 0, pos?.column ?? 0];
  };
  return list
    .map((d, n) => ({ d, n, k: key(d) }))
    .sort((a, b) => (a.k[0] as number) - (b.k[0] as number) || (a.k[1] as number) - (b.k[1] as number) || (a.k[2] as number) - (b.k[2] as number) || a.n - b.n)
    .map((x) => x.d);
}

/**
 * How much of a report is printed: the first diagnostics in file order, up to a count and a size.
 * A spec with thousands of the same mistake gets a screenful, not megabytes (which also outgrew the
 * 64 KiB a pipe holds, so a report piped into another program was cut off at exit).
 */
export const REPORT_LIMITS = { maxDiagnostics: 50, maxChars: 32 * 1024 } as const;

/** The report text of ordered diagnostics, ending with what was left out, if anything. */
export function formatReport(ordered: Diagnostic[], file: string, positions?: PositionMap): string {
  const lines: string[] = [];
  let chars = 0;
  for (const d of ordered) {
    const text = formatDiagnostic(d, file, positions);
    if (lines.length >= REPORT_LIMITS.maxDiagnostics || (lines.length > 0 && chars + text.length > REPORT_LIMITS.maxChars)) break;
    lines.push(text);
    chars += text.length + 1;
  }
  const left = ordered.slice(lines.length);
  if (left.length > 0) {
    const errors = left.filter((d) => d.severity === 'error').length;
    const warnings = left.length - errors;
    const parts = [errors ? `${errors} more error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} more warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean);
    lines.push(`${file}: ... and ${parts.join(' and ')} not shown\n  hint: fix the ones above first (the first ${lines.length} in file order); many alike often have one cause`);
  }
  return lines.join('\n');
}

/** Thrown for bad input; the CLI prints the diagnostics and exits 2. */
export class SpecError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(
    diagnostics: Diagnostic[],
    readonly file: string,
    readonly positions?: PositionMap,
  ) {
    const ordered = orderForReport(diagnostics, positions);
    super(formatReport(ordered, file, positions));
    this.diagnostics = ordered;
  }
}
