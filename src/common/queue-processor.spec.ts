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

describe('QueueProcessor.beforeApplicationShutdown', () => {
  class StoppingProcessor extends QueueProcessor {
    constructor() {
      super('outbound', { shutdownGraceMs: 50 });
    }
  }

  /** A BullMQ worker as far as shutdown sees it; `closes` says whether its close ever settles. */
  function withWorker(closes: boolean, connection: object = {}) {
    const processor = new StoppingProcessor();
    const worker = {
      opts: { connection },
      closing: undefined as Promise<void> | undefined,
      close: jest.fn(function (this: { closing?: Promise<void> }) {
        // As BullMQ does: one close under way, handed to every later caller.
        this.closing ??= closes ? Promise.resolve() : new Promise<void>(() => undefined);
        return this.closing;
      }),
      disconnect: jest.fn(async () => undefined),
      blockingConnection: { close: jest.fn(async () => undefined) },
    };
    (processor as unknown as { _worker: typeof worker })._worker = worker;
    return { processor, worker };
  }

  it('closes the worker, its blocking connection at once, and cuts nothing when the jobs in hand finish', async () => {
    const { processor, worker } = withWorker(true);
    await processor.beforeApplicationShutdown();
    expect(worker.blockingConnection.close).toHaveBeenCalledWith(true);
    expect(worker.close).toHaveBeenCalledTimes(1);
    expect(worker.disconnect).not.toHaveBeenCalled();
  });

  it('returns after the grace period from a close that never settles, and a later close() returns too', async () => {
    const { processor, worker } = withWorker(false);
    await processor.beforeApplicationShutdown();
    expect(worker.disconnect).toHaveBeenCalledTimes(1);
    // The Nest BullMQ module closes every worker once more after this hook: it must not wait for ever either.
    await expect(worker.close()).resolves.toBeUndefined();
  });

  it('leaves the shared Cluster client to the connection closer', async () => {
    const { processor, worker } = withWorker(false, { isCluster: true });
    await processor.beforeApplicationShutdown();
    expect(worker.disconnect).not.toHaveBeenCalled();
    await expect(worker.close()).resolves.toBeUndefined();
  });
});
