import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { OutboundService } from './outbound.service';

describe('OutboundService.requeueStuck', () => {
  it('retries the failed job of a message still queued (failed for stalling), and leaves other jobs as they are', async () => {
    const stalledOut = { isFailed: jest.fn(async () => true), retry: jest.fn(async () => undefined) };
    const waiting = { isFailed: jest.fn(async () => false), retry: jest.fn(async () => undefined) };
    const jobs: Record<string, unknown> = { 'send-m1': stalledOut, 'send-m2': waiting };
    const queue = { addBulk: jest.fn(async () => []), getJob: jest.fn(async (id: string) => jobs[id]) };
    const dataSource = { query: jest.fn(async () => [{ id: 'm1' }, { id: 'm2' }, { id: 'm3' }]) };
    const service = new OutboundService(queue as unknown as Queue, dataSource as unknown as DataSource);

    expect(await service.requeueStuck(2000)).toBe(3);
    expect(queue.addBulk).toHaveBeenCalledWith([
      expect.objectContaining({ opts: expect.objectContaining({ jobId: 'send-m1' }) }),
      expect.objectContaining({ opts: expect.objectContaining({ jobId: 'send-m2' }) }),
      expect.objectContaining({ opts: expect.objectContaining({ jobId: 'send-m3' }) }),
    ]);
    expect(stalledOut.retry).toHaveBeenCalledWith('failed');
    expect(waiting.retry).not.toHaveBeenCalled();
  });
});
