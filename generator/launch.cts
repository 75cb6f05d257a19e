// Starts the bundled command line (dist/gen-lab.cjs) through V8's code cache. A gen-lab run is short
// and most of its time went to compiling code, not running it: the bundle's source, then each
// function on its first call. The build (generator/build-code-cache.ts) runs the reference lab once
// and saves the bytecode V8 made; later runs start from it (reference lab ~150 -> ~115 ms).
// Node 22 has this built in (module.enableCompileCache); gen-lab supports Node 20.
//
// V8 checks only the source's length and its own version and flags before trusting a cache, and a
// damaged one can crash it; so the cache file starts with the sha256 of the bundle it was made from
// and of its own bytes, and is used only when both match. Otherwise the bundle compiles as usual.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const distDir = join(__dirname, '..');
export const bundlePath = join(distDir, 'gen-lab.cjs');
export const codeCachePath = join(distDir, 'gen-lab.code-cache');
/** The unbundled entry tsc writes; newer than the bundle means the bundle step was skipped. */
export const unbundledCliPath = join(distDir, 'generator', 'cli.js');
const HEADER = 'gen-lab-code-cache-v1';

export type CodeCacheState = 'used' | 'rejected' | 'stale' | 'damaged' | 'absent' | 'off';

export interface Startup {
  codeCache: CodeCacheState;
}

type Main = (argv: string[], startup?: Startup) => void;

export interface LoadedBundle {
  main: Main;
  startup: Startup;
  /** The cache file for everything compiled so far, for the build step to save. */
  createCodeCache(): Buffer;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The cached bytecode in the cache file, if it was made from exactly this bundle and is intact. */
function readCodeCache(bundleHash: string): { data?: Buffer; state: CodeCacheState } {
  if (!existsSync(codeCachePath)) return { state: 'absent' };
  const file = readFileSync(codeCachePath);
  const newline = file.indexOf(0x0a);
  const [header, forBundle, ownHash] = file.subarray(0, Math.max(newline, 0)).toString('latin1').split(' ');
  const data = file.subarray(newline + 1);
  if (newline < 0 || header !== HEADER || ownHash !== sha256(data)) return { state: 'damaged' };
  if (forBundle !== bundleHash) return { state: 'stale' };
  return { data, state: 'used' };
}

export function loadBundle(options: { useCache: boolean }): LoadedBundle {
  const source = readFileSync(bundlePath);
  const bundleHash = sha256(source);
  const cache = options.useCache ? readCodeCache(bundleHash) : { state: 'off' as const };
  // The same wrapper Node puts around a CommonJS module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source.toString('utf8')}\n})`, { filename: bundlePath, cachedData: cache.data });
  const codeCache: CodeCacheState = cache.data && script.cachedDataRejected ? 'rejected' : cache.state;
  const loaded = { exports: {} as { main: Main } };
  (script.runInThisContext() as (...args: unknown[]) => void).call(loaded.exports, loaded.exports, createRequire(bundlePath), loaded, bundlePath, dirname(bundlePath));
  return {
    main: loaded.exports.main,
    startup: { codeCache },
    createCodeCache: () => {
      const data = script.createCachedData();
      return Buffer.concat([Buffer.from(`${HEADER} ${bundleHash} ${sha256(data)}\n`, 'latin1'), data]);
    },
  };
}

export function saveCodeCache(bundle: LoadedBundle): number {
  const file = bundle.createCodeCache();
  const tmp = `${codeCachePath}.tmp-${process.pid}`;
  writeFileSync(tmp, file);
  renameSync(tmp, codeCachePath);
  return file.length;
}

/** What bin/gen-lab.js runs. */
export async function launch(argv: string[]): Promise<void> {
  if (existsSync(unbundledCliPath) && statSync(unbundledCliPath).mtimeMs > statSync(bundlePath).mtimeMs) {
    // tsc ran without the rest of the build: run what tsc wrote rather than an older bundle.
    process.stderr.write('gen-lab: dist/gen-lab.cjs is older than dist/generator; running the unbundled build (slower). Run `npm run build`.\n');
    const { main } = (await import(pathToFileURL(unbundledCliPath).href)) as { main: Main };
    main(argv, { codeCache: 'off' });
    return;
  }
  const bundle = loadBundle({ useCache: true });
  bundle.main(argv, bundle.startup);
}
