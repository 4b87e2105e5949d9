import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MetricsService } from './metrics.service';

// A full collection on demand, without starting Jest with --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function liveHeap(metrics: MetricsService): Promise<number | undefined> {
  return (await metrics.heapLive.get()).values[0]?.value;
}

/**
 * Observers are told after a collection, on a later turn, and in a busy test worker a collection V8 started by
 * itself may be reported late: after three of ours, each given time to be reported, the figure is of ours.
 */
async function liveAfterCollecting(metrics: MetricsService): Promise<number | undefined> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return liveHeap(metrics);
}

describe('MetricsService', () => {
  it('reports what the last full collection left alive, and stops watching once the module is destroyed', async () => {
    const metrics = new MetricsService();
    const first = await liveAfterCollecting(metrics);
    expect(first).toBeGreaterThan(1024 * 1024);
    expect(first).toBeLessThanOrEqual(process.memoryUsage().heapTotal);

    // What the process holds alive shows up in the next figure: this is how a leak is seen.
    const held = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `kept ${i}` }));
    const withHeld = await liveAfterCollecting(metrics);
    expect(withHeld! - first!).toBeGreaterThan(5 * 1024 * 1024);
    expect(held.length).toBe(200_000);

    metrics.onModuleDestroy();
    metrics.heapLive.set(1);
    expect(await liveAfterCollecting(metrics)).toBe(1);
  });
});
