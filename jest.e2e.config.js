/** The end-to-end suites (`npm run test:e2e`, run by .ci/run after `npm test`): whole studies through the
 * offline twins, minutes each, so they stay out of the fast suite. */
const main = require('./jest.config');

module.exports = {
  ...main,
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 600000,
};
