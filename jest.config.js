/** Jest runs the TypeScript sources through ts-jest in transpile-only mode
 * (tsconfig has isolatedModules); type errors are caught by `npm run typecheck`,
 * which `npm test` runs first, so the two together check everything once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The browser test runs apart (jest.browser.config.js, `npm run test:browser`): it needs Chromium from apt;
  // so do the end-to-end suites, every `*.e2e.test.ts` (jest.e2e.config.js, `npm run test:e2e`): whole studies,
  // a minute or more each, which kept `npm test` over ten minutes on two cores. `.ci/run` runs all three.
  testPathIgnorePatterns: ['/node_modules/', '/test/browser/', '\\.e2e\\.test\\.ts$'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['<rootDir>/test/setup/polyfills.ts'],
  testTimeout: 60000,
};
