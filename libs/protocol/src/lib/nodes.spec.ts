import { nextFreeNodeName } from './nodes';

describe('node names', () => {
  it('gives a taken name the next free suffix, within 64 characters', () => {
    expect(nextFreeNodeName('web', new Set())).toBe('web');
    expect(nextFreeNodeName('web', new Set(['web', 'web-2', 'web-4']))).toBe('web-3');
    const long = 'n'.repeat(64);
    expect(nextFreeNodeName(long, new Set([long]))).toBe(`${'n'.repeat(62)}-2`);
  });
});
