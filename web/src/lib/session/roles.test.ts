import { describe, expect, it } from 'vitest';
import { roleAtLeast } from './roles';

describe('roleAtLeast', () => {
  it('ranks owner over admin over staff over viewer', () => {
    expect(roleAtLeast('OWNER', 'ADMIN')).toBe(true);
    expect(roleAtLeast('ADMIN', 'ADMIN')).toBe(true);
    expect(roleAtLeast('STAFF', 'ADMIN')).toBe(false);
    expect(roleAtLeast('VIEWER', 'STAFF')).toBe(false);
    expect(roleAtLeast('STAFF', 'VIEWER')).toBe(true);
  });

  it('refuses a missing role', () => {
    expect(roleAtLeast(null, 'VIEWER')).toBe(false);
    expect(roleAtLeast(undefined, 'VIEWER')).toBe(false);
  });
});
