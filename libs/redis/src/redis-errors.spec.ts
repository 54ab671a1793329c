import { DependencyUnavailableError } from '@app/common';
import { describe, expect, it } from 'vitest';
import { redisCall, withRedisBudget } from './redis-errors.js';

const never = () => new Promise<never>(() => undefined);
const unavailable = () => Promise.reject(new Error('Connection is closed.'));

describe('redisCall', () => {
  it('turns connection trouble into DependencyUnavailableError, and passes other errors through', async () => {
    await expect(redisCall(unavailable)).rejects.toBeInstanceOf(DependencyUnavailableError);
    const wrong = Object.assign(new Error('ERR wrong number of arguments'), { name: 'ReplyError' });
    await expect(redisCall(() => Promise.reject(wrong))).rejects.toBe(wrong);
  });

  it("gives up when the request's Redis budget is spent, however many calls it makes", async () => {
    const started = performance.now();
    const sent: string[] = [];
    const call = (name: string) =>
      redisCall(() => {
        sent.push(name);
        return never();
      });
    await withRedisBudget(60, async () => {
      await expect(call('work')).rejects.toBeInstanceOf(DependencyUnavailableError);
      // The clean-up after the failure is still sent, but not waited for.
      await expect(call('clean-up')).rejects.toBeInstanceOf(DependencyUnavailableError);
    });
    const elapsed = performance.now() - started;
    expect(sent).toEqual(['work', 'clean-up']);
    expect(elapsed).toBeGreaterThanOrEqual(55);
    expect(elapsed).toBeLessThan(1000);
  });

  it('answers within the budget as usual, and waits without limit outside one', async () => {
    await expect(withRedisBudget(1000, () => redisCall(() => Promise.resolve('PONG')))).resolves.toBe('PONG');
    const late = redisCall(() => new Promise((resolve) => setTimeout(() => resolve('late'), 80)));
    await expect(late).resolves.toBe('late');
  });
});

describe('withRedisBudget', () => {
  it('counts only the time spent waiting for Redis, not the time between calls', async () => {
    const quick = () => redisCall(() => new Promise((resolve) => setTimeout(() => resolve('ok'), 20)));
    await withRedisBudget(100, async () => {
      for (let i = 0; i < 3; i++) {
        await expect(quick()).resolves.toBe('ok');
        await new Promise((resolve) => setTimeout(resolve, 60)); // the database, say
      }
    });
  });
});
