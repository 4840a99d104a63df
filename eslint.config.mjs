// Lint is where the architecture is enforced (DESIGN.md "Layout"):
//  - type:domain / type:contracts / type:kernel import no framework or infrastructure package;
//  - a bounded context (scope:<context>) reaches another only through its contracts.
// `npm test` runs this lint, so a violation fails the suite.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const pureLayerImports = ['canonicalize', 'uuid'];

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layers.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:kernel'], allowedExternalImports: pureLayerImports },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:kernel'], allowedExternalImports: pureLayerImports },
            { sourceTag: 'type:kernel', onlyDependOnLibsWithTags: ['type:kernel'], allowedExternalImports: pureLayerImports },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:kernel', 'type:infra', 'type:contracts'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:kernel', 'type:infra', 'type:testing', 'type:contracts'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:kernel', 'type:infra', 'type:testing'] },
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:kernel', 'type:infra', 'type:testing', 'type:contracts'] },
            // Bounded contexts: own scope, shared libraries, and anybody's contracts — nothing else.
            { sourceTag: 'scope:identity', onlyDependOnLibsWithTags: ['scope:identity', 'scope:shared', 'type:contracts'] },
            { sourceTag: 'scope:scheduling', onlyDependOnLibsWithTags: ['scope:scheduling', 'scope:shared', 'type:contracts'] },
            { sourceTag: 'scope:records', onlyDependOnLibsWithTags: ['scope:records', 'scope:shared', 'type:contracts'] },
            { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:shared', 'type:contracts'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared', 'type:contracts'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
];
