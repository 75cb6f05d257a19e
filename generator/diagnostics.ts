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

/** Thrown for bad input; the CLI prints the diagnostics and exits 2. */
export class SpecError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(
    diagnostics: Diagnostic[],
    readonly file: string,
    readonly positions?: PositionMap,
  ) {
    const ordered = orderForReport(diagnostics, positions);
    super(ordered.map((d) => formatDiagnostic(d, file, positions)).join('\n'));
    this.diagnostics = ordered;
  }
}
