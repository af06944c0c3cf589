import { COMMAND_KINDS } from '@thresh/protocol';
import { COMMAND_HANDLERS } from './command-handlers';

describe('COMMAND_HANDLERS', () => {
  it('has a handler for every command kind of the wire protocol, and none beyond', () => {
    expect(Object.keys(COMMAND_HANDLERS).sort()).toEqual([...COMMAND_KINDS].sort());
  });
});
