import { describe, expect, it } from 'vitest';
import tenantSchema from '../../../../../policies/schema/tenant.schema.json';
import { closest, completeYaml, validateYaml, type JsonSchema } from './schema';

const schema = tenantSchema as JsonSchema;

const valid = `slug: alpine-cabins
name: Alpine Cabins
timezone: Europe/Zurich
currency: CHF
locale: de-CH
profile:
  phone: "+41 33 555 01 00"
  address:
    street: Lärchenweg 12
    locality: Grindelwald
    country: CH
model: nightly
nightly:
  check_in_time: "15:00"
  check_out_time: "10:00"
  closed_to_arrival: [sun]
pricing:
  base_rate: 18000
  seasons:
    - name: Winter
      from: "12-20"
      to: "03-31"
      rate: 24000
`;

/** The 1-based line of an offset. */
const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

describe('validateYaml', () => {
  it('accepts a valid tenant.yaml', () => {
    expect(validateYaml(valid, schema)).toEqual([]);
  });

  it('marks a misspelled key at its line, with the key it means', () => {
    const text = valid.replace('  phone:', '  phnoe:');
    const problems = validateYaml(text, schema);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe('unknown key `phnoe` in profile — did you mean `phone`?');
    expect(problems[0]!.path).toBe('profile.phnoe');
    expect(lineOf(text, problems[0]!.from)).toBe(7);
    expect(text.slice(problems[0]!.from, problems[0]!.to)).toBe('phnoe');
  });

  it('names a value outside an enumeration, with the nearest one', () => {
    const text = valid.replace('model: nightly', 'model: nigthly');
    const [problem] = validateYaml(text, schema);
    expect(problem!.message).toMatch(/^`nigthly` is not one of `nightly`, `timeslot`, `interval`.* — did you mean `nightly`\?$/);
    expect(lineOf(text, problem!.from)).toBe(12);
  });

  it('checks types, patterns and minimums inside nested mappings and lists', () => {
    const text = valid.replace('base_rate: 18000', 'base_rate: lots').replace('"+41 33 555 01 00"', '"033 555"').replace('[sun]', '[sunday]');
    const problems = validateYaml(text, schema);
    expect(problems.map((p) => [lineOf(text, p.from), p.path])).toEqual([
      [7, 'profile.phone'],
      [16, 'nightly.closed_to_arrival[0]'],
      [18, 'pricing.base_rate'],
    ]);
    expect(problems[0]!.message).toContain('is not in the expected form (like `+41 33 555 01 00`)');
    expect(problems[2]!.message).toBe('expected a whole number, found text');
  });

  it('names missing required keys', () => {
    const text = valid.replace('slug: alpine-cabins\n', '');
    const problems = validateYaml(text, schema);
    expect(problems.map((p) => p.message)).toEqual(['needs `slug`']);
  });

  it('reports YAML syntax errors at their place', () => {
    const text = 'slug: a\nname: [unclosed\n';
    const problems = validateYaml(text, schema);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.path).toBe('');
  });

  it('finds duplicate keys', () => {
    const problems = validateYaml('slug: a\nslug: b\n', schema);
    expect(problems[0]!.message).toMatch(/unique/i);
  });
});

describe('closest', () => {
  it('suggests near words only', () => {
    expect(closest('phnoe', ['phone', 'email'])).toBe('phone');
    expect(closest('zzz', ['phone', 'email'])).toBeUndefined();
  });
});

/** Completions at the `|` in `text`. */
function at(text: string) {
  const offset = text.indexOf('|');
  return completeYaml(text.replace('|', ''), offset, schema);
}

describe('completeYaml', () => {
  it('offers the keys of the mapping at the cursor, without those already there', () => {
    const answer = at('slug: a\nprofile:\n  phone: "+41 1"\n  em|\n');
    const labels = answer!.options.map((o) => o.label);
    expect(labels).toContain('email');
    expect(labels).toContain('address');
    expect(labels).not.toContain('phone');
    expect(labels).not.toContain('slug');
    expect(answer!.from).toBe('slug: a\nprofile:\n  phone: "+41 1"\n  '.length);
    expect(answer!.options.find((o) => o.label === 'email')!.apply).toBe('email: ');
    expect(answer!.options.find((o) => o.label === 'address')!.apply).toBe('address:\n    ');
  });

  it('offers top-level keys with their descriptions', () => {
    const answer = at('slug: a\n|');
    const model = answer!.options.find((o) => o.label === 'model');
    expect(model).toBeDefined();
    expect(answer!.options.map((o) => o.label)).not.toContain('slug');
    expect(model!.detail).toBeTruthy();
  });

  it('offers the values an enumeration allows', () => {
    const answer = at('slug: a\nmodel: ni|');
    expect(answer!.options.map((o) => o.label)).toEqual(['nightly', 'timeslot', 'interval']);
    expect(answer!.from).toBe('slug: a\nmodel: '.length);
  });

  it('follows lists: keys of a list item and values inside it', () => {
    const text = 'pricing:\n  seasons:\n    - name: Winter\n      |';
    const labels = at(text)!.options.map((o) => o.label);
    expect(labels).toContain('rate');
    expect(labels).not.toContain('name');
    const fee = at('pricing:\n  fees:\n    - name: Cleaning\n      per: |');
    expect(fee!.options.map((o) => o.label)).toContain('stay');
  });

  it('offers keys on a new list item line', () => {
    const labels = at('pricing:\n  seasons:\n    - name: Winter\n      rate: 1\n    - |')!.options.map((o) => o.label);
    expect(labels).toContain('name');
    expect(labels).toContain('rate');
  });

  it('offers nothing inside comments', () => {
    expect(at('# mod|')).toBeNull();
  });
});

describe('the example tenants', () => {
  // Every file berth accepts must be clean here too: no false alarms.
  const files = import.meta.glob<string>('../../../../../tenants/*/{tenant,seed}.yaml', { query: '?raw', import: 'default', eager: true });
  const tests = import.meta.glob<string>('../../../../../tenants/*/tests/*.yaml', { query: '?raw', import: 'default', eager: true });
  const schemas = import.meta.glob<JsonSchema>('../../../../../policies/schema/*.schema.json', { import: 'default', eager: true });
  const schemaOf = (path: string) => schemas[`../../../../../policies/schema/${path.endsWith('seed.yaml') ? 'seed' : path.includes('/tests/') ? 'tests' : 'tenant'}.schema.json`]!;

  it.each(Object.entries({ ...files, ...tests }))('%s has no problems', (path, text) => {
    expect(validateYaml(text, schemaOf(path))).toEqual([]);
  });
});
