// Word lists in templates: one `key: text` line per word (figure words, the grade report's words),
// so a course translates or rewords any of them by overriding one file.
import { error, SpecError } from '../diagnostics.js';
import type { TemplateSet } from './templates.js';

/** The `key: text` lines of `text` with every key of `keys`; throws naming the missing ones. */
export function parseWords<K extends string>(text: string, keys: readonly K[], source: string, label: string): Record<K, string> {
  const words: Partial<Record<string, string>> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9]+):\s?(.*)$/.exec(line.trim());
    if (m && m[1]) words[m[1]] = (m[2] ?? '').trim();
  }
  const missing = keys.filter((k) => words[k] === undefined);
  if (missing.length) throw new Error(`${source} lacks the ${label} ${missing.join(', ')}`);
  return words as Record<K, string>;
}

/** The words of template `name`; a missing word is bad input (only an override can lack one). */
export function templateWords<K extends string>(templates: TemplateSet, name: string, keys: readonly K[], label: string): Record<K, string> {
  try {
    return parseWords(templates.render(name, {}), keys, name, label);
  } catch (e) {
    if (e instanceof SpecError) throw e;
    const layer = templates.list().find((t) => t.name === name)?.file ?? name;
    throw new SpecError([error('template-error', '', `template ${name} (${layer}): ${(e as Error).message}`, 'give every word a line `key: text`, as the built-in file does')], layer);
  }
}
