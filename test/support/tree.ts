// Folder snapshots for tests that must prove a folder did not change: every entry, its type, mode
// and bytes.
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export type Snapshot = Map<string, string>;

export function snapshot(dir: string): Snapshot {
  const out: Snapshot = new Map();
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out.set(rel + '/', `dir ${mode}`);
        walk(p);
      } else if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(p)}`);
      else out.set(rel, `file ${mode} ${readFileSync(p).toString('base64')}`);
    }
  };
  walk(dir);
  return out;
}

/** Paths whose entry differs between two snapshots (added, removed or changed). */
export function changedPaths(a: Snapshot, b: Snapshot): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** A fresh temporary folder; the caller removes it with removeTemp. */
export function makeTemp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gen-lab-${prefix}-`));
}

export function removeTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
