import type { DataSource } from 'typeorm';
import { CallProgressService } from './call-progress.service';

const step = (callSid: string, path: string[]) => ({ callSid, from: '+37120000001', to: '+37167000000', path });

describe('CallProgressService', () => {
  it('writes a step someone waits for at once, and those that come while it is written together as the next', async () => {
    const statements: string[][] = [];
    const query = jest.fn(async (_sql: string, params: unknown[]) => {
      statements.push(params[0] as string[]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return [];
    });
    const progress = new CallProgressService({ query } as unknown as DataSource);

    const first = progress.progress(step('CA1', ['language:lv']));
    await new Promise((resolve) => setImmediate(resolve));
    expect(statements).toEqual([['CA1']]);
    // Two calls end while the first write runs: each waits for its own path, and both go in one statement.
    progress.remember(step('CA2', ['language:lv', 'vid']));
    const secondEnd = progress.settled('CA2');
    progress.remember(step('CA3', ['language:ru']));
    const thirdEnd = progress.settled('CA3');
    await Promise.all([first, secondEnd, thirdEnd]);

    expect(statements).toEqual([['CA1'], ['CA2', 'CA3']]);
    await progress.beforeApplicationShutdown();
  });
});
