// Proves the depConstraints bite: each forbidden import below must be reported by lint.
import { ESLint } from 'eslint';

const forbidden = [
  ['the agent importing server code', 'apps/agent/src/lib/probe.ts', '@thresh/server-core', 'AppException'],
  ['the dashboard importing server code', 'apps/dashboard/src/app/probe.ts', '@thresh/server-nodes', 'NodesModule'],
  ['the protocol importing server code', 'libs/protocol/src/lib/probe.ts', '@thresh/server-core', 'loadConfig'],
  ['server core importing a domain', 'libs/server/core/src/lib/probe.ts', '@thresh/server-keys', 'KeysModule'],
  ['production server code importing test helpers', 'apps/hub/src/app/probe.ts', '@thresh/testing', 'createTestDatabase'],
  ['the launcher importing server code', 'apps/launcher/src/lib/probe.ts', '@thresh/server-auth', 'AuthModule'],
];
const allowed = [['a hub test importing test helpers', 'apps/hub/src/app/probe.int-spec.ts', '@thresh/testing', 'waitFor']];

const eslint = new ESLint({ cwd: process.cwd() });
const boundaryErrors = async (file, module, name) => {
  const [result] = await eslint.lintText(`import { ${name} } from '${module}';\nexport const probe = ${name};\n`, { filePath: file });
  return result.messages.filter((message) => message.ruleId === '@nx/enforce-module-boundaries');
};

let failures = 0;
for (const [what, file, module, name] of forbidden) {
  const ok = (await boundaryErrors(file, module, name)).length > 0;
  console.log(`${ok ? 'ok  ' : 'FAIL'} lint rejects ${what}`);
  if (!ok) failures++;
}
for (const [what, file, module, name] of allowed) {
  const errors = await boundaryErrors(file, module, name);
  console.log(`${errors.length === 0 ? 'ok  ' : 'FAIL'} lint allows ${what}`);
  if (errors.length) failures++;
}
process.exit(failures ? 1 : 0);
