import { parseClamdAddress } from './clamd-address';

describe('parseClamdAddress', () => {
  it('reads a TCP address with its port', () => {
    expect(parseClamdAddress('tcp://127.0.0.1:3310')).toEqual({ host: '127.0.0.1', port: 3310 });
    expect(parseClamdAddress('tcp://clamav.internal:3310/')).toEqual({ host: 'clamav.internal', port: 3310 });
    expect(parseClamdAddress('tcp://[::1]:3310')).toEqual({ host: '::1', port: 3310 });
  });

  it('reads a local socket as a path or a unix:// URL', () => {
    expect(parseClamdAddress('/run/clamav/clamd.ctl')).toEqual({ socket: '/run/clamav/clamd.ctl' });
    expect(parseClamdAddress('unix:///run/clamav/clamd.ctl')).toEqual({ socket: '/run/clamav/clamd.ctl' });
  });

  it('refuses what is neither', () => {
    for (const bad of [
      'tcp://127.0.0.1',
      'http://127.0.0.1:3310',
      'tcp://u:p@h:3310',
      'tcp://h:3310/x',
      'unix://relative',
      'clamd',
      'tcp://h:99999',
      '',
    ])
      expect(parseClamdAddress(bad)).toBeNull();
  });
});
