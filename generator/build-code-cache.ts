// Build step, after build-bundle: run the reference lab once through the bundle and save the bytecode
// V8 compiled on the way (dist/gen-lab.code-cache), which generator/launch.cts gives to later runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from './paths.js';
import type * as Launch from './launch.cjs';

const { loadBundle, saveCodeCache, codeCachePath } = createRequire(import.meta.url)('./launch.cjs') as typeof Launch;

const work = mkdtempSync(join(tmpdir(), 'gen-lab-code-cache-'));
const bundle = loadBundle({ useCache: false });
// main finishes asynchronously (the write is async); the cache is taken when the process ends.
process.on('exit', (code) => {
  rmSync(work, { recursive: true, force: true });
  if (code !== 0) return;
  const bytes = saveCodeCache(bundle);
  process.stdout.write(`build-code-cache: ${(bytes / 1024).toFixed(0)} KiB of bytecode saved in ${codeCachePath}\n`);
});
bundle.main([process.execPath, 'gen-lab', join(packageRoot, 'examples', 'practica6.json'), '-o', join(work, 'lab')]);
