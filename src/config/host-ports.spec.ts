import { parseHostPorts } from './host-ports';

describe('parseHostPorts', () => {
  it('reads names, IPv4 and bracketed IPv6 with their ports, ignoring spaces and empty entries', () => {
    expect(parseHostPorts(' sentinel-a:26379, 10.0.0.2:26380,[::1]:26381,')).toEqual([
      { host: 'sentinel-a', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
  });

  it.each(['', ',', 'sentinel-a', 'sentinel-a:', ':26379', 'a:0', 'a:65536', 'a:12x', '::1:26379', 'redis://a:26379', 'a b:1'])(
    'refuses %p',
    (value) => expect(parseHostPorts(value)).toBeNull(),
  );
});
