import { DependencyUnavailableError } from '@app/common';

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

/** Runs a Redis operation, turning connection trouble into `DependencyUnavailableError`. */
export async function redisCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isRedisUnavailable(error)) throw new DependencyUnavailableError('redis', { cause: error });
    throw error;
  }
}
