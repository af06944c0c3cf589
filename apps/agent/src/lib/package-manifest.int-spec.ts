import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const read = (path: string) => JSON.parse(readFileSync(join(__dirname, path), 'utf8'));

describe('the thresh package manifest', () => {
  it('pins each runtime dependency at the version the workspace builds and tests with', () => {
    const agent = read('../../package.json');
    const workspace = read('../../../../package.json');
    for (const [name, version] of Object.entries(agent.dependencies)) {
      expect({ name, version }).toEqual({ name, version: workspace.dependencies[name] });
    }
  });
});
