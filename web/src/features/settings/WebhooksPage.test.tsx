// Webhooks with a fake berth: the form checks the URL and events before
// asking; the signing secret is shown once; deleting asks first.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { fakeUrql, renderRoutes } from '@/test/fake-urql';
import { webhookFormProblems } from './webhook-form';
import WebhooksPage from './WebhooksPage';
import { alpine } from './test-helpers';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null }));
vi.mock('@/lib/session/session', () => ({
  useTenant: () => session.tenant,
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: 'ADMIN' }),
}));

const hook = { __typename: 'Webhook', id: 'w1', url: 'https://crm.example.org/hooks', events: ['*'], createdAt: '2026-12-01T08:00:00Z', deletedAt: null };

beforeEach(async () => {
  session.tenant = alpine;
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['settings']);
});

describe('the webhook form’s checks', { timeout: 20_000 }, () => {
  it('wants an http(s) URL and at least one event', () => {
    expect(webhookFormProblems('', ['*'])).toEqual({ url: 'urlRequired' });
    expect(webhookFormProblems('crm.example.org', ['*'])).toEqual({ url: 'urlInvalid' });
    expect(webhookFormProblems('ftp://crm.example.org', ['*'])).toEqual({ url: 'urlInvalid' });
    expect(webhookFormProblems(' https://crm.example.org/x ', [])).toEqual({ events: 'eventsRequired' });
    expect(webhookFormProblems('http://127.0.0.1:9000/x', ['reservation.*'])).toEqual({});
  });
});

describe('webhooks', { timeout: 20_000 }, () => {
  it('creates one and shows its signing secret once; deleting asks first', async () => {
    const fake = fakeUrql({
      SettingsWebhooks: () => ({ data: { webhooks: [hook] } }),
      SettingsCreateWebhook: (v) => ({
        data: { createWebhook: { secret: 'whsec_c2VjcmV0', webhook: { ...hook, id: 'w2', url: v.url, events: v.events } } },
      }),
      SettingsDeleteWebhook: () => ({ data: { deleteWebhook: { ...hook, deletedAt: '2026-12-06T09:00:00Z' } } }),
    });
    renderRoutes(fake.client, [{ path: '/settings/webhooks', Component: WebhooksPage }], '/settings/webhooks');
    const u = userEvent.setup({ delay: null });
    const row = await screen.findByRole('listitem', { name: hook.url });
    expect(within(row).getByText('All events')).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: `Deliveries of ${hook.url}` })).toHaveAttribute('href', '/admin/settings/webhooks/w1');

    await u.click(screen.getAllByRole('button', { name: 'Add webhook' })[0]!);
    const form = await screen.findByRole('dialog', { name: 'Add a webhook' });
    await u.type(within(form).getByRole('textbox', { name: /Endpoint URL/ }), 'crm.example.org');
    await u.click(within(form).getByRole('button', { name: 'Add webhook' }));
    expect(within(form).getByText('Enter a full http:// or https:// address.')).toBeInTheDocument();
    expect(fake.callsOf('SettingsCreateWebhook')).toHaveLength(0);

    await u.clear(within(form).getByRole('textbox', { name: /Endpoint URL/ }));
    await u.type(within(form).getByRole('textbox', { name: /Endpoint URL/ }), 'https://crm.example.org/new');
    await u.type(within(form).getByRole('combobox', { name: /^Events/ }), 'client.*{Enter}');
    await u.click(within(form).getByRole('button', { name: 'Add webhook' }));
    expect(fake.callsOf('SettingsCreateWebhook')[0]?.variables).toEqual({ url: 'https://crm.example.org/new', events: ['reservation.*', 'client.*'] });

    const shown = await screen.findByRole('dialog', { name: 'Webhook added' });
    expect(within(shown).getByRole('textbox', { name: 'Signing secret' })).toHaveValue('whsec_c2VjcmV0');
    await u.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Webhook added' })).not.toBeInTheDocument());
    expect(document.body.innerHTML).not.toContain('whsec_c2VjcmV0');

    await u.click(within(row).getByRole('button', { name: `Delete the webhook ${hook.url}` }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete this webhook?' });
    expect(fake.callsOf('SettingsDeleteWebhook')).toHaveLength(0);
    await u.click(within(confirm).getByRole('button', { name: 'Delete webhook' }));
    expect(fake.callsOf('SettingsDeleteWebhook')[0]?.variables).toEqual({ id: 'w1' });
  });
});
