#!/usr/bin/env node
// dist/gen-lab.mjs is the whole command line in one module (generator/build-bundle.ts), made by
// `npm run build`, which `npm ci` runs through the prepare script.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/gen-lab.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('gen-lab: dist/gen-lab.mjs is missing; run `npm run build` (or `npm ci`) in the gen-lab folder first\n');
  process.exit(70);
}
const { main } = await import(bundle.href);
main(process.argv);
