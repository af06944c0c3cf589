import { findNulCharacter } from './zod-validation.pipe';

describe('findNulCharacter', () => {
  it('names the path of the first string holding a NUL character', () => {
    expect(findNulCharacter({ samples: [{ environments: [{ name: 'web' }] }, { environments: [{ name: 'a\u0000b' }] }] })).toBe(
      'samples.1.environments.0.name',
    );
    expect(findNulCharacter('a\u0000')).toBe('(root)');
  });

  it('names a key holding one', () => {
    expect(findNulCharacter({ labels: { ['bad\u0000key']: 'x' } })).toBe('labels.bad\u0000key');
  });

  it('finds none in clean input, numbers, nulls or past the nesting limit', () => {
    expect(findNulCharacter({ a: [1, null, true, { b: 'text' }], c: undefined })).toBeUndefined();
    let deep: unknown = 'x\u0000';
    for (let level = 0; level < 40; level++) deep = { deep };
    expect(findNulCharacter(deep)).toBeUndefined();
  });
});
