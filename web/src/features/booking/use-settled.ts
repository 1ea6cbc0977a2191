// A value that follows `value` once it has stopped changing for `ms`: what
// the live quote and the lock ask about while the user is still typing.
// Compared by content (JSON), so a new object with the same content is the
// same value.
import { useMemo } from 'react';
import { useDebouncedValue } from '@mantine/hooks';

export function useSettled<T>(value: T, ms = 300): { settled: T; settling: boolean } {
  const key = JSON.stringify(value);
  const [settledKey] = useDebouncedValue(key, ms);
  const settled = useMemo(() => JSON.parse(settledKey) as T, [settledKey]);
  return { settled, settling: settledKey !== key };
}
