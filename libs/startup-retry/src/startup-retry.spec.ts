import { isTransientDatabaseError, retryStartup } from './startup-retry';

const adminShutdown = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('retryStartup', () => {
  it('retries a start that met PostgreSQL restarting, until it succeeds', async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await retryStartup(
      async () => {
        calls++;
        if (calls < 3) throw adminShutdown();
        return 'started';
      },
      { maxMs: 60_000, delayMs: 1000, onRetry: (_e, attempt) => void retried.push(attempt), sleep: async () => undefined },
    );
    expect(result).toBe('started');
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('gives up once the time is spent, with the last error', async () => {
    let clock = 0;
    let calls = 0;
    await expect(
      retryStartup(
        async () => {
          calls++;
          throw adminShutdown();
        },
        { maxMs: 10_000, delayMs: 2000, onRetry: () => undefined, now: () => clock, sleep: async (ms) => void (clock += ms) },
      ),
    ).rejects.toMatchObject({ code: '57P01' });
    // Attempts at 0, 2, 4, 6, 8 and 10 s; one at 12 s would start after the bound.
    expect(calls).toBe(6);
  });

  it('does not retry an error that is not the database being away', async () => {
    let calls = 0;
    const bad = Object.assign(new Error('relation "calls" does not exist'), { code: '42P01' });
    await expect(
      retryStartup(
        async () => {
          calls++;
          throw bad;
        },
        { maxMs: 60_000, delayMs: 10, onRetry: () => undefined, sleep: async () => undefined },
      ),
    ).rejects.toBe(bad);
    expect(calls).toBe(1);
  });
});

describe('isTransientDatabaseError', () => {
  it('knows a restart by code, by message and through a cause', () => {
    expect(isTransientDatabaseError(adminShutdown())).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDatabaseError(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '57P03' }) }))).toBe(true);
    expect(isTransientDatabaseError(new Error('duplicate key value'))).toBe(false);
    expect(isTransientDatabaseError(undefined)).toBe(false);
  });
});
