// The once-only secret dialog: the secret with a copy button and the warning;
// closing hands it back (the caller drops it), and it leaves the page.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { i18n } from '@/lib/i18n';
import { fakeUrql, renderWith } from '@/test/fake-urql';
import { generatePassword, grantableRoles, mayManage } from './roles';
import { SecretDialog, type ShownSecret } from './SecretDialog';
import { syncOutcome } from './sync-status';
import { lastAnswer } from './deliveries';

beforeEach(async () => {
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['settings']);
});

/** A caller that holds the secret only while the dialog is open. */
function Harness({ next }: { next: ShownSecret }) {
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  return (
    <>
      <button type="button" onClick={() => setSecret(next)}>
        Show
      </button>
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
    </>
  );
}

describe('the secret dialog', { timeout: 20_000 }, () => {
  it('shows the secret once with a copy button and a warning, and forgets it when closed', async () => {
    renderWith(fakeUrql({}).client, <Harness next={{ title: 'API key created', intro: 'Use it well.', label: 'Key', value: 'berth_s3cr3t' }} />);
    const u = userEvent.setup({ delay: null });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await u.click(screen.getByRole('button', { name: 'Show' }));
    const dialog = await screen.findByRole('dialog', { name: 'API key created' });
    const field = within(dialog).getByRole('textbox', { name: 'Key' });
    expect(field).toHaveValue('berth_s3cr3t');
    expect(field).toHaveAttribute('readonly');
    expect(within(dialog).getByRole('button', { name: 'Copy Key' })).toBeInTheDocument();
    expect(within(dialog).getByText('Shown this once')).toBeInTheDocument();
    expect(within(dialog).getByText(/You will not see this again/)).toBeInTheDocument();
    await u.click(within(dialog).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(document.body.innerHTML).not.toContain('berth_s3cr3t');
  });

  it('closes with Escape as well', async () => {
    renderWith(fakeUrql({}).client, <Harness next={{ title: 'Webhook added', intro: '', label: 'Signing secret', value: 'whsec_x' }} />);
    const u = userEvent.setup({ delay: null });
    await u.click(screen.getByRole('button', { name: 'Show' }));
    await screen.findByRole('dialog', { name: 'Webhook added' });
    await u.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });
});

describe('roles', { timeout: 20_000 }, () => {
  it('grants up to the viewer’s own role', () => {
    expect(grantableRoles('OWNER')).toEqual(['OWNER', 'ADMIN', 'STAFF', 'VIEWER']);
    expect(grantableRoles('ADMIN')).toEqual(['ADMIN', 'STAFF', 'VIEWER']);
    expect(grantableRoles(null)).toEqual([]);
    expect(mayManage('ADMIN', 'OWNER')).toBe(false);
    expect(mayManage('ADMIN', 'ADMIN')).toBe(true);
  });

  it('makes first passwords of the asked length from a readable alphabet', () => {
    const password = generatePassword(16);
    expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    expect(generatePassword(4, (b) => b.fill(0))).toBe('aaaa');
  });
});

describe('status in words', { timeout: 20_000 }, () => {
  it('says how a calendar sync went', () => {
    expect(syncOutcome({ lastStatus: null, lastAttemptAt: null })).toEqual({ key: 'pending', at: null, failed: false });
    expect(syncOutcome({ lastStatus: 'FAILED', lastAttemptAt: '2026-12-06T09:00:00Z' })).toEqual({ key: 'failed', at: '2026-12-06T09:00:00Z', failed: true });
    expect(syncOutcome({ lastStatus: 'NOT_MODIFIED', lastAttemptAt: '2026-12-06T09:00:00Z' }).key).toBe('unchanged');
  });

  it('takes a delivery’s last answer from its last attempt', () => {
    expect(lastAnswer({ attemptLog: [] })).toEqual({ status: null, error: null });
    const attempt = (number: number, responseStatus: number | null, error: string | null) => ({ number, startedAt: '', finishedAt: null, responseStatus, error });
    expect(lastAnswer({ attemptLog: [attempt(1, 500, 'server error'), attempt(2, 204, null)] })).toEqual({ status: 204, error: null });
  });
});
