/** The browser test of report.html (`npm run test:browser`): headless Chromium from apt, run by
 * .ci/run after `npm test`. Kept out of `npm test` so that the main suite needs nothing beyond npm. */
const main = require('./jest.config');

module.exports = {
  ...main,
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120000,
};
