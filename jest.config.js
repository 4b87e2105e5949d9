/** Two projects: fast unit tests beside the code, and e2e tests against real PostgreSQL and Redis. */
/** Packages that ship ES modules only (a path under node_modules may be nested, e.g. a dependency's own copy). */
const ESM_ONLY = ['@scure/base', '@noble/hashes', 'openid-client', 'oauth4webapi', 'jose', 'content-disposition'];

const common = {
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // Dependencies published as ES modules only: Node (>= 20.19) requires them as they are, jest's own module
    // loader does not, so they are compiled to CommonJS for the tests (see README, "ES-module-only dependencies").
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
    ],
  },
  // Only the innermost node_modules of a path decides: `a/node_modules/@noble/hashes` is transformed too.
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)(?!.*/node_modules/)`],
  moduleNameMapper: { '^@lib/(.*)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      rootDir: __dirname,
      // console/src too: its pure parts (the message files) are checked like the service's.
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/console/src/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Real services: allow for a slow shared machine, but never hang for ever.
      setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
    },
  ],
};
