/** The end-to-end suites (`npm run test:e2e`, run by .ci/run after `npm test`): every `*.e2e.test.ts`, whole
 * studies on the local platform and through the offline twins, a minute or more each, so they stay out of the
 * fast suite. */
const main = require('./jest.config');

module.exports = {
  ...main,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.e2e.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/browser/'],
  testTimeout: 600000,
};
