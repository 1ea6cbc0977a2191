// Policy status with a fake berth: the live version, the last refusal's
// `file:line:col: message` lines, and a policy event bringing the new status.
import { act, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { fakeUrql, renderRoutes } from '@/test/fake-urql';
import PolicyPage from './PolicyPage';
import { alpine } from './test-helpers';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null }));
vi.mock('@/lib/session/session', () => ({
  useTenant: () => session.tenant,
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: 'ADMIN' }),
}));

beforeEach(async () => {
  session.tenant = alpine;
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['settings']);
});

describe('policy status', { timeout: 20_000 }, () => {
  it('shows the live version and the last refusal, and follows policy events', async () => {
    let status = {
      activeVersion: 3,
      activatedAt: '2026-12-06T08:00:00Z',
      rejectedAt: null as string | null,
      rejection: [] as string[],
    };
    const fake = fakeUrql({ SettingsPolicyStatus: () => ({ data: { policyStatus: status } }) });
    renderRoutes(fake.client, [{ path: '/settings/policy', Component: PolicyPage }], '/settings/policy');
    expect(await screen.findByText('Version 3')).toBeInTheDocument();
    expect(screen.getByText('No change has been refused.')).toBeInTheDocument();
    expect(screen.getByText('Updates live')).toBeInTheDocument();

    status = {
      ...status,
      rejectedAt: '2026-12-06T09:30:00Z',
      rejection: ['tenants/alpine-cabins/tenant.yaml:12:5: min_nights must be at least 1 (at rules.min_nights)'],
    };
    act(() => fake.emit('SettingsPolicyEvents', { policyEvents: { kind: 'REJECTED', at: '2026-12-06T09:30:00Z', version: null, errors: status.rejection } }));
    const lines = await screen.findByText(/tenant\.yaml:12:5: min_nights must be at least 1/);
    expect(lines.tagName).toBe('PRE');
    expect(screen.getByRole('button', { name: 'Copy errors' })).toBeInTheDocument();
    await waitFor(() => expect(fake.callsOf('SettingsPolicyStatus').length).toBeGreaterThanOrEqual(2));
  });
});
