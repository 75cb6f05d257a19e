// Starts the bundled command line (dist/gen-lab.cjs) through V8's code cache. A gen-lab run is short
// and most of its time went to compiling code, not running it: the bundle's source, then each
// function on its first call. The build (generator/build-code-cache.ts) runs the reference lab once
// and saves the bytecode V8 made; later runs start from it (reference lab ~150 -> ~115 ms).
// Node 22 has this built in (module.enableCompileCache); gen-lab supports Node 20.
// When V8 refuses the cache (another Node version, other V8 flags) it compiles as usual.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

export const bundlePath = join(__dirname, '..', 'gen-lab.cjs');
export const codeCachePath = join(__dirname, '..', 'gen-lab.code-cache');

export type CodeCacheState = 'used' | 'rejected' | 'absent' | 'off';

export interface Startup {
  codeCache: CodeCacheState;
}

export interface LoadedBundle {
  main(argv: string[], startup?: Startup): void;
  startup: Startup;
  /** The bytecode of everything compiled so far, for the build step to save. */
  createCodeCache(): Buffer;
}

type BundleExports = { main(argv: string[], startup?: Startup): void };

export function loadBundle(options: { useCache: boolean }): LoadedBundle {
  const source = readFileSync(bundlePath, 'utf8');
  const cachedData = options.useCache && existsSync(codeCachePath) ? readFileSync(codeCachePath) : undefined;
  // The same wrapper Node puts around a CommonJS module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundlePath, cachedData });
  const codeCache: CodeCacheState = !options.useCache ? 'off' : !cachedData ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  const loaded = { exports: {} as BundleExports };
  (script.runInThisContext() as (...args: unknown[]) => void).call(loaded.exports, loaded.exports, createRequire(bundlePath), loaded, bundlePath, dirname(bundlePath));
  return { main: loaded.exports.main, startup: { codeCache }, createCodeCache: () => script.createCachedData() };
}

export function saveCodeCache(bundle: LoadedBundle): number {
  const data = bundle.createCodeCache();
  writeFileSync(codeCachePath, data);
  return data.length;
}

/** What bin/gen-lab.cjs runs. */
export function launch(argv: string[]): void {
  const bundle = loadBundle({ useCache: true });
  bundle.main(argv, bundle.startup);
}
