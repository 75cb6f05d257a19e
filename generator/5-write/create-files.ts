// Creating thousands of files costs what the filesystem makes it cost. On tmpfs a create takes
// ~10 µs and Node's thread pool would add ~40 µs of hand-off to each; on the ext4 disk of the VMs
// this was built on, a create costs ~550 µs of kernel time, and the pool spreads that over the
// cores (2x on 2 cores). So the first creates run synchronously and are timed; once they show a
// slow disk, the rest go through the pool, a bounded number at a time.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface NewFile {
  path: string;
  content: string;
  mode: number;
}

/** Creates probed synchronously before deciding, and the average above which the pool pays. */
const PROBE_CREATES = 6;
const SLOW_CREATE_MS = 0.1;
const IN_FLIGHT = 16;


export class FileCreator {
  private probed = 0;
  private probeMs = 0;
  /** Set once the probe has decided: true when creates are slow enough for the pool. */
  private parallel: boolean | undefined;

  constructor(force?: 'sync' | 'parallel') {
    if (force) this.parallel = force === 'parallel';
  }

  /** Create folders that do not exist yet (parents are created before children). */
  async createDirs(dirs: Iterable<string>): Promise<void> {
    const byDepth = new Map<number, string[]>();
    for (const d of dirs) {
      const depth = d.split('/').length;
      byDepth.set(depth, [...(byDepth.get(depth) ?? []), d]);
    }
    for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
      await this.run(byDepth.get(depth)!, (d) => mkdirSync(d), (d) => mkdir(d));
    }
  }

  /** Create (or truncate) every file; its folder must exist. */
  async createFiles(files: NewFile[]): Promise<void> {
    // Files are created with their final mode; only a umask that strips bits forces a chmod.
    const umask = process.umask();
    const chmodded = files.filter((f) => (f.mode & ~umask) !== f.mode);
    await this.run(
      files,
      (f) => writeFileSync(f.path, f.content, { mode: f.mode }),
      (f) => writeFile(f.path, f.content, { mode: f.mode }),
    );
    // Rare (umask 077 and the like): fix modes afterwards rather than slow every create.
    for (const f of chmodded) chmodSync(f.path, f.mode);
  }

  /** The mode chosen so far, for --timing and tests. */
  get mode(): 'sync' | 'parallel' | 'undecided' {
    return this.parallel === undefined ? 'undecided' : this.parallel ? 'parallel' : 'sync';
  }

  private async run<T>(items: T[], sync: (item: T) => void, parallel: (item: T) => Promise<unknown>): Promise<void> {
    let next = 0;
    while (next < items.length && this.parallel !== true) {
      const item = items[next++]!;
      if (this.parallel === false) {
        sync(item);
        continue;
      }
      const t0 = performance.now();
      sync(item);
      this.probeMs += performance.now() - t0;
      if (++this.probed === PROBE_CREATES) this.parallel = this.probeMs / this.probed > SLOW_CREATE_MS;
    }
    // On a failure no new work starts, and the caller hears of it only once nothing is in flight,
    // so its rollback never races a create.
    let failure: { error: unknown } | undefined;
    const worker = async () => {
      while (next < items.length && !failure) {
        try {
          await parallel(items[next++]!);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length - next) }, worker));
    if (failure) throw failure.error;
  }
}

/** Folders a set of files needs below root, root itself excluded. */
export function foldersFor(root: string, paths: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    for (let d = dirname(p); d.length > root.length && !dirs.has(d); d = dirname(d)) dirs.add(d);
  }
  return [...dirs];
}
