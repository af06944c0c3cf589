// Proves the depConstraints bite: each forbidden import below must be reported by lint, each allowed one must not.
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import type { BoundaryCheck } from './check';

type Probe = [what: string, file: string, module: string, name: string];

const forbidden: Probe[] = [
  ['the agent importing server code', 'apps/agent/src/lib/probe.ts', '@thresh/server-core', 'AppException'],
  ['the dashboard importing server code', 'apps/dashboard/src/app/probe.ts', '@thresh/server-nodes', 'NodesModule'],
  ['the protocol importing server code', 'libs/protocol/src/lib/probe.ts', '@thresh/server-core', 'loadConfig'],
  ['server core importing a domain', 'libs/server/core/src/lib/probe.ts', '@thresh/server-keys', 'KeysModule'],
  ['production server code importing test helpers', 'apps/hub/src/app/probe.ts', '@thresh/testing', 'createTestDatabase'],
  ['the launcher importing server code', 'apps/launcher/src/lib/probe.ts', '@thresh/server-auth', 'AuthModule'],
  ['the test helpers importing server code', 'libs/testing/src/lib/probe.ts', '@thresh/server-core', 'databaseOptions'],
];
const allowed: Probe[] = [
  ['a hub test importing test helpers', 'apps/hub/src/app/probe.int-spec.ts', '@thresh/testing', 'waitFor'],
  ['the test scripts importing server code', 'libs/testing/scripts/probe.ts', '@thresh/server-core', 'databaseOptions'],
];

export const moduleBoundaries: BoundaryCheck = {
  name: 'module boundaries (depConstraints in eslint.config.cjs)',
  async run() {
    // The rule reads Nx's cached project graph: make it current, or a fresh clone or a new project would look unknown.
    await createProjectGraphAsync();
    const eslint = new ESLint({ cwd: process.cwd() });
    const boundaryErrors = async ([, file, module, name]: Probe) => {
      const [result] = await eslint.lintText(`import { ${name} } from '${module}';\nexport const probe = ${name};\n`, { filePath: file });
      return result.messages.filter((message) => message.ruleId === '@nx/enforce-module-boundaries').length;
    };
    const results = [];
    for (const probe of forbidden) results.push({ ok: (await boundaryErrors(probe)) > 0, what: `lint rejects ${probe[0]}` });
    for (const probe of allowed) results.push({ ok: (await boundaryErrors(probe)) === 0, what: `lint allows ${probe[0]}` });
    return results;
  },
};
