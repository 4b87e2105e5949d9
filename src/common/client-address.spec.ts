import type { IncomingMessage } from 'node:http';
import { clientAddress, compileTrustProxy, sourceKey } from './client-address';

const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(clientAddress(request('198.51.100.7', '203.0.113.9'), compileTrustProxy(false))).toBe('198.51.100.7');
  });

  it('takes the forwarded client behind a trusted proxy address or subnet', () => {
    const trust = compileTrustProxy(['10.0.0.0/8']);
    expect(clientAddress(request('10.1.2.3', '203.0.113.9'), trust)).toBe('203.0.113.9');
    // A client's own forged entry sits left of the real one and is never reached.
    expect(clientAddress(request('10.1.2.3', '1.1.1.1, 203.0.113.9'), trust)).toBe('203.0.113.9');
    // A peer outside the trusted list is the client, whatever it forwards.
    expect(clientAddress(request('198.51.100.7', '203.0.113.9'), trust)).toBe('198.51.100.7');
  });

  it('counts hops when given a number', () => {
    expect(clientAddress(request('10.0.0.2', '203.0.113.9, 10.0.0.1'), compileTrustProxy(1))).toBe('10.0.0.1');
    expect(clientAddress(request('10.0.0.2', '203.0.113.9, 10.0.0.1'), compileTrustProxy(2))).toBe('203.0.113.9');
  });
});

describe('sourceKey', () => {
  it('keeps IPv4 addresses (also IPv4-mapped ones) as they are', () => {
    expect(sourceKey('203.0.113.9')).toBe('203.0.113.9');
    expect(sourceKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('groups IPv6 addresses by /64', () => {
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
