// The e-mail section with a fake berth: without SMTP it says nobody gets
// e-mail and what the operator sets; with it, the sender, a missing reply-to
// and the reminder; the log in words, filtered by status through the address,
// resending after a confirmation (a refusal said in the dialog); and a
// reservation's own e-mails.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { apiError, fakeUrql, renderRoutes } from '@/test/fake-urql';
import { lastAnswer, resendBlocked, statusFilter, withStatusFilter } from './email-log';
import EmailPage from './EmailPage';
import { ReservationEmails } from './ReservationEmails';
import { alpine } from './test-helpers';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null }));
vi.mock('@/lib/session/session', () => ({
  useTenant: () => session.tenant,
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: 'ADMIN' }),
}));

const settings = (over: Record<string, unknown> = {}) => ({
  data: {
    emailSettings: { __typename: 'EmailSettings', configured: true, sender: 'bookings@berth.test', senderName: 'Alpine Cabins', replyTo: null, reminderDays: 2, ...over },
  },
});

const message = (over: Record<string, unknown> = {}) => ({
  __typename: 'EmailMessage',
  id: 'm1',
  kind: 'CONFIRMED',
  toStaff: false,
  status: 'SENT',
  recipient: 'ana@example.org',
  reservationId: 'r1',
  subject: 'Your stay is confirmed',
  attempts: 1,
  nextAttemptAt: null,
  lastError: null,
  createdAt: '2026-12-06T09:00:00Z',
  updatedAt: '2026-12-06T09:00:05Z',
  attemptLog: [{ __typename: 'EmailAttempt', number: 1, at: '2026-12-06T09:00:05Z', smtpCode: 250, error: null }],
  ...over,
});

const page = (nodes: unknown[], hasNextPage = false) => ({
  data: { emailMessages: { __typename: 'EmailMessageConnection', nodes, pageInfo: { __typename: 'PageInfo', hasNextPage, endCursor: hasNextPage ? 'cursor-1' : null } } },
});

beforeEach(async () => {
  session.tenant = alpine;
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['settings']);
});

describe('the e-mail log’s rules', () => {
  it('reads and writes the status filter in the address', () => {
    expect(statusFilter(new URLSearchParams('status=failed'))).toBe('FAILED');
    expect(statusFilter(new URLSearchParams('status=nonsense'))).toBeNull();
    expect(statusFilter(new URLSearchParams(''))).toBeNull();
    expect(withStatusFilter(new URLSearchParams('x=1'), 'SENT').toString()).toBe('x=1&status=sent');
    expect(withStatusFilter(new URLSearchParams('status=sent'), null).toString()).toBe('');
  });

  it('sends again only what is finished and has somebody to go to', () => {
    expect(resendBlocked({ status: 'PENDING', recipient: 'a@b.c' })).toBe('unsent');
    expect(resendBlocked({ status: 'SKIPPED', recipient: 'a@b.c' })).toBe('unsent');
    expect(resendBlocked({ status: 'SENT', recipient: null })).toBe('erased');
    expect(resendBlocked({ status: 'FAILED', recipient: 'a@b.c' })).toBeNull();
    expect(resendBlocked({ status: 'SENT', recipient: 'a@b.c' })).toBeNull();
  });

  it('takes the last answer from the attempt log and the last error', () => {
    expect(lastAnswer({ attemptLog: [], lastError: null })).toEqual({ code: null, error: null });
    expect(lastAnswer({ attemptLog: [{ number: 1, at: '', smtpCode: 421, error: 'busy' }], lastError: 'busy' })).toEqual({ code: 421, error: 'busy' });
  });
});

