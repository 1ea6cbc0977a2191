// A secret shown once (an API key, a webhook's signing secret, a new user's
// first password): in a dialog with a copy button and a plain warning that it
// will not be shown again. The secret lives only in the caller's state while
// the dialog is open (the caller drops it on close); it is never logged, put in
// the address, or stored.
import { Button, Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { CopyField, OnceWarning, SettingsModal } from './parts';

export interface ShownSecret {
  /** The dialog's title ("API key created"). */
  title: string;
  /** What it is and how to use it. */
  intro: string;
  /** The field's label ("Key"). */
  label: string;
  /** The secret itself. */
  value: string;
  /** Other values shown with it (the new user's e-mail), not secret. */
  extra?: { label: string; value: string }[];
}

export function SecretDialog({ secret, onClose }: { secret: ShownSecret | null; onClose: () => void }) {
  const { t } = useTranslation('settings');
  return (
    <SettingsModal opened={secret !== null} onClose={onClose} title={secret?.title ?? ''} closeOnClickOutside={false}>
      {secret ? (
        <Stack gap="md">
          <Text fz="sm">{secret.intro}</Text>
          {secret.extra?.map((item) => (
            <CopyField key={item.label} label={item.label} value={item.value} />
          ))}
          <CopyField label={secret.label} value={secret.value} secret />
          <OnceWarning>{t('secret.once')}</OnceWarning>
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('secret.done')}</Button>
          </Group>
        </Stack>
      ) : null}
    </SettingsModal>
  );
}
