import { configDocsProblems } from '@thresh/testing';
import { hubConfigSchema } from './hub-config';

describe('the documented configuration of the hub', () => {
  it('lists every variable the hub reads in .env.example and the README, with the default the hub applies', () => {
    expect(configDocsProblems({ schema: hubConfigSchema, sections: ['hub', 'hub and midtier'] })).toEqual([]);
  });
});
