// Creating thousands of files costs what the filesystem makes it cost. On tmpfs a create takes
// ~10 µs and Node's thread pool would add ~40 µs of hand-off to each; on the ext4 disk of the VMs
// this was built on, a create cost 25 µs while the disk had credit and ~600 µs once it was
// throttled, and the pool overlaps those (~2x on 2 cores). So creates run synchronously, timed in
// windows; from the first slow window on, the rest go through the pool, a bounded number at a time.
// A window is slow by its median, so one create stalled by a GC pause does not switch tmpfs over.
import { chmodSync, mkdirSync, promises as fsp, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface NewFile {
  path: string;
  content: string | Uint8Array;
  mode: number;
}

/** Creates per timing window, and the median above which the pool pays. */
const WINDOW = 16;
const SLOW_CREATE_MS = 0.1;
const IN_FLIGHT = 16;

export class FileCreator {
  private window: number[] = [];
  private parallel: boolean;

  /** `force` fixes the mode (tests); otherwise it starts synchronous and may switch. */
  constructor(private readonly force?: 'sync' | 'parallel') {
    this.parallel = force === 'parallel';
  }

  /** Create folders that do not exist yet (parents are created before children). */
  async createDirs(dirs: Iterable<string>): Promise<void> {
    const byDepth = new Map<number, string[]>();
    for (const d of dirs) {
      const depth = d.split('/').length;
      const level = byDepth.get(depth);
      if (level) level.push(d);
      else byDepth.set(depth, [d]);
    }
    for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
      await this.run(byDepth.get(depth)!, (d) => mkdirSync(d), (d) => fsp.mkdir(d));
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
      (f) => fsp.writeFile(f.path, f.content, { mode: f.mode }),
    );
    // Rare (umask 077 and the like): fix modes afterwards rather than slow every create.
    for (const f of chmodded) chmodSync(f.path, f.mode);
  }

  /** How files are being created now, for --timing and tests. */
  get mode(): 'sync' | 'parallel' {
    return this.parallel ? 'parallel' : 'sync';
  }

  private async run<T>(items: T[], sync: (item: T) => void, parallel: (item: T) => Promise<unknown>): Promise<void> {
    let next = 0;
    while (next < items.length && !this.parallel) {
      const item = items[next++]!;
      if (this.force === 'sync') {
        sync(item);
        continue;
      }
      const t0 = performance.now();
      sync(item);
      this.window.push(performance.now() - t0);
      if (this.window.length === WINDOW) {
        this.parallel = this.window.sort((a, b) => a - b)[WINDOW / 2]! > SLOW_CREATE_MS;
        this.window = [];
      }
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
