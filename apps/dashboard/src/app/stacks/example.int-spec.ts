import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_STACK } from './example';

describe("the dashboard's example stack", () => {
  it('is the README’s hello-stack', () => {
    const file: unknown = JSON.parse(readFileSync(join(__dirname, '../../../../../examples/stacks/hello-stack.json'), 'utf8'));
    expect(EXAMPLE_STACK).toEqual(file);
  });
});
