import type { Queue } from 'bullmq';
import { JobName } from '../queues';
import { PeriodicWork, QueueProcessor } from './queue-processor';

class SweepingProcessor extends QueueProcessor {
  constructor(queue: Queue) {
    super('outbound', { queue });
  }
}

const EVERY = 2000;
const NOW = 1_800_000_000_000;
const sweep: PeriodicWork = { job: JobName.OutboundSweep, everyMs: EVERY, run: async () => undefined };

function queueWithScheduler(scheduler: Promise<{ next?: number } | undefined>) {
  const queue = {
    getJobScheduler: jest.fn(() => scheduler),
    upsertJobScheduler: jest.fn(async () => undefined),
  };
  return { queue, processor: new SweepingProcessor(queue as unknown as Queue) };
}

describe('QueueProcessor.checkSchedules', () => {
  it('leaves a schedule alone while its next tick is due within an interval', async () => {
    const { queue, processor } = queueWithScheduler(Promise.resolve({ next: NOW - EVERY + 1 }));
    await processor.checkSchedules(queue as unknown as Queue, [sweep], NOW);
    expect(queue.upsertJobScheduler).not.toHaveBeenCalled();
  });

  it('schedules again a tick overdue by a whole interval: a failover lost the chain of next ticks', async () => {
    const { queue, processor } = queueWithScheduler(Promise.resolve({ next: NOW - EVERY - 1 }));
    await processor.checkSchedules(queue as unknown as Queue, [sweep], NOW);
    expect(queue.upsertJobScheduler).toHaveBeenCalledWith(JobName.OutboundSweep, { every: EVERY }, expect.anything());
  });

  it('schedules again a schedule Redis no longer has at all', async () => {
    const { queue, processor } = queueWithScheduler(Promise.resolve(undefined));
    await processor.checkSchedules(queue as unknown as Queue, [sweep], NOW);
    expect(queue.upsertJobScheduler).toHaveBeenCalledTimes(1);
  });

  it('writes nothing while Redis does not answer', async () => {
    const { queue, processor } = queueWithScheduler(Promise.reject(new Error('CLUSTERDOWN')));
    await processor.checkSchedules(queue as unknown as Queue, [sweep], NOW);
    expect(queue.upsertJobScheduler).not.toHaveBeenCalled();
  });
});
