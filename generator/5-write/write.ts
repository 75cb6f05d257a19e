// Phase 5: put the files on disk so that either all of them change or none does, and never touch
// a file gen-lab did not write. A manifest in the folder records what gen-lab wrote last time.
//
// A new folder is built whole under a temporary name beside it and renamed into place. An existing
// one takes three steps: check everything that could refuse (files in the way, directories where a
// file goes) before touching the disk; stage every new content in a temporary file beside its
// target; then commit with renames, journalling what each rename replaced so that a failure puts
// it all back.
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve as resolvePath, sep } from 'node:path';
import { error, SpecError, type Diagnostic } from '../diagnostics.js';
import { fileData, type OutputFile } from '../4-emit/files.js';
import { FileCreator, foldersFor, type NewFile } from './create-files.js';

export const MANIFEST = '.gen-lab-manifest';
const TMP_SUFFIX = '.gen-lab-tmp';

/** A manifest line gen-lab may act on: relative, inside the folder, no empty or dot segments. */
function isSafeRelative(p: string): boolean {
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

export function readManifest(outDir: string): string[] {
  const p = join(outDir, MANIFEST);
  if (!existsSync(p) || !lstatSync(p).isFile()) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#') && isSafeRelative(l));
}

function manifestText(files: OutputFile[]): string {
  return ['# Files written by gen-lab; it may replace or delete these and no others.', ...files.map((f) => f.path)].join('\n') + '\n';
}

export function allFiles(outDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (lstatSync(p).isDirectory()) walk(p);
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

// throwIfNoEntry: a fresh folder makes thousands of misses, and exceptions made them the hot spot.
const lstatOrUndefined = (p: string): Stats | undefined => {
  try {
    return lstatSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR: a file where a folder of the path should be
  }
};

const modeOf = (executable: boolean | undefined) => (executable ? 0o755 : 0o644);
/** The file at `p` holds exactly what gen-lab would write (text compared as text, binary as bytes). */
const sameContent = (p: string, f: OutputFile) => (f.bytes ? readFileSync(p).equals(f.bytes) : readFileSync(p, 'utf8') === f.content);
const sameFile = (p: string, st: Stats, f: OutputFile) => st.isFile() && Boolean(st.mode & 0o100) === Boolean(f.executable) && sameContent(p, f);

interface Survey {
  problems: Diagnostic[];
  /** What is on disk now at each target path (undefined: nothing). */
  targets: Map<string, Stats | undefined>;
  /** Folders known to exist, so staging does not look again. */
  dirs: Set<string>;
}

/** Everything that would make the write refuse, found before the disk is touched. */
function preflight(outDir: string, files: OutputFile[], previous: Set<string>): Survey {
  const problems: Diagnostic[] = [];
  const targets = new Map<string, Stats | undefined>();
  const dirs = new Set<string>();
  const now = new Set(files.map((f) => f.path));
  const outSt = lstatOrUndefined(outDir);
  if (outSt && !outSt.isDirectory()) return { problems: [error('would-overwrite', '', `${outDir} exists and is not a folder`, 'choose another output folder with -o')], targets, dirs };
  if (outSt) dirs.add(outDir);
  const checkedDirs = new Set<string>();
  for (const f of files) {
    const segs = f.path.split('/');
    for (let i = 1; i < segs.length; i++) {
      const rel = segs.slice(0, i).join('/');
      if (checkedDirs.has(rel)) continue;
      checkedDirs.add(rel);
      const st = lstatOrUndefined(join(outDir, rel));
      if (st?.isDirectory()) dirs.add(join(outDir, rel));
      if (st && !st.isDirectory()) {
        const ours = previous.has(rel) && !now.has(rel);
        problems.push(error('would-overwrite', '', `${join(outDir, rel)} is in the way: a folder must go there`, ours ? 'gen-lab wrote it for an older layout; delete it and regenerate' : 'move it away or choose another output folder with -o'));
      }
    }
    const p = join(outDir, f.path);
    const st = lstatOrUndefined(p);
    targets.set(p, st);
    if (!st) continue;
    if (st.isDirectory()) problems.push(error('would-overwrite', '', `${p} is a folder where gen-lab writes a file`, 'move it away or choose another output folder with -o'));
    else if (!st.isFile()) problems.push(error('would-overwrite', '', `${p} is not a regular file`, 'move it away or choose another output folder with -o'));
    else if (!previous.has(f.path) && !sameContent(p, f)) problems.push(error('would-overwrite', '', `${p} exists and was not written by gen-lab`, 'move it away or choose another output folder with -o'));
  }
  return { problems, targets, dirs };
}

type JournalEntry = { kind: 'created'; path: string } | { kind: 'replaced'; path: string; content: Buffer; mode: number };

/** Write the lab folder: all of it or, on any error, nothing. */
export async function writeLab(outDir: string, files: OutputFile[], creator = new FileCreator()): Promise<WriteResult> {
  const badPaths = files.filter((f) => !isSafeRelative(f.path));
  if (badPaths.length) throw new SpecError(badPaths.map((f) => error('bad-output-path', '', `an emitter produced the path ${JSON.stringify(f.path)}`, 'this is a bug in gen-lab')), outDir);
  const dir = resolvePath(outDir);
  return lstatOrUndefined(dir) ? updateFolder(dir, files, creator) : createFolder(dir, files, creator);
}

/** Staging folders of new labs: `.gen-lab-tmp-<pid>-<random>` beside the folder being written. */
const STAGING_PREFIX = '.gen-lab-tmp-';
const STAGING_NAME = /^\.gen-lab-tmp-(\d+)-[A-Za-z0-9]{6}$/;

/** A new folder is built beside its final place and renamed into it: it appears whole or not at
 * all, even if the process dies, and no file needs a rename of its own. */
async function createFolder(outDir: string, files: OutputFile[], creator: FileCreator): Promise<WriteResult> {
  const parent = dirname(outDir);
  let firstCreatedParent: string | undefined;
  let staging: string | undefined;
  try {
    firstCreatedParent = mkdirSync(parent, { recursive: true });
    removeDeadStaging(parent);
    const root = (staging = mkdtempSync(join(parent, `${STAGING_PREFIX}${process.pid}-`)));
    const all = [...files.map((f) => ({ path: join(root, f.path), content: fileData(f), mode: modeOf(f.executable) })), { path: join(root, MANIFEST), content: manifestText(files), mode: 0o644 }];
    await creator.createDirs(foldersFor(root, all.map((f) => f.path)));
    await creator.createFiles(all);
    renameSync(root, outDir);
  } catch (e) {
    try {
      if (staging) rmSync(staging, { recursive: true, force: true });
      if (firstCreatedParent) removeEmptyParents(dirname(firstCreatedParent), parent);
    } catch {
      // the first error is the one to report; what is left is an empty folder or our hidden staging
    }
    throw writeFailed(outDir, e);
  }
  return { written: files.length, unchanged: 0, removed: [] };
}

/** Staging folders left by a gen-lab that died mid-write (its process is gone) are removed. */
function removeDeadStaging(parent: string): void {
  for (const entry of readdirSync(parent)) {
    const pid = STAGING_NAME.exec(entry)?.[1];
    if (!pid || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    const p = join(parent, entry);
    if (lstatOrUndefined(p)?.isDirectory()) rmSync(p, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, someone else's
  }
}

const writeFailed = (outDir: string, e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new SpecError([error('write-failed', '', `writing ${outDir} failed (${code}); nothing was changed`, 'check the folder and its permissions')], outDir);
};

/** An existing folder: new contents are staged beside their targets, then renamed over them with a
 * journal of what each rename replaced, so that a failure puts everything back. */
async function updateFolder(outDir: string, files: OutputFile[], creator: FileCreator): Promise<WriteResult> {
  const previous = new Set(readManifest(outDir));
  const { problems, targets, dirs } = preflight(outDir, files, previous);
  if (problems.length > 0) throw new SpecError(problems, outDir);

  const staged: { tmp: string; final: string }[] = [];
  const toCreate: NewFile[] = [];
  let createdDirs: string[] = [];
  const journal: JournalEntry[] = [];
  let unchanged = 0;
  const manifest = manifestText(files);
  const manifestPath = join(outDir, MANIFEST);
  const stage = (final: string, content: string | Uint8Array, mode: number) => {
    const tmp = final + TMP_SUFFIX;
    toCreate.push({ path: tmp, content, mode });
    staged.push({ tmp, final });
  };
  // A temporary file left by a run that died would be reused with its old mode (or followed, were
  // it a symlink): clear the way first.
  const clearLeftovers = () => {
    for (const s of staged) if (lstatOrUndefined(s.tmp)) rmSync(s.tmp);
  };
  const now = new Set(files.map((f) => f.path));
  const stale = [...previous].filter((p) => !now.has(p) && lstatOrUndefined(join(outDir, p))?.isFile()).sort();
  try {
    for (const f of files) {
      const final = join(outDir, f.path);
      const st = targets.get(final);
      if (st && sameFile(final, st, f)) {
        unchanged++;
        continue;
      }
      stage(final, fileData(f), modeOf(f.executable));
    }
    const mst = lstatOrUndefined(manifestPath);
    if (!mst || !mst.isFile() || readFileSync(manifestPath, 'utf8') !== manifest) stage(manifestPath, manifest, 0o644);
    createdDirs = foldersFor(outDir, staged.map((s) => s.final)).filter((d) => !dirs.has(d));
    await creator.createDirs(createdDirs);
    clearLeftovers();
    await creator.createFiles(toCreate);
    for (const s of staged) {
      const st = targets.has(s.final) ? targets.get(s.final) : lstatOrUndefined(s.final);
      const entry: JournalEntry = st ? { kind: 'replaced', path: s.final, content: readFileSync(s.final), mode: st.mode & 0o7777 } : { kind: 'created', path: s.final };
      renameSync(s.tmp, s.final);
      journal.push(entry); // only once the rename happened: a failed one changed nothing to undo
    }
    for (const p of stale) {
      const abs = join(outDir, p);
      const entry: JournalEntry = { kind: 'replaced', path: abs, content: readFileSync(abs), mode: lstatSync(abs).mode & 0o7777 };
      rmSync(abs);
      journal.push(entry);
    }
  } catch (e) {
    rollback(journal, staged, createdDirs);
    throw writeFailed(outDir, e);
  }
  for (const p of stale) removeEmptyParents(outDir, dirname(join(outDir, p)));
  return { written: staged.filter((s) => s.final !== manifestPath).length, unchanged, removed: stale };
}

/** Undo a partial write: restore what renames replaced, drop staged and new files and new folders. */
function rollback(journal: JournalEntry[], staged: { tmp: string }[], createdDirs: string[]): void {
  for (const j of [...journal].reverse()) {
    if (j.kind === 'created') rmSync(j.path, { force: true });
    else {
      writeFileSync(j.path, j.content, { mode: j.mode });
      chmodSync(j.path, j.mode);
    }
  }
  for (const s of staged) {
    try {
      rmSync(s.tmp, { force: true });
    } catch {
      // never created: its name was what failed (too long, a folder in the way)
    }
  }
  for (const d of [...createdDirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(d);
    } catch {
      // not empty: it holds something gen-lab did not create, so it stays
    }
  }
}

/** After stale files go, their folders go too if nothing else is left in them. */
function removeEmptyParents(outDir: string, dir: string): void {
  while (dir !== outDir && dir.startsWith(outDir + sep)) {
    if (!lstatOrUndefined(dir)) {
      dir = dirname(dir); // already pruned for an earlier stale file of the same folder
      continue;
    }
    if (readdirSync(dir).length > 0) return;
    rmdirSync(dir);
    dir = dirname(dir);
  }
}

/** What a lab folder carries besides what gen-lab generates: the boxes and images `gen-lab pack`
 * (or the teacher) puts there, and Vagrant's own state. */
const CARRIED = ['boxes/', 'images/', '.vagrant/'];
const isCarried = (p: string) => CARRIED.some((prefix) => p.startsWith(prefix));

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
    const st = lstatOrUndefined(p);
    if (!st) missing.push(f.path);
    else if (!sameFile(p, st, f)) differ.push(f.path);
  }
  const expected = new Set(files.map((f) => f.path));
  const extra = allFiles(outDir).filter((p) => !expected.has(p) && p !== MANIFEST && !isCarried(p));
  return { differ, missing, extra };
}
