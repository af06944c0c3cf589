import { trustProxySchema } from './tls';

describe('trustProxySchema', () => {
  it('takes true, a hop count, or addresses', () => {
    expect(['true', '2', 'loopback, 10.0.0.0/8', undefined].map((value) => trustProxySchema.parse(value))).toEqual([true, 2, 'loopback, 10.0.0.0/8', undefined]);
  });
});
