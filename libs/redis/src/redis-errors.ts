import { DependencyUnavailableError } from '@app/common';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Server replies that mean "not now" rather than "your command is wrong": the node is loading its
 * AOF, is a replica after a failover, or has lost its master.
 */
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)/;

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return TRANSIENT_REPLY.test(error.message);
  // Connection closed, command timed out, offline queue disabled, retries exhausted.
  return true;
}

/** How long the current request may still wait for Redis (ms), shared by all its calls. */
const budget = new AsyncLocalStorage<{ msLeft: number }>();

/**
 * Runs `work` with at most `ms` of waiting for Redis in all, however many calls it makes: each
 * call may use up to its own timeout and retry budget, so a request that meets a failing Redis in
 * several calls in a row (its work, then the clean-up after the failure) would otherwise add them
 * up. Time spent elsewhere (the database) does not count. Once the budget is spent a call still
 * goes out (a clean-up may yet succeed) but is not waited for.
 */
export function withRedisBudget<T>(ms: number, work: () => T): T {
  return budget.run({ msLeft: ms }, work);
}

class RedisBudgetSpent extends Error {
  constructor() {
    super("The request's time for Redis ran out");
  }
}

/** Runs a Redis operation, turning connection trouble into `DependencyUnavailableError`. */
export async function redisCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    const scope = budget.getStore();
    return await (scope === undefined ? operation() : withinBudget(operation(), scope));
  } catch (error) {
    if (isRedisUnavailable(error)) throw new DependencyUnavailableError('redis', { cause: error });
    throw error;
  }
}

function withinBudget<T>(pending: Promise<T>, scope: { msLeft: number }): Promise<T> {
  pending.catch(() => undefined); // answered after the budget: nobody listens any more
  if (scope.msLeft <= 0) return Promise.reject(new RedisBudgetSpent());
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const spent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisBudgetSpent()), scope.msLeft);
  });
  return Promise.race([pending, spent]).finally(() => {
    clearTimeout(timer);
    scope.msLeft -= performance.now() - started;
  });
}
