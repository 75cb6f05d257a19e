// Bundling emitters (containers.sh, user-data) embed the files other emitters write, whatever their
// names, so a new per-VM or per-container file reaches the guests without touching the bundlers.
import type { EmitContext, Emitter, OutputFile } from './files.js';
import { emitters } from './emit.js';

/** Files of every registered emitter except the bundlers given (a bundler never embeds itself). */
export function siblingFiles(ctx: EmitContext, bundlers: Emitter[]): OutputFile[] {
  return emitters.filter((e) => !bundlers.includes(e)).flatMap((e) => e(ctx));
}

/** Files under a lab folder directory such as "containers/bal1/", sorted by path. */
export function filesUnder(files: OutputFile[], dir: string): OutputFile[] {
  return files.filter((f) => f.path.startsWith(dir)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