describe('the e-mail section', { timeout: 20_000 }, () => {
  it('says so when the server sends no e-mail', async () => {
    const fake = fakeUrql({
      SettingsEmail: () => settings({ configured: false, sender: null }),
      SettingsEmailMessages: () => page([]),
    });
    renderRoutes(fake.client, [{ path: '/settings/email', Component: EmailPage }], '/settings/email');
    expect(await screen.findByText('E-mail is not set up on this server: guests and staff receive no e-mail')).toBeInTheDocument();
    expect(screen.getByText(/BERTH_SMTP_URL=smtps:/)).toBeInTheDocument();
    expect(await screen.findByText(/No messages yet/)).toBeInTheDocument();
  });

  it('shows what messages go out as, and the log in words', async () => {
    const fake = fakeUrql({
      SettingsEmail: () => settings(),
      SettingsEmailMessages: (v) =>
        v.status === 'FAILED'
          ? page([message({ id: 'm3', status: 'FAILED', kind: 'REMINDER', attempts: 1, lastError: 'mailbox unavailable', attemptLog: [{ __typename: 'EmailAttempt', number: 1, at: '2026-12-06T09:00:05Z', smtpCode: 550, error: 'mailbox unavailable' }] })])
          : page(
              [
                message(),
                message({ id: 'm2', kind: 'STAFF_NEW_REQUEST', toStaff: true, status: 'PENDING', recipient: 'staff@alpine.example.org', attempts: 0, attemptLog: [], nextAttemptAt: '2026-12-06T09:10:00Z' }),
              ],
              true,
            ),
    });
    const { router } = renderRoutes(fake.client, [{ path: '/settings/email', Component: EmailPage }], '/settings/email');
    expect(await screen.findByText('bookings@berth.test', { exact: false })).toBeInTheDocument();
    expect(screen.getByText("No reply address: guests' replies go to the sender address.", { exact: false })).toBeInTheDocument();
    expect(screen.getByText('2 days before arrival')).toBeInTheDocument();

    const sent = await screen.findByRole('row', { name: 'Booking confirmed, ana@example.org, Sent' });
    expect(within(sent).getByText('1 attempt · answered 250')).toBeInTheDocument();
    expect(within(sent).getByRole('link', { name: /^Reservation of the message/ })).toHaveAttribute('href', '/admin/reservations/r1');
    const pending = screen.getByRole('row', { name: 'New request (staff), staff@alpine.example.org, Pending' });
    expect(within(pending).queryByRole('button', { name: /^Resend/ })).not.toBeInTheDocument();
    expect(within(pending).getByText(/^due /)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Show more' })).toBeInTheDocument();

    const u = userEvent.setup({ delay: null });
    await u.click(screen.getByRole('radio', { name: 'Failed' }));
    await waitFor(() => expect(router.state.location.search).toBe('?status=failed'));
    const failed = await screen.findByRole('row', { name: 'Arrival reminder, ana@example.org, Failed' });
    expect(within(failed).getByText('mailbox unavailable')).toBeInTheDocument();
    expect(within(failed).getByText('1 attempt · answered 550')).toBeInTheDocument();
    expect(fake.callsOf('SettingsEmailMessages').at(-1)?.variables).toMatchObject({ status: 'FAILED', after: null });
  });

  it('resends after asking, and says why it cannot', async () => {
    let refuse = false;
    const fake = fakeUrql({
      SettingsEmail: () => settings({ replyTo: 'hallo@alpine.example.ch' }),
      SettingsEmailMessages: () => page([message({ status: 'FAILED' })]),
      SettingsResendEmail: (v) => (refuse ? apiError('CONFLICT') : { data: { resendEmail: message({ id: v.id, status: 'PENDING' }) } }),
    });
    renderRoutes(fake.client, [{ path: '/settings/email', Component: EmailPage }], '/settings/email');
    const u = userEvent.setup({ delay: null });
    expect(await screen.findByText('hallo@alpine.example.ch')).toBeInTheDocument();
    const row = await screen.findByRole('row', { name: 'Booking confirmed, ana@example.org, Failed' });

    refuse = true;
    await u.click(within(row).getByRole('button', { name: 'Resend Booking confirmed, ana@example.org' }));
    let dialog = await screen.findByRole('dialog', { name: 'Send this message again?' });
    expect(fake.callsOf('SettingsResendEmail')).toHaveLength(0);
    await u.click(within(dialog).getByRole('button', { name: 'Send again' }));
    expect(await within(dialog).findByText(/cannot be sent again/)).toBeInTheDocument();
    await u.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    refuse = false;
    await u.click(within(row).getByRole('button', { name: 'Resend Booking confirmed, ana@example.org' }));
    dialog = await screen.findByRole('dialog', { name: 'Send this message again?' });
    await u.click(within(dialog).getByRole('button', { name: 'Send again' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(fake.callsOf('SettingsResendEmail').map((c) => c.variables)).toEqual([{ id: 'm1' }, { id: 'm1' }]);
  });
});

describe('a reservation’s e-mails', { timeout: 20_000 }, () => {
  it('lists the messages about it, resend only for finished ones', async () => {
    const fake = fakeUrql({
      SettingsReservationEmails: () => ({
        data: {
          emailMessages: {
            __typename: 'EmailMessageConnection',
            nodes: [message({ id: 'm2', kind: 'CANCELED', status: 'PENDING', attempts: 0, attemptLog: [] }), message()],
            pageInfo: { __typename: 'PageInfo', hasNextPage: false },
          },
        },
      }),
    });
    renderRoutes(fake.client, [{ path: '/reservations/r1', element: <ReservationEmails reservationId="r1" /> }], '/reservations/r1');
    const sent = await screen.findByRole('listitem', { name: 'Booking confirmed, ana@example.org, Sent' });
    expect(within(sent).getByRole('button', { name: 'Resend Booking confirmed, ana@example.org' })).toBeInTheDocument();
    const pending = screen.getByRole('listitem', { name: 'Booking canceled, ana@example.org, Pending' });
    expect(within(pending).queryByRole('button', { name: /^Resend/ })).not.toBeInTheDocument();
    expect(fake.callsOf('SettingsReservationEmails')[0]?.variables).toMatchObject({ reservationId: 'r1' });
    expect(screen.getByRole('link', { name: 'All e-mail' })).toHaveAttribute('href', '/admin/settings/email');
  });
});
