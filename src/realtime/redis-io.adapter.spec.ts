import { EngineTransport, Publisher, settleUnawaitedPublishes, writeFlushesTogether } from './redis-io.adapter';

function fakeTransport(name = 'websocket') {
  const log: string[] = [];
  const transport: EngineTransport = {
    name,
    send(packets: unknown[]) {
      for (const p of packets) log.push(`write ${String(p)}`);
    },
    socket: { _socket: { cork: () => (log.push('cork'), undefined), uncork: () => (log.push('uncork'), undefined) } },
  };
  return { transport, log };
}

describe('writeFlushesTogether', () => {
  it('corks the socket around a flush of several packets, so their frames leave in one write', () => {
    const { transport, log } = fakeTransport();
    writeFlushesTogether(transport);
    transport.send(['a', 'b', 'c']);
    expect(log).toEqual(['cork', 'write a', 'write b', 'write c', 'uncork']);
  });

  it('leaves a single packet alone', () => {
    const { transport, log } = fakeTransport();
    writeFlushesTogether(transport);
    transport.send(['a']);
    expect(log).toEqual(['write a']);
  });

  it('uncorks even when a write throws', () => {
    const { transport, log } = fakeTransport();
    transport.send = () => {
      throw new Error('closed');
    };
    writeFlushesTogether(transport);
    expect(() => transport.send(['a', 'b'])).toThrow('closed');
    expect(log).toEqual(['cork', 'uncork']);
  });

  it('does not touch other transports', () => {
    const { transport } = fakeTransport('polling');
    const send = transport.send;
    writeFlushesTogether(transport);
    expect(transport.send).toBe(send);
  });
});

describe('settleUnawaitedPublishes', () => {
  const closed = () => Promise.reject(new Error('Connection is closed.'));

  it('leaves no unhandled rejection behind a publish nobody awaits, and still rejects for whoever awaits it', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const client: Publisher = { publish: closed, spublish: closed };
      settleUnawaitedPublishes(client);
      void client.publish('requests', 'fetchSockets');
      void client.spublish!('requests', 'fetchSockets');
      await expect(client.publish('responses', 'sockets')).rejects.toThrow('Connection is closed.');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('passes the arguments and the result through', async () => {
    const calls: unknown[][] = [];
    const client: Publisher = { publish: (...args: unknown[]) => (calls.push(args), Promise.resolve(1)) };
    settleUnawaitedPublishes(client);
    await expect(client.publish('channel', 'message')).resolves.toBe(1);
    expect(calls).toEqual([['channel', 'message']]);
    expect(client.spublish).toBeUndefined();
  });
});
