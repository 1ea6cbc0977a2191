// Shared by the settings tests: a signed-in admin of a Swiss tenant.
import type { Tenant } from '@/lib/session/session';

export const alpine: Tenant = {
  slug: 'alpine-cabins',
  name: 'Alpine Cabins',
  timezone: 'Europe/Zurich',
  currency: 'CHF',
  locale: 'de-CH',
  model: 'nightly',
};
