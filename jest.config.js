/** Jest in ESM mode with ts-jest (see DESIGN.md section 4 for why each line is here). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test', '<rootDir>/dialogs', '<rootDir>/adapters', '<rootDir>/examples'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/(?!.*\\.json\\.js$).*)\\.js$': '$1',
    // The examples import the package by name, as a shop's own repository would.
    '^meridian-bot$': '<rootDir>/src/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.cjs'],
  testTimeout: 20000,
  maxWorkers: 2,
};
