// `gen-lab pack`: the lab folder a teacher copies to a USB stick or an LMS, holding everything a
// classroom needs to boot it with no Internet: the generated lab, every box of the course catalog
// (VirtualBox amd64 and arm64, libvirt amd64) under boxes/ with a catalog of file names that the
// Vagrantfile makes absolute wherever the folder lands, and the container images under images/
// (arm64 builds in images/arm64/). Everything is checked before anything is written; a failed copy
// leaves no half-copied file, and a folder pack created is removed whole.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { LabModel } from './3-resolve/model.js';
import { error, SpecError, warning, type Diagnostic } from './diagnostics.js';
import type { OutputFile } from './4-emit/files.js';
import { writeLab } from './5-write/write.js';
import { CATALOG_ARCH_ORDER, type BoxArch } from './build/box.js';

export interface PackOptions {
  outDir: string;
  /** Folder of a box catalog (`gen-lab box build -o DIR`): its metadata.json and .box files. */
  boxesDir: string;
  /** Folder of the images (`gen-lab image build -o DIR`, arm64 builds in DIR/arm64/). */
  imagesDir?: string;
  log?: (line: string) => void;
}

interface CatalogEntry { name: string; url: string; checksum_type?: string; checksum?: string; architecture?: string; default_architecture?: boolean }
interface Catalog { name: string; description?: string; versions: { version: string; providers: CatalogEntry[] }[] }
interface Copy { from: string; to: string; bytes: number; sha256?: string }

const PACK_ARCHES = ['arm64'];
const versionKey = (v: string) => v.split('.').map((n) => Number(n) || 0);
function newerFirst(a: string, b: string): number {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (y[i] ?? 0) - (x[i] ?? 0);
  return 0;
}

/** The local file a catalog entry names: a file:// URL, an absolute path, or a name beside the catalog. */
function entryFile(boxesDir: string, url: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (isAbsolute(url)) return url;
  return join(boxesDir, url);
}

function readCatalog(boxesDir: string, problems: Diagnostic[]): Catalog | undefined {
  const file = join(boxesDir, 'metadata.json');
  if (!existsSync(file)) {
    problems.push(error('pack-no-catalog', '', `${file} does not exist`, 'build the boxes first: sudo gen-lab box build -o DIR (once per --arch), then gen-lab pack SPEC --boxes DIR'));
    return undefined;
  }
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Catalog;
    if (typeof c.name === 'string' && Array.isArray(c.versions) && c.versions.length > 0) return c;
  } catch {
    // reported below
  }
  problems.push(error('pack-bad-catalog', '', `${file} is not a box catalog (name and versions)`, 'point --boxes at the folder `gen-lab box build -o DIR` wrote'));
  return undefined;
}

/** The newest version of the catalog, as a catalog of file names in boxes/, and the copies it needs. */
function planBoxes(model: LabModel, boxesDir: string, problems: Diagnostic[], notes: Diagnostic[]): { catalog: Catalog; copies: Copy[] } | undefined {
  const source = readCatalog(boxesDir, problems);
  if (!source) return undefined;
  const users = model.vms.filter((vm) => vm.box === source.name).map((vm) => vm.name);
  if (users.length === 0) problems.push(error('pack-box-unused', '', `the catalog serves ${source.name}, and no VM of the lab uses it (${[...new Set(model.vms.map((v) => v.box))].join(', ')})`, `leave "box" out of the spec (gen-lab's own box) or point --boxes at the catalog of the lab's box`));
  const version = [...source.versions].sort((a, b) => newerFirst(a.version, b.version))[0] as Catalog['versions'][number];
  const copies: Copy[] = [];
  const providers = version.providers.map((p) => {
    const from = entryFile(boxesDir, p.url);
    if (!existsSync(from)) problems.push(error('pack-box-missing', '', `the catalog's ${p.name} ${p.architecture ?? 'amd64'} box is ${from}, which does not exist`, 'rebuild the boxes into one folder, or fix the catalog'));
    else copies.push({ from, to: join('boxes', basename(from)), bytes: statSync(from).size, ...(p.checksum_type === 'sha256' && p.checksum ? { sha256: p.checksum } : {}) });
    return { ...p, url: basename(from) };
  });
  // The order `gen-lab box build` writes (CATALOG_ARCH_ORDER: amd64 last, for Vagrant 2.3).
  const archRank = (p: CatalogEntry) => CATALOG_ARCH_ORDER.indexOf((p.architecture ?? 'amd64') as BoxArch);
  providers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : archRank(a) - archRank(b)));
  const has = (name: string, arch: string) => providers.some((p) => p.name === name && (p.architecture ?? 'amd64') === arch);
  if (!has('virtualbox', 'amd64')) notes.push(warning('pack-no-virtualbox', '', `the catalog has no VirtualBox amd64 box: Windows, Intel Macs and most Linux laptops cannot boot the lab`, 'sudo gen-lab box build --provider virtualbox -o DIR'));
  if (!has('virtualbox', 'arm64')) notes.push(warning('pack-no-arm64', '', `the catalog has no VirtualBox arm64 box: Macs with Apple Silicon cannot boot the lab`, 'sudo gen-lab box build --provider virtualbox --arch arm64 -o DIR'));
  return { catalog: { name: source.name, ...(source.description ? { description: source.description } : {}), versions: [{ version: version.version, providers }] }, copies };
}

