#!/usr/bin/env node
// `npm run cdktf -- synth|deploy|destroy ...`: the cdktf CLI with HashiCorp's checkpoint
// service (telemetry and version check) off. cdktf-cli reads CHECKPOINT_DISABLE from its own
// environment when it starts, so neither cdktf.json nor the app (a child of the CLI) can set
// it; without it, every synth tries to reach checkpoint-api.hashicorp.com.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const cli = path.join(path.dirname(require.resolve('cdktf-cli/package.json')), 'bundle', 'bin', 'cdktf');
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CHECKPOINT_DISABLE: '1' },
});
process.exitCode = result.status ?? 1;
