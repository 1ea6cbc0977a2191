// Telling the screen's own changes from someone else's.
import { describe, expect, it, vi } from 'vitest';
import { OwnChanges } from './own-changes';

describe('OwnChanges', () => {
  it('a version no action made is someone else’s', () => {
    const foreign = vi.fn();
    const own = new OwnChanges(foreign);
    own.event(4);
    expect(foreign).toHaveBeenCalledWith(4);
  });

  it('an event arriving before the action’s answer is judged after it', async () => {
    const foreign = vi.fn();
    const own = new OwnChanges(foreign);
    let answer!: (version: number) => void;
    const action = own.track(() => new Promise<number>((resolve) => (answer = resolve)), (v) => v);
    own.event(5);
    expect(foreign).not.toHaveBeenCalled();
    answer(5);
    await action;
    expect(foreign).not.toHaveBeenCalled();
    own.event(5);
    expect(foreign).not.toHaveBeenCalled();
  });

  it('someone else’s change during an action still counts', async () => {
    const foreign = vi.fn();
    const own = new OwnChanges(foreign);
    let answer!: (version: number | undefined) => void;
    const action = own.track(() => new Promise<number | undefined>((resolve) => (answer = resolve)), (v) => v);
    own.event(6);
    answer(undefined); // the action failed (a stale edit)
    await action;
    expect(foreign).toHaveBeenCalledWith(6);
  });
});