/** Every local image the lab's containers use (images/<file>), and its arm64 build where there is one. */
function planImages(model: LabModel, imagesDir: string | undefined, problems: Diagnostic[], notes: Diagnostic[]): Copy[] {
  const files = [...new Set(model.containers.filter((c) => c.localImage).map((c) => c.image))].sort();
  if (files.length === 0) return [];
  if (!imagesDir) {
    problems.push(error('pack-no-images', '', `the lab's containers use ${files.join(', ')} and no --images folder was given`, 'build the image first: sudo gen-lab image build -o DIR (and --arch arm64 -o DIR/arm64), then gen-lab pack ... --images DIR'));
    return [];
  }
  const copies: Copy[] = [];
  for (const image of files) {
    const name = basename(image);
    const from = join(imagesDir, name);
    if (!existsSync(from)) problems.push(error('pack-image-missing', '', `${from} does not exist (the lab uses ${image})`, 'sudo gen-lab image build -o ' + imagesDir));
    else copies.push({ from, to: image, bytes: statSync(from).size });
    for (const arch of PACK_ARCHES) {
      const own = join(imagesDir, arch, name);
      if (existsSync(own)) copies.push({ from: own, to: join(dirname(image), arch, name), bytes: statSync(own).size });
      else notes.push(warning('pack-image-no-arch', '', `no ${arch} build of ${name} (${own}): containers cannot start on ${arch} laptops (Apple Silicon)`, `sudo gen-lab image build --arch ${arch} -o ${join(imagesDir, arch)}`));
    }
  }
  return copies;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Copies one file to a temporary name beside its target, hashing it on the way, then renames it. */
async function copyFile(c: Copy, outDir: string, log: (l: string) => void, started: number): Promise<void> {
  const target = join(outDir, c.to);
  const tmp = `${target}.gen-lab-tmp`;
  mkdirSync(dirname(target), { recursive: true });
  const hash = createHash('sha256');
  let done = 0;
  let lastReport = Date.now();
  const meter = new Transform({
    transform(chunk: Buffer, _enc, next) {
      hash.update(chunk);
      done += chunk.length;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        log(`  [${((Date.now() - started) / 1000).toFixed(0)} s] ${c.to}: ${mb(done)} of ${mb(c.bytes)}`);
      }
      next(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(c.from), meter, createWriteStream(tmp));
    const digest = hash.digest('hex');
    if (c.sha256 && digest !== c.sha256) throw new Error(`${c.from} does not match its catalog's sha256 (${digest}, catalog ${c.sha256}): the box is damaged or the catalog is of another build`);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export async function packLab(model: LabModel, files: OutputFile[], opts: PackOptions): Promise<{ outDir: string; bytes: number; warnings: Diagnostic[] }> {
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const outDir = resolve(opts.outDir);
  const problems: Diagnostic[] = [];
  const notes: Diagnostic[] = [];
  const boxes = planBoxes(model, resolve(opts.boxesDir), problems, notes);
  const images = planImages(model, opts.imagesDir === undefined ? undefined : resolve(opts.imagesDir), problems, notes);
  if (problems.length > 0 || !boxes) throw new SpecError(problems, 'gen-lab pack');
  const copies = [...boxes.copies, ...images];
  const bytes = copies.reduce((n, c) => n + c.bytes, 0);
  const created = !existsSync(outDir);
  const started = Date.now();
  try {
    await writeLab(outDir, files);
    log(`gen-lab pack: lab written to ${outDir}; copying ${copies.length} files (${mb(bytes)})`);
    for (const c of copies) {
      const t = Date.now();
      log(`  [${((t - started) / 1000).toFixed(0)} s] ${c.to} (${mb(c.bytes)})${c.sha256 ? ', checking its sha256' : ''}`);
      await copyFile(c, outDir, log, started);
    }
    writeFileSync(join(outDir, 'boxes', 'metadata.json'), JSON.stringify(boxes.catalog, null, 2) + '\n');
  } catch (e) {
    if (created) rmSync(outDir, { recursive: true, force: true });
    if (e instanceof SpecError) throw e;
    throw new SpecError([error('pack-failed', '', `packing ${outDir} failed after ${((Date.now() - started) / 1000).toFixed(0)} s: ${(e as Error).message}`, created ? 'nothing was left behind; fix the cause and run gen-lab pack again' : 'the files copied before the failure stay; run gen-lab pack again')], 'gen-lab pack');
  }
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  log(`gen-lab pack: ${outDir} holds the lab, ${count(boxes.copies.length, 'box', 'boxes')} and ${count(images.length, 'image', 'images')} (${mb(bytes)}) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  log(`  hand it out as it is (USB stick, LMS); students run \`vagrant up\` inside it, with no Internet needed`);
  return { outDir, bytes, warnings: notes };
}
