import { formatAgo, formatDuration, labelled } from './format';

describe('format', () => {
  it('keeps the two largest units of a duration', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59.9)).toBe('59s');
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 5)).toBe('3d 4h');
    expect(formatDuration(302)).toBe('5m 2s');
  });

  it('says how long ago, or never', () => {
    expect(formatAgo(null)).toBe('never');
    expect(formatAgo('2026-01-01T00:00:00.000Z', Date.parse('2026-01-01T00:01:05.000Z'))).toBe(
      '1m 5s ago (2026-01-01T00:00:00.000Z)',
    );
  });

  it('aligns labelled lines', () => {
    expect(labelled([['Agent ID', 'x'], ['Status', 'y']])).toBe('Agent ID: x\nStatus:   y');
  });
});
