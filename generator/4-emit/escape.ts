// Escaping per target language. Handlebars' HTML escaping is never right for these files, so
// templates are compiled with noEscape and every spec string goes through one of these.

/** A single-quoted POSIX shell word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A double-quoted Ruby string literal with #{...} interpolation disabled. */
export function rubyString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/#/g, '\\#').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
export function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** Text for HTML element content or attribute values. */
export function htmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A single-quoted PHP string literal. */
export function phpString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Free text as a comment: every line gets the prefix, so a newline cannot end the comment. */
export function commentLines(s: string, prefix: string): string {
  return s
    .split(/\r?\n|\r/)
    .map((line) => `${prefix} ${line}`.trimEnd())
    .join('\n');
}
