import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HoldExpiry } from './hold-expiry.service.js';
import { HoldTimers } from './hold-timers.js';

describe('HoldTimers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const newTimers = () => {
    const expiry = { releaseSeats: vi.fn(async () => undefined) };
    return { timers: new HoldTimers(expiry as unknown as HoldExpiry), expiry };
  };

  it('wakes the release of the seats still armed when their hold lapses', async () => {
    const { timers, expiry } = newTimers();
    timers.arm(['a', 'b', 'c'], 1_000);
    timers.disarm(['b']); // sold or released here meanwhile
    await vi.advanceTimersByTimeAsync(999);
    expect(expiry.releaseSeats).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2);
    expect(expiry.releaseSeats).toHaveBeenCalledExactlyOnceWith(['a', 'c'], 'timer');
  });

  it('runs no release at all once every seat of a timer is disarmed', async () => {
    const { timers, expiry } = newTimers();
    timers.arm(['a', 'b'], 1_000);
    timers.disarm(['a', 'b', 'never-armed']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(expiry.releaseSeats).not.toHaveBeenCalled();
  });

  it('moves a seat held again to its new timer', async () => {
    const { timers, expiry } = newTimers();
    timers.arm(['a'], 1_000);
    timers.arm(['a'], 3_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(expiry.releaseSeats).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_100);
    expect(expiry.releaseSeats).toHaveBeenCalledExactlyOnceWith(['a'], 'timer');
  });
});
