import { AddressPolicy, parseNetwork } from './address-policy';
import { guardedLookup, TargetRefused, targetProblem } from './guarded-lookup';

describe('AddressPolicy', () => {
  const closed = new AddressPolicy();

  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd00::1',
    'fc00::abcd',
    'ff02::1',
    '::ffff:127.0.0.1', // IPv4-mapped, dotted
    '::ffff:7f00:1', // the same, as the URL parser writes it
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1', // IPv4-compatible
    '64:ff9b::a9fe:a9fe', // NAT64 to the metadata address
  ])('refuses %s', (address) => {
    expect(closed.permits(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('permits the public %s', (address) => {
    expect(closed.permits(address)).toBe(true);
  });

  it('refuses what is not an address at all', () => {
    expect(closed.permits('localhost')).toBe(false);
    expect(closed.permits('')).toBe(false);
  });

  it('lets through exactly the allowed networks', () => {
    const policy = new AddressPolicy(['127.0.0.1', '10.20.0.0/16', 'fd12::/16']);
    expect([policy.permits('127.0.0.1'), policy.permits('::ffff:127.0.0.1'), policy.permits('127.0.0.2')]).toEqual([true, true, false]);
    expect([policy.permits('10.20.5.5'), policy.permits('10.21.0.1'), policy.permits('169.254.169.254')]).toEqual([true, false, false]);
    expect([policy.permits('fd12::1'), policy.permits('fd13::1')]).toEqual([true, false]);
  });

  it('parses networks and refuses what is not one', () => {
    expect(parseNetwork(' 10.0.0.0/8 ')).toEqual(['10.0.0.0', 8, 'ipv4']);
    expect(parseNetwork('::1')).toEqual(['::1', 128, 'ipv6']);
    for (const bad of ['10.0.0.0/33', 'example.lv', '10.0.0.0/8/1', '10.0.0.0/x', '', '::1/129']) expect(parseNetwork(bad)).toBeNull();
    expect(() => new AddressPolicy(['nonsense'])).toThrow('not a network');
  });
});

describe('guardedLookup and targetProblem', () => {
  const policy = new AddressPolicy();
  /** A resolver whose answers change between calls, as a rebinding attacker's DNS server does. */
  const resolver = (...answers: string[][]) => {
    let call = 0;
    return (
      _host: string,
      _options: unknown,
      callback: (error: NodeJS.ErrnoException | null, addresses: Array<{ address: string; family: number }>) => void,
    ) => {
      const list = answers[Math.min(call++, answers.length - 1)];
      setImmediate(() =>
        callback(
          null,
          list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        ),
      );
    };
  };
  const lookup = (fn: ReturnType<typeof guardedLookup>, all = false) =>
    new Promise<{ error: Error | null; address: unknown }>((done) =>
      fn('hooks.example.lv', { all }, (error, address) => done({ error, address })),
    );

  it('refuses a name when any of its addresses is internal, and answers in the form asked for otherwise', async () => {
    expect((await lookup(guardedLookup(policy, resolver(['93.184.216.34', '127.0.0.1'])))).error).toBeInstanceOf(TargetRefused);
    expect(await lookup(guardedLookup(policy, resolver(['93.184.216.34'])))).toEqual({ error: null, address: '93.184.216.34' });
    expect(await lookup(guardedLookup(policy, resolver(['93.184.216.34'])), true)).toEqual({
      error: null,
      address: [{ address: '93.184.216.34', family: 4 }],
    });
  });

  it('checks again at every connection, so a name rebound to an internal address is refused later', async () => {
    const rebinding = resolver(['93.184.216.34'], ['169.254.169.254']);
    expect(await targetProblem(new URL('https://hooks.example.lv/x'), policy, rebinding)).toBeNull();
    const second = await lookup(guardedLookup(policy, rebinding));
    expect(second.error?.message).toBe('hooks.example.lv resolves to 169.254.169.254, internal and not allowed');
  });

  it('judges literal addresses in URLs without resolving, in every spelling the URL parser accepts', async () => {
    const never = () => {
      throw new Error('a literal is not resolved');
    };
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data',
    ]) {
      expect([url, (await targetProblem(new URL(url), policy, never))?.code]).toEqual([url, 'internal']);
    }
    expect(await targetProblem(new URL('https://93.184.216.34/'), policy, never)).toBeNull();
  });

  it('calls a name that does not resolve unresolvable', async () => {
    const failing = (_h: string, _o: unknown, callback: (error: NodeJS.ErrnoException | null, addresses: never[]) => void) =>
      setImmediate(() => callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), []));
    expect((await targetProblem(new URL('https://nowhere.invalid/'), policy, failing))?.code).toBe('unresolvable');
  });
});
