import { jsonDepth, MAX_JSON_DEPTH } from './json-body';

describe('jsonDepth', () => {
  it('counts nesting outside strings only', () => {
    expect(jsonDepth(Buffer.from('{"a":[1,{"b":2}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('{"a":"[[[[{{{{\\\\\\"]]"}'))).toBe(1);
    expect(jsonDepth(Buffer.from('"plain"'))).toBe(0);
  });

  it('sees a body nested past the limit', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect(jsonDepth(Buffer.from(deep))).toBeGreaterThan(MAX_JSON_DEPTH);
  });
});
