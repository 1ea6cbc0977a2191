// Pieces of the e-mail log shared by the settings section and a
// reservation's page: a message's facts in words, its status as a word and a
// mark, its attempt log, and "Resend" behind a confirmation.
import { useState } from 'react';
import { Button, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { SettingsResendEmailDocument, type EmailStatus, type SettingsEmailMessageFragment } from '@/gql/graphql';
import { useFormat } from '@/lib/use-format';
import { lastAnswer, resendBlocked, statusMarks } from './email-log';
import { ConfirmDialog } from './parts';
import classes from './settings.module.css';

type Message = SettingsEmailMessageFragment;

/** A message's facts in words, shared by the table and the cards. */
export function useMessageFacts() {
  const { t } = useTranslation('settings');
  const format = useFormat();
  return (m: Message) => {
    const answer = lastAnswer(m);
    return {
      time: format.dateTime(m.createdAt, { dateStyle: 'medium', timeStyle: 'short' }),
      recipient: m.recipient ?? t('email.log.erased'),
      audience: m.toStaff ? t('email.log.toStaff') : t('email.log.toGuest'),
      kind: t(`email.kind.${m.kind}`),
      status: t(`email.status.${m.status}`),
      attempts: t('email.log.attempts', { count: m.attempts }),
      // A message not tried yet is due (a reminder's day); one tried before
      // is retried.
      next:
        m.status === 'PENDING' && m.nextAttemptAt
          ? t(m.attempts === 0 ? 'email.log.due' : 'email.log.next', { date: format.dateTime(m.nextAttemptAt, { dateStyle: 'medium', timeStyle: 'short' }) })
          : null,
      answer: answer.code !== null ? t('email.log.answered', { code: answer.code }) : null,
      // Why a skipped message was not sent is not a failure.
      error: m.status === 'SKIPPED' ? null : answer.error,
      reason: m.status === 'SKIPPED' ? answer.error : null,
    };
  };
}

/** A status as a word with a mark (never colour alone). */
export function StatusPill({ status }: { status: EmailStatus }) {
  const { t } = useTranslation('settings');
  return (
    <span className={classes.status} data-status={status}>
      <span aria-hidden>{statusMarks[status]}</span>
      {t(`email.status.${status}`)}
    </span>
  );
}

/** The attempts, behind a disclosure. */
export function AttemptLog({ message }: { message: Message }) {
  const { t } = useTranslation('settings');
  const format = useFormat();
  if (message.attemptLog.length === 0) return null;
  return (
    <details className={classes.attemptLog}>
      <summary>{t('email.log.attemptLog', { count: message.attemptLog.length })}</summary>
      <ol>
        {message.attemptLog.map((a) => (
          <li key={a.number}>
            {format.dateTime(a.at, { dateStyle: 'short', timeStyle: 'medium' })}
            {' — '}
            {a.smtpCode != null ? t('email.log.answered', { code: a.smtpCode }) : t('email.log.noAnswer')}
            {a.error ? `: ${a.error}` : ''}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** "Resend" for a sent or failed message; nothing for others (a note for an erased guest). */
export function ResendButton({ message, label, onResent }: { message: Message; label: string; onResent: () => void }) {
  const { t } = useTranslation('settings');
  const [open, setOpen] = useState(false);
  const [, resend] = useMutation(SettingsResendEmailDocument);
  const blocked = resendBlocked(message);
  if (blocked === 'unsent') return null;
  if (blocked === 'erased') {
    return (
      <Text fz="xs" c="dimmed">
        {t('email.resend.erased')}
      </Text>
    );
  }
  return (
    <>
      <Button size="compact-sm" variant="default" onClick={() => setOpen(true)} aria-label={t('email.resend.labelFor', { message: label })}>
        {t('email.resend.button')}
      </Button>
      <ConfirmDialog
        opened={open}
        onClose={() => setOpen(false)}
        title={t('email.resend.title')}
        confirmLabel={t('email.resend.confirm')}
        words={{ CONFLICT: t('email.resend.conflict') }}
        onConfirm={async () => {
          const result = await resend({ id: message.id });
          if (!result.error) {
            notifications.show({ color: 'sea', message: t('email.resend.done') });
            onResent();
          }
          return result.error;
        }}
      >
        <Text fz="sm">{t('email.resend.body', { kind: t(`email.kind.${message.kind}`), recipient: message.recipient ?? '' })}</Text>
      </ConfirmDialog>
    </>
  );
}
