#!/usr/bin/env node
// The gen-lab command. Everything is built by `npm run build` (which `npm ci` runs through the
// prepare script): dist/gen-lab.cjs, the whole command line in one file, and the code cache that
// dist/generator/launch.cjs starts it with.
'use strict';
let launch;
try {
  ({ launch } = require('../dist/generator/launch.cjs'));
  require.resolve('../dist/gen-lab.cjs');
} catch {
  process.stderr.write('gen-lab: not built; run `npm run build` (or `npm ci`) in the gen-lab folder first\n');
  process.exit(70);
}
launch(process.argv);
