// Pieces every settings section uses: the frame (title, sub-navigation,
// description), a confirmation dialog that runs its action and shows the
// refusal in words inside it, a read-only value with a copy button, and the
// list frame with its loading, error and empty states.
import { useState, type ReactNode } from 'react';
import { Alert, Button, CopyButton, Group, Modal, Paper, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import type { CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { describeError, type Problem, type ProblemWords } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { SettingsNav, type SettingsSection } from './SettingsNav';

/** A settings section's frame: its heading, the sections' links, what it is for. */
export function SettingsFrame({
  section,
  description,
  actions,
  children,
}: {
  section: Exclude<SettingsSection, 'notifications'>;
  description: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation('settings');
  usePageTitle(`${t(`${section}.title`)} · ${t('title')}`);
  return (
    <Stack gap="md" maw={1040}>
      <Stack gap={6}>
        <Text fz="sm" fw={600} c="dimmed">
          {t('title')}
        </Text>
        <Group justify="space-between" align="flex-end" gap="sm">
          <Title order={1}>{t(`${section}.title`)}</Title>
          {actions}
        </Group>
      </Stack>
      <SettingsNav />
      <Text fz="sm" c="dimmed" maw={720}>
        {description}
      </Text>
      {children}
    </Stack>
  );
}

/** A dialog of the settings screens: full screen on phones, named close button. */
export function SettingsModal({
  opened,
  onClose,
  title,
  children,
  closeOnClickOutside = true,
}: {
  opened: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  closeOnClickOutside?: boolean;
}) {
  const { t } = useTranslation();
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{title}</span>}
      fullScreen={fullScreen}
      size="lg"
      closeOnClickOutside={closeOnClickOutside}
      closeButtonProps={{ 'aria-label': t('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {children}
    </Modal>
  );
}

export interface ConfirmProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  /** What will happen, in words. */
  children: ReactNode;
  confirmLabel: string;
  /** Red for what cannot be undone. */
  danger?: boolean;
  /** Runs the action: an error keeps the dialog open with the refusal in words. */
  onConfirm: () => Promise<CombinedError | undefined>;
  /** The section's own words for some refusals (the last owner). */
  words?: ProblemWords;
}

/** Asks before doing something; the refusal shows in it, beside the button. */
export function ConfirmDialog(props: ConfirmProps) {
  return (
    <SettingsModal opened={props.opened} onClose={props.onClose} title={props.title}>
      {props.opened ? <ConfirmBody {...props} /> : null}
    </SettingsModal>
  );
}

function ConfirmBody({ onClose, children, confirmLabel, danger = false, onConfirm, words }: ConfirmProps) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  async function confirm() {
    setBusy(true);
    setProblem(null);
    const error = await onConfirm();
    setBusy(false);
    if (error) setProblem(describeError(error, tc, words));
    else onClose();
  }
  return (
    <Stack gap="md">
      <div>{children}</div>
      {problem ? <ProblemAlert problem={problem} /> : null}
      <Group justify="flex-end" gap="sm">
        {/* What cannot be undone starts on Cancel: Enter alone does not do it. */}
        <Button variant="default" onClick={onClose} data-autofocus={danger ? true : undefined}>
          {t('cancel')}
        </Button>
        <Button color={danger ? 'red' : undefined} loading={busy} onClick={() => void confirm()} data-autofocus={danger ? undefined : true}>
          {confirmLabel}
        </Button>
      </Group>
    </Stack>
  );
}

/** A value to copy (a link, a secret): read-only, selectable, with a copy button. */
export function CopyField({ label, value, description, secret = false }: { label: string; value: string; description?: string; secret?: boolean }) {
  const { t } = useTranslation('settings');
  return (
    <Group gap="xs" align="flex-end" wrap="nowrap">
      <TextInput
        label={label}
        description={description}
        value={value}
        readOnly
        onFocus={(event) => event.currentTarget.select()}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
        style={{ flex: 1, minWidth: 0 }}
        autoComplete="off"
        spellCheck={false}
        data-secret={secret ? '' : undefined}
      />
      <CopyButton value={value} timeout={2500}>
        {({ copied, copy }) => (
          <Button variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : undefined} onClick={copy} aria-label={copied ? t('copied') : t('copyLabel', { what: label })} style={{ flexShrink: 0 }}>
            <span aria-live="polite">{copied ? t('copied') : t('copy')}</span>
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/** A list's states: loading, failed (with retry), empty; otherwise the list. */
export function ListState({
  fetching,
  error,
  empty,
  loadingLabel,
  failedTitle,
  emptyText,
  onRetry,
  children,
}: {
  fetching: boolean;
  error: CombinedError | undefined;
  empty: boolean;
  loadingLabel: string;
  failedTitle: string;
  emptyText: ReactNode;
  onRetry: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  if (error && empty) {
    return (
      <Stack gap="xs" align="flex-start">
        <ProblemAlert problem={describeError(error, tc)} title={failedTitle} />
        <Button variant="default" size="xs" onClick={onRetry}>
          {t('retry')}
        </Button>
      </Stack>
    );
  }
  if (fetching && empty) {
    return (
      <Stack gap="xs" aria-busy="true" aria-label={loadingLabel} role="status">
        <Skeleton height={56} radius="md" />
        <Skeleton height={56} radius="md" />
        <Skeleton height={56} radius="md" />
      </Stack>
    );
  }
  if (empty) {
    return (
      <Paper withBorder radius="md" p="lg">
        <Text fz="sm" c="dimmed" ta="center">
          {emptyText}
        </Text>
      </Paper>
    );
  }
  return <>{children}</>;
}

/** A warning that a value is shown this once. */
export function OnceWarning({ children }: { children: ReactNode }) {
  const { t } = useTranslation('settings');
  return (
    <Alert color="orange" variant="light" title={t('secret.onceTitle')}>
      <Text fz="sm">{children}</Text>
    </Alert>
  );
}
