/** Jest runs the TypeScript sources through ts-jest in transpile-only mode
 * (tsconfig has isolatedModules); type errors are caught by `npm run typecheck`,
 * which `npm test` runs first, so the two together check everything once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['<rootDir>/test/setup/polyfills.ts'],
  testTimeout: 60000,
};
