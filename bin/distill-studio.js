#!/usr/bin/env node
// Entry point of the `distill-studio` command: runs the built trainer bundle.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'trainer', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(
    'distill-studio: the trainer is not built yet. Run `npm run build` in ' + path.dirname(__dirname) + '.\n',
  );
  process.exit(2);
}
require(bundle)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
