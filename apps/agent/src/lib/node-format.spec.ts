import { bar, formatBytes, usage } from './node-format';

describe('node formatting', () => {
  it('prints sizes the way people read them', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(512 * 1024 ** 3)).toBe('512 GiB');
    expect(formatBytes(null)).toBe('-');
    expect(usage(4 * 1024 ** 3, 16 * 1024 ** 3)).toBe('4.0 GiB / 16.0 GiB');
  });

  it('draws bars clamped to 0-100%', () => {
    expect(bar(0.35, 10)).toBe('[####......]  35%');
    expect(bar(1.7, 4)).toBe('[####] 100%');
    expect(bar(null, 4)).toBe('[....]    -');
  });
});
