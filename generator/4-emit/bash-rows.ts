// Bash arrays of rows: the scripts `read -r` each row into named fields, so the column list is the
// contract between the generator and the bash. One list both documents the columns (the comment
// line above the array) and checks every row against them, so the two cannot drift apart.
import { shellQuote as q } from './escape.js';

export interface RowTable {
  /** Bash variable name. */
  name: string;
  /** Field names in order; a name ending in "..." takes zero or more words (the rest of the row,
   * or up to a literal separator column such as "|"). */
  columns: string[];
  /** Why or what, after the columns; '\n' starts a further comment line. */
  note?: string;
}

/** The documenting comment and the array, e.g. `# vm bridge\nSTP=(\n  'a b'\n)`. */
export function rowArray(table: RowTable, rows: readonly (readonly (string | number)[])[]): string {
  const fixed = table.columns.filter((c) => !c.endsWith('...')).length;
  const variadic = fixed < table.columns.length;
  for (const r of rows) {
    const ok = variadic ? r.length >= fixed : r.length === fixed;
    if (!ok) throw new Error(`${table.name}: row of ${r.length} fields for columns ${table.columns.join(' ')}`);
    if (r.some((f) => String(f) === '' || /\s/.test(String(f)))) throw new Error(`${table.name}: empty or spaced field in ${JSON.stringify(r)}`);
  }
  const [first, ...more] = (table.note ?? '').split('\n');
  const comment = [`# ${table.columns.join(' ')}${first ? ` ${first}` : ''}`, ...more.map((l) => `# ${l}`)];
  return [...comment, bashArray(table.name, rows.map((r) => r.join(' ')))].join('\n');
}

/** A bash array of single-quoted strings, one per line. */
export function bashArray(name: string, items: string[]): string {
  return items.length ? `${name}=(\n${items.map((r) => `  ${q(r)}`).join('\n')}\n)` : `${name}=()`;
}
