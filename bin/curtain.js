#!/usr/bin/env node
// The `curtain` command. The CLI is written in TypeScript and run through tsx,
// so a fresh clone needs no build step: `npm ci && npx curtain ...` works.
'use strict';
require('tsx/cjs/api').register();
require('../cli/main').main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
