// Bundlers (containers.sh, user-data) embed the files other emitters write, whatever their names,
// so a new per-VM or per-container file reaches the guests without touching the bundlers.
import type { OutputFile } from './files.js';

const byPath = (a: OutputFile, b: OutputFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
const folderIndex = new WeakMap<OutputFile[], Map<string, OutputFile[]>>();

/** Files anywhere under a lab folder directory such as "containers/bal1/", sorted by path.
 * The folder index is built once per file list, so bundling stays linear in the lab size. */
export function filesUnder(files: OutputFile[], dir: string): OutputFile[] {
  let index = folderIndex.get(files);
  if (!index) {
    index = new Map();
    for (const f of files) {
      for (let slash = f.path.indexOf('/'); slash !== -1; slash = f.path.indexOf('/', slash + 1)) {
        const key = f.path.slice(0, slash + 1);
        const list = index.get(key);
        if (list) list.push(f);
        else index.set(key, [f]);
      }
    }
    for (const list of index.values()) list.sort(byPath);
    folderIndex.set(files, index);
  }
  return index.get(dir.endsWith('/') ? dir : dir + '/') ?? [];
}
