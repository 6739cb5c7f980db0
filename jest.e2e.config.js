/**
 * `npm run test:e2e`: the heavy end-to-end suites (the files test/.../*.kill.ts: hard kills of real runs at
 * every phase, an OOM kill through a memory cgroup). They start real processes and take minutes,
 * so they are not part of `npm test`; `.ci/run` runs them after it. One worker: each test kills
 * and counts processes of its own run, and a loaded machine only makes their timing worse.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['**/*.kill.ts'],
  testTimeout: 240000,
  maxWorkers: 1,
};
