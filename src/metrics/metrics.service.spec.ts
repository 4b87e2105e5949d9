import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MetricsService } from './metrics.service';

// A full collection on demand, without starting Jest with --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function liveHeap(metrics: MetricsService): Promise<number | undefined> {
  return (await metrics.heapLive.get()).values[0]?.value;
}

describe('MetricsService', () => {
  it('reports what the last full collection left alive, and stops watching once the module is destroyed', async () => {
    const metrics = new MetricsService();
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 50)); // observers are told after the collection
    const first = await liveHeap(metrics);
    expect(first).toBeGreaterThan(1024 * 1024);
    expect(first).toBeLessThanOrEqual(process.memoryUsage().heapTotal);

    // What the process holds alive shows up in the next figure: this is how a leak is seen.
    const held = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `kept ${i}` }));
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const withHeld = await liveHeap(metrics);
    expect(withHeld! - first!).toBeGreaterThan(5 * 1024 * 1024);
    expect(held.length).toBe(200_000);

    metrics.onModuleDestroy();
    metrics.heapLive.set(1);
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await liveHeap(metrics)).toBe(1);
  });
});
