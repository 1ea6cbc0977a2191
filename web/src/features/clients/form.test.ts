import { describe, expect, it } from 'vitest';
import { checkClient, createInput, emptyClient, namesClient, updateInput } from './form';
import { addressFromSearch, listVariables, searchFromAddress } from './search';
import { changedFields, recordFileName } from './record';

describe('the client form', () => {
  it('needs a name and catches an e-mail or phone that cannot be one', () => {
    expect(checkClient(emptyClient)).toEqual({ name: 'nameRequired' });
    expect(checkClient({ ...emptyClient, name: '  ' }).name).toBe('nameRequired');
    expect(checkClient({ ...emptyClient, name: 'Ava', email: 'ava@', phone: '12' })).toEqual({ email: 'emailInvalid', phone: 'phoneInvalid' });
    expect(checkClient({ ...emptyClient, name: 'Ava', phone: 'call me' }).phone).toBe('phoneInvalid');
    expect(checkClient({ ...emptyClient, name: 'Ava', email: 'ava@example.org', phone: '+41 (79) 555-99.99' })).toEqual({});
    expect(checkClient({ ...emptyClient, name: 'Ava', notes: 'x'.repeat(4001) }).notes).toBe('notesTooLong');
  });

  it('creates with the filled fields only, trimmed', () => {
    expect(createInput({ name: ' Ava Keller ', email: '', phone: ' +41 79 ', notes: '', blocked: true })).toEqual({
      name: 'Ava Keller',
      phone: '+41 79',
      blocked: true,
    });
  });

  it('updates only what changed, a cleared field as null', () => {
    const before = { name: 'Ava', email: 'ava@example.org', phone: '+41 79', notes: 'VIP', blocked: false };
    expect(updateInput(before, before)).toEqual({});
    expect(updateInput(before, { ...before, name: 'Ava K.', email: '', notes: 'VIP ' })).toEqual({ name: 'Ava K.', email: null });
  });

  it('confirms an erasure only with the client name typed (spaces and case aside)', () => {
    expect(namesClient('', 'Ava Keller')).toBe(false);
    expect(namesClient('Ava', 'Ava Keller')).toBe(false);
    expect(namesClient('  ava   KELLER ', 'Ava Keller')).toBe(true);
  });
});

describe('the search and the address', () => {
  it('reads and writes the search and the archived switch', () => {
    expect(searchFromAddress(new URLSearchParams('q=%20keller%20&archived=1'))).toEqual({ q: 'keller', archived: true });
    expect(searchFromAddress(new URLSearchParams(''))).toEqual({ q: '', archived: false });
    expect(addressFromSearch({ q: ' Zürcher ', archived: true }).toString()).toBe('q=Z%C3%BCrcher&archived=1');
    expect(addressFromSearch({ q: '', archived: false }).toString()).toBe('');
    expect(listVariables({ q: '', archived: false }, 25)).toEqual({ search: null, includeArchived: false, first: 25, after: null });
  });
});

describe('the record', () => {
  it('names its file after the client and the day, and lists changed fields without bookkeeping', () => {
    const record = { generatedAt: '2026-12-06T10:00:00Z', client: { name: 'Zoë Müller-Lüdenscheidt' } } as Parameters<typeof recordFileName>[0];
    expect(recordFileName(record)).toBe('client-record-zoe-muller-ludenscheidt-2026-12-06.json');
    expect(changedFields({ before: { name: 'A', updated_at: 1 }, after: { name: 'B', blocked: true } })).toEqual(['name', 'blocked']);
  });
});
