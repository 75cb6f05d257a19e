// What the box and image builders share: Debian's archive, the optional package proxy they reach it
// through, and their shell library.
import type { TemplateSet } from '../4-emit/templates.js';

/** The archive every built system installs from, and keeps in its sources.list. */
export const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

export function buildLib(templates: TemplateSet, suite: string, proxy: string | undefined): string {
  return templates.render('build/lib.sh.hbs', { suite, mirror: DEBIAN_MIRROR, proxy: proxy ?? '' }).trimEnd();
}
