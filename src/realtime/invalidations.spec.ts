import { InstanceCache, Invalidations } from './invalidations';

type Listener = { drop(keys: string[]): void; dropAll(): void };

/** The bus as the cache sees it: whether it is subscribed, and the listener it registered. */
function fakeBus() {
  const bus = {
    live: true,
    listener: null as Listener | null,
    listen: (_topic: string, l: Listener) => (bus.listener = l),
    // As a PING on the subscriber's connection: answered after whatever Redis had sent before it.
    caughtUp: () => new Promise<boolean>((resolve) => setImmediate(() => resolve(bus.live))),
  };
  return bus;
}

describe('InstanceCache', () => {
  const make = (bus: ReturnType<typeof fakeBus>, maxEntries = 10) =>
    new InstanceCache<{ agent: string; n: number } | null>(bus as unknown as Invalidations, 'session', {
      ttlMs: 60_000,
      maxEntries,
      alsoDropWhen: (v, key) => v?.agent === key,
    });

  it('answers from memory until the key or its agent is published', async () => {
    const bus = fakeBus();
    const cache = make(bus);
    let n = 0;
    const load = (agent: string) => async () => ({ agent, n: ++n });
    expect(await cache.get('s1', load('a'))).toEqual({ agent: 'a', n: 1 });
    expect(await cache.get('s1', load('a'))).toEqual({ agent: 'a', n: 1 });
    await cache.get('s2', load('a'));
    await cache.get('s3', load('b'));
    bus.listener!.drop(['s1']);
    expect((await cache.get('s1', load('a')))?.n).toBe(4);
    bus.listener!.drop(['a']);
    expect(cache.size).toBe(1); // only b's session is left
  });

  it('does not trust or fill the cache while the subscription is down', async () => {
    const bus = fakeBus();
    const cache = make(bus);
    let n = 0;
    await cache.get('s1', async () => ({ agent: 'a', n: ++n }));
    bus.live = false;
    expect((await cache.get('s1', async () => ({ agent: 'a', n: ++n })))!.n).toBe(2);
    expect((await cache.get('s9', async () => ({ agent: 'a', n: ++n })))!.n).toBe(3);
    bus.live = true;
    expect(cache.size).toBe(1);
  });

  it('does not store a load that an invalidation overtook', async () => {
    const bus = fakeBus();
    const cache = make(bus);
    let release!: () => void;
    const slow = cache.get('s1', () => new Promise((resolve) => (release = () => resolve({ agent: 'a', n: 1 }))));
    bus.listener!.drop(['s1']); // a logout committed while the read was in flight
    release();
    await slow;
    expect(cache.size).toBe(0);
    expect(await cache.get('s1', async () => null)).toBeNull();
  });

  it('reads every drop Redis sent before the request was made before answering from memory', async () => {
    const bus = fakeBus();
    const cache = make(bus);
    await cache.get('s1', async () => ({ agent: 'a', n: 1 }));
    // A drop read after the request began (the subscriber's socket behind the request's) but before the PING's answer.
    setImmediate(() => bus.listener!.drop(['s1']));
    expect(await cache.get('s1', async () => null)).toBeNull();
    expect(await cache.get('s1', async () => ({ agent: 'a', n: 3 }))).toBeNull();
  });

  it('keeps at most maxEntries, the oldest going first', async () => {
    const bus = fakeBus();
    const cache = make(bus, 2);
    for (const k of ['s1', 's2', 's3']) await cache.get(k, async () => ({ agent: k, n: 0 }));
    expect(cache.size).toBe(2);
    let loaded = false;
    await cache.get('s1', async () => ((loaded = true), null));
    expect(loaded).toBe(true);
  });
});
