import { codedErrorIn, messagesIn, refusesTheKey, serverRefusalIn } from './failure-cause';

describe('failure causes', () => {
  const refused = Object.assign(new Error('Invalid API key'), { data: { code: 'unauthorized', status: 401 } });

  it('reads a server refusal and tells a refused key from the server’s own trouble', () => {
    const refusal = serverRefusalIn(refused);
    expect(refusal).toEqual({ message: 'Invalid API key', data: { code: 'unauthorized', status: 401 } });
    expect(refusal && refusesTheKey(refusal)).toBe(true);
    expect(refusesTheKey({ message: 'hub away', data: { code: 'hub_unavailable', status: 503 } })).toBe(false);
    expect(serverRefusalIn(new Error('plain'))).toBeUndefined();
  });

  it('finds the coded error and every message however the client wrapped it', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const wrapped = Object.assign(new Error('websocket error'), { description: Object.assign(new Error('Unexpected server response: 403'), { cause: reset }) });
    expect(codedErrorIn(wrapped)).toEqual({ code: 'ECONNRESET', message: 'read ECONNRESET' });
    expect(messagesIn(wrapped)).toBe('websocket error: Unexpected server response: 403: read ECONNRESET');
  });

  it('stops at a cycle', () => {
    const looped: Error & { cause?: unknown } = new Error('loop');
    looped.cause = looped;
    expect(messagesIn(looped)).toBe('loop');
    expect(codedErrorIn(looped)).toBeUndefined();
  });
});
