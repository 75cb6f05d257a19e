#!/usr/bin/env node
// The gen-lab command. Everything is built by `npm run build` (which `npm ci` runs through the
// prepare script): dist/gen-lab.cjs, the whole command line in one file, and the code cache that
// dist/generator/launch.cjs starts it with. CommonJS (bin/package.json says so), so no ES-module
// loader runs before the bundle; the name stays gen-lab.js because npx caches bin links by name.
'use strict';
let launch;
try {
  ({ launch } = require('../dist/generator/launch.cjs'));
  require.resolve('../dist/gen-lab.cjs');
} catch {
  process.stderr.write('gen-lab: not built; run `npm run build` (or `npm ci`) in the gen-lab folder first\n');
  process.exit(70);
}
// gen-lab's own errors are handled inside; anything reaching here is a bug (70, not 1 or 2).
launch(process.argv).catch((e) => {
  process.stderr.write(`gen-lab: internal error: ${e && e.message ? e.message : e}\n  this is a bug in gen-lab, not in your spec; please report it with the spec\n`);
  process.exit(70);
});
