/** Jest runs the TypeScript sources through ts-jest in transpile-only mode
 * (tsconfig has isolatedModules); type errors are caught by `npm run typecheck`,
 * which `npm test` runs first, so the two together check everything once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The browser test runs apart (jest.browser.config.js, `npm run test:browser`): it needs Chromium from apt.
  testPathIgnorePatterns: ['/node_modules/', '/test/browser/'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['<rootDir>/test/setup/polyfills.ts'],
  testTimeout: 60000,
};
