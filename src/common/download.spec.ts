import { DownloadFailure, isPermanentStatus, readCapped, transportFailure } from './download';

describe('readCapped', () => {
  it('reads a body within the cap', async () => {
    expect(await readCapped(new Response(Buffer.from('abcdef')), 6)).toEqual(Buffer.from('abcdef'));
  });

  it('refuses a body over the cap, declared or counted while reading', async () => {
    const declared = new Response('x'.repeat(10), { headers: { 'content-length': '10' } });
    await expect(readCapped(declared, 5)).rejects.toMatchObject({ reason: 'too_large', permanent: true });
    const streamed = new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(4)) }));
    await expect(readCapped(streamed, 10)).rejects.toMatchObject({ reason: 'too_large', permanent: true });
  });
});

describe('failures', () => {
  it('retries a timeout, a dropped connection, 408, 429 and 5xx, and nothing else', () => {
    expect(transportFailure(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toMatchObject({
      reason: 'timeout',
      permanent: false,
    });
    expect(transportFailure(new Error('socket hang up'))).toMatchObject({ reason: 'unreachable', permanent: false });
    const own = new DownloadFailure('too_large', true);
    expect(transportFailure(own)).toBe(own);
    expect([404, 403, 408, 429, 500, 503].map(isPermanentStatus)).toEqual([true, true, false, false, false, false]);
  });
});
