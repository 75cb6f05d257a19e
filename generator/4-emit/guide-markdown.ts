// Markdown for the lab guide. Spec text reaches Markdown only through mdInline, so a title or a
// description can neither open raw HTML nor start a heading, a list or a table cell of its own.
const INLINE_SPECIALS = /[\\`*_[\]|~]/g;
const BLOCK_START = /^([#>+=-]|\d+[.)])/;

/** Free text as one line of inline Markdown: no tag or entity survives, emphasis/link/table syntax is neutralised. */
export function mdInline(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const escaped = oneLine.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(INLINE_SPECIALS, (c) => `\\${c}`);
  return escaped.replace(BLOCK_START, (m) => `\\${m}`);
}

/** Inline code for names and addresses (the schema keeps backticks out of them; this keeps it true). */
export function mdCode(text: string): string {
  const body = text.replace(/`/g, "'");
  return `\`${body}\``;
}

/** A GitHub table; cells are already Markdown, and a pipe inside one is escaped by mdInline. */
export function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
