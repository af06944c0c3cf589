import { configDocsProblems } from '@thresh/testing';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { midtierConfigSchema } from './midtier-config';

describe('the documented configuration of the midtier', () => {
  it('lists every variable the midtier reads in .env.example and the README, with the default the midtier applies', () => {
    // The spool's default is under the home folder of whoever runs the midtier: the docs show it as ~.
    expect(midtierConfigSchema.shape.MIDTIER_SPOOL_DIR.parse(undefined)).toBe(join(homedir(), '.thresh-midtier', 'spool'));
    expect(
      configDocsProblems({ schema: midtierConfigSchema, sections: ['midtier', 'hub and midtier'], computedDefaults: { MIDTIER_SPOOL_DIR: '~/.thresh-midtier/spool' } }),
    ).toEqual([]);
  });
});
