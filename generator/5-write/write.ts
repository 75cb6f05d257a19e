// Phase 5: put the files on disk so that either all of them change or none does, and never touch
// a file gen-lab did not write. A manifest in the folder records what gen-lab wrote last time.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { error, SpecError } from '../diagnostics.js';
import type { OutputFile } from '../4-emit/files.js';

export const MANIFEST = '.gen-lab-manifest';

export function readManifest(outDir: string): string[] {
  const p = join(outDir, MANIFEST);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

function manifestText(files: OutputFile[]): string {
  return ['# Files written by gen-lab; it may replace or delete these and no others.', ...files.map((f) => f.path)].join('\n') + '\n';
}

export function allFiles(outDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(outDir, p).split(sep).join('/'));
    }
  };
  if (existsSync(outDir)) walk(outDir);
  return out;
}

export interface WriteResult {
  written: number;
  unchanged: number;
  removed: string[];
}

export function writeLab(outDir: string, files: OutputFile[]): WriteResult {
  const previous = new Set(readManifest(outDir));
  // Refuse before touching anything: a file in the way that gen-lab did not write.
  const foreign = files.filter((f) => {
    const p = join(outDir, f.path);
    return existsSync(p) && !previous.has(f.path) && (statSync(p).isDirectory() || readFileSync(p, 'utf8') !== f.content);
  });
  if (foreign.length > 0) {
    throw new SpecError(
      foreign.map((f) => error('would-overwrite', '', `${join(outDir, f.path)} exists and was not written by gen-lab`, 'move it away or choose another output folder with -o')),
      outDir,
    );
  }
  const staged: { tmp: string; final: string; executable: boolean }[] = [];
  let unchanged = 0;
  try {
    for (const f of files) {
      const final = join(outDir, f.path);
      if (existsSync(final) && readFileSync(final, 'utf8') === f.content && Boolean(statSync(final).mode & 0o100) === Boolean(f.executable)) {
        unchanged++;
        continue;
      }
      mkdirSync(dirname(final), { recursive: true });
      const tmp = `${final}.gen-lab-tmp`;
      writeFileSync(tmp, f.content, { mode: f.executable ? 0o755 : 0o644 });
      chmodSync(tmp, f.executable ? 0o755 : 0o644);
      staged.push({ tmp, final, executable: Boolean(f.executable) });
    }
  } catch (e) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw e;
  }
  for (const s of staged) renameSync(s.tmp, s.final);
  const now = new Set(files.map((f) => f.path));
  const removed = [...previous].filter((p) => !now.has(p) && existsSync(join(outDir, p)));
  for (const p of removed) rmSync(join(outDir, p));
  const manifest = manifestText(files);
  const manifestPath = join(outDir, MANIFEST);
  if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== manifest) writeFileSync(manifestPath, manifest);
  return { written: staged.length, unchanged, removed };
}

export interface Drift {
  differ: string[];
  missing: string[];
  extra: string[];
}

/** Compare what would be written with what is on disk (the CI gate for committed labs). */
export function checkLab(outDir: string, files: OutputFile[]): Drift {
  const differ: string[] = [];
  const missing: string[] = [];
  for (const f of files) {
    const p = join(outDir, f.path);
    if (!existsSync(p)) missing.push(f.path);
    else if (readFileSync(p, 'utf8') !== f.content || Boolean(statSync(p).mode & 0o100) !== Boolean(f.executable)) differ.push(f.path);
  }
  const expected = new Set(files.map((f) => f.path));
  const extra = allFiles(outDir).filter((p) => !expected.has(p) && p !== MANIFEST);
  return { differ, missing, extra };
}
