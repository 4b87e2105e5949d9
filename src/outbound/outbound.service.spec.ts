import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { OutboundService } from './outbound.service';

describe('OutboundService.requeueStuck', () => {
  it('retries the failed job of a message still queued (failed for stalling), found in one lookup, and leaves other jobs as they are', async () => {
    const failedIds = new Set(['send-m1']);
    const lookups: string[][] = [];
    const pipeline = () => {
      const asked: string[] = [];
      return {
        zscore: (key: string, id: string) => {
          expect(key).toBe('vp:outbound:failed');
          asked.push(id);
        },
        exec: async () => {
          lookups.push(asked);
          return asked.map((id) => [null, failedIds.has(id) ? '1700000000000' : null]);
        },
      };
    };
    const retry = jest.fn(async () => undefined);
    const queue = {
      addBulk: jest.fn(async () => []),
      client: Promise.resolve({ pipeline }),
      keys: { failed: 'vp:outbound:failed' },
      getJob: jest.fn(async (id: string) => ({ id, retry })),
    };
    const dataSource = { query: jest.fn(async () => [{ id: 'm1' }, { id: 'm2' }, { id: 'm3' }]) };
    const service = new OutboundService(queue as unknown as Queue, dataSource as unknown as DataSource);

    expect(await service.requeueStuck(2000)).toBe(3);
    expect(queue.addBulk).toHaveBeenCalledWith([
      expect.objectContaining({ opts: expect.objectContaining({ jobId: 'send-m1' }) }),
      expect.objectContaining({ opts: expect.objectContaining({ jobId: 'send-m2' }) }),
      expect.objectContaining({ opts: expect.objectContaining({ jobId: 'send-m3' }) }),
    ]);
    expect(lookups).toEqual([['send-m1', 'send-m2', 'send-m3']]);
    expect(queue.getJob).toHaveBeenCalledTimes(1);
    expect(queue.getJob).toHaveBeenCalledWith('send-m1');
    expect(retry).toHaveBeenCalledWith('failed');
  });
});
