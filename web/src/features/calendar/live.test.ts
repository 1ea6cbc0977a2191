import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDebouncer } from './live';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createDebouncer', () => {
  it('runs once, `wait` after the last call of a burst', () => {
    const fn = vi.fn();
    const d = createDebouncer(fn, 600, 3000);
    d.call();
    vi.advanceTimersByTime(400);
    d.call();
    vi.advanceTimersByTime(400);
    d.call();
    vi.advanceTimersByTime(599);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('runs at least every `maxWait` while calls keep coming', () => {
    const fn = vi.fn();
    const d = createDebouncer(fn, 600, 3000);
    for (let t = 0; t < 7000; t += 200) {
      d.call();
      vi.advanceTimersByTime(200);
    }
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('forgets a pending run when cancelled', () => {
    const fn = vi.fn();
    const d = createDebouncer(fn, 600, 3000);
    d.call();
    d.cancel();
    vi.advanceTimersByTime(5000);
    expect(fn).not.toHaveBeenCalled();
  });
});
