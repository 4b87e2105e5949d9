import { EngineTransport, writeFlushesTogether } from './redis-io.adapter';

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
