// Lint is where the architecture is enforced (DESIGN.md "Layout"):
//  - type:domain / type:contracts / type:kernel import no framework or infrastructure package;
//  - a bounded context (scope:<context>) reaches another only through its contracts.
// `npm test` runs this lint, so a violation fails the suite.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const pureLayerImports = ['canonicalize', 'uuid', 'luxon'];
/** Test-only packages the pure layers' spec files may use as well (property tests). */
const pureLayerTestImports = ['fast-check'];

/**
 * Layer and context constraints. Test files (and only they) may also use the type:testing
 * libraries (test database harness, adapter contract suites).
 */
function boundaries(forTests) {
  const testing = forTests ? ['type:testing'] : [];
  const pure = forTests ? [...pureLayerImports, ...pureLayerTestImports] : pureLayerImports;
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      // Layers.
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:kernel', ...testing], allowedExternalImports: pure },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:kernel', ...testing], allowedExternalImports: pure },
      { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: ['type:kernel', ...testing], allowedExternalImports: pure },
      { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:kernel', 'type:infra', 'type:contracts', ...testing] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:kernel', 'type:infra', 'type:testing', 'type:contracts'] },
      { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:kernel', 'type:infra', ...testing] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:service', 'type:domain', 'type:contracts', 'type:kernel', 'type:infra', ...testing] },
      // End-to-end suites start whole services in-process; nothing depends on them.
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:service', 'type:domain', 'type:contracts', 'type:kernel', 'type:infra', 'type:testing'] },
      // Benchmarks may measure domain code (the ledger's Merkle tree) and a service's parts in
      // process (the ledger sequencing from PostgreSQL), besides infrastructure.
      // The example integrator shows what an outsider builds on: public contracts (and kafkajs) only;
      // its tests may publish through the platform's bus and use the test harness.
      { sourceTag: 'type:example', onlyDependOnLibsWithTags: ['type:contracts', ...(forTests ? ['type:testing', 'type:infra', 'type:kernel'] : [])] },
      { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:kernel', 'type:infra', 'type:testing', 'type:contracts', 'type:domain', 'type:service'] },
      // Bounded contexts: own scope, shared libraries, and anybody's contracts — nothing else.
      { sourceTag: 'scope:identity', onlyDependOnLibsWithTags: ['scope:identity', 'scope:shared', 'type:contracts'] },
      { sourceTag: 'scope:scheduling', onlyDependOnLibsWithTags: ['scope:scheduling', 'scope:shared', 'type:contracts'] },
      { sourceTag: 'scope:records', onlyDependOnLibsWithTags: ['scope:records', 'scope:shared', 'type:contracts'] },
      { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:shared', 'type:contracts'] },
      { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared', 'type:contracts'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      // The operator CLI (custodian start/verify) and the benchmarks: shared libraries, plus the
      // audit context's pure ledger code (offline verification needs nothing else).
      { sourceTag: 'scope:operator', onlyDependOnLibsWithTags: ['scope:shared', 'scope:audit'] },
      { sourceTag: 'scope:example', onlyDependOnLibsWithTags: ['type:contracts', 'scope:shared'] },
      { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared', 'scope:identity', 'scope:gateway', 'scope:scheduling', 'scope:records', 'scope:audit'] },
    ],
  };
}

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '.custodian/**', '.nx/**', 'bench/results/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    files: ['**/*.spec.ts', '**/testing/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
];
