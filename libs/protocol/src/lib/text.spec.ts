import { printable, withoutControlCharacters } from './text';

describe('text from outside', () => {
  it('escapes controls for a log line and cuts it short', () => {
    expect(printable('web\n2024-01-01 forged line\u001b[31m')).toBe('web\\u000a2024-01-01 forged line\\u001b[31m');
    expect(printable('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  it('removes controls for a terminal, keeping the layout of a multi-line text', () => {
    expect(withoutControlCharacters('evil\u001b]0;title\u0007\u202ename')).toBe('evil]0;titlename');
    expect(withoutControlCharacters('line 1\n\tline 2\u001b[2J', { multiline: true })).toBe('line 1\n\tline 2[2J');
  });
});
