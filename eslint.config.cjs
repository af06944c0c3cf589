const nx = require('@nx/eslint-plugin');

/** Who may import whom. A tag pair must pass both its scope and its type rule. */
const productionConstraints = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server'] },
  { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['scope:shared', 'scope:dashboard'] },
  { sourceTag: 'scope:agent', onlyDependOnLibsWithTags: ['scope:shared', 'scope:agent'] },
  { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'] },
  // The test runner and benchmarks drive server code and the test helpers; no rule lets anything import them.
  { sourceTag: 'scope:test-tooling', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server', 'scope:testing'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:core', 'type:contract'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:core', 'type:contract'] },
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core', 'type:contract'] },
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:contract'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:contract'] },
  { sourceTag: 'type:scripts', onlyDependOnLibsWithTags: ['type:domain', 'type:core', 'type:contract', 'type:testing'] },
];

/** Tests may also use the testing helpers; nothing else changes for them. */
const testConstraints = productionConstraints.map((constraint) =>
  constraint.sourceTag.startsWith('scope:') || constraint.sourceTag.startsWith('type:')
    ? { ...constraint, onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'scope:testing', 'type:testing'] }
    : constraint,
);

const boundaries = (depConstraints) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$', '^.*/webpack\\.server(\\.js)?$'],
      depConstraints,
    },
  ],
});

module.exports = [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/test-output', '**/.angular'] },
  { files: ['**/*.ts', '**/*.js', '**/*.cjs'], rules: boundaries(productionConstraints) },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/src/test/**/*.ts'],
    rules: boundaries(testConstraints),
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
