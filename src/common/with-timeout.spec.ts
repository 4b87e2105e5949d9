import { TimeoutError, withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('gives the result of work that settles in time, and its error', async () => {
    await expect(withTimeout(Promise.resolve(42), 50)).resolves.toBe(42);
    await expect(withTimeout(Promise.reject(new Error('refused')), 50)).rejects.toThrow('refused');
  });

  it('rejects with a TimeoutError naming what did not answer, and leaves no timer behind', async () => {
    jest.useFakeTimers();
    try {
      const pending = withTimeout(new Promise<never>(() => undefined), 2000, 'Redis');
      jest.advanceTimersByTime(2000);
      await expect(pending).rejects.toEqual(new TimeoutError('Redis', 2000));
      await expect(pending).rejects.toThrow('no answer from Redis in 2000 ms');
      await withTimeout(Promise.resolve(1), 2000);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
