// Built-in templates precompiled at build time (generator/build-templates.ts), so a run needs only
// Handlebars' small runtime instead of compiling ~30 templates on every start. Each entry carries the
// sha256 of its source: an edited template whose build was not rerun is compiled at run time.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

export const precompiledPath = join(packageRoot, 'dist', 'precompiled-templates.cjs');
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

export interface PrecompiledTemplate {
  sha256: string;
  spec: object;
}

const require = createRequire(import.meta.url);
let cache: Record<string, PrecompiledTemplate> | undefined;

export function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/** Precompiled built-ins by template name; empty when the build step has not run. */
export function precompiledTemplates(): Record<string, PrecompiledTemplate> {
  if (!cache) cache = existsSync(precompiledPath) ? (require(precompiledPath) as Record<string, PrecompiledTemplate>) : {};
  return cache;
}
