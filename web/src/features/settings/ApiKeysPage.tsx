// Settings › API keys: the tenant's keys (revoked ones too, after the live
// ones), creating one (a name and the role it acts with, at most the
// viewer's) whose secret is shown once, and revoking one after a warning.
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Skeleton.css';
import { useState, type FormEvent } from 'react';
import { Badge, Button, Group, NativeSelect, Paper, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  SettingsApiKeysDocument,
  SettingsCreateApiKeyDocument,
  SettingsRevokeApiKeyDocument,
  type Role,
  type SettingsApiKeyFragment,
} from '@/gql/graphql';
import { describeError, type Problem } from '@/lib/errors';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { ConfirmDialog, ListState, SettingsFrame, SettingsModal } from './parts';
import { grantableRoles } from './roles';
import { SecretDialog, type ShownSecret } from './SecretDialog';

type ApiKey = SettingsApiKeyFragment;

/** Live keys first (newest first), then revoked ones. */
export function sortKeys(keys: readonly ApiKey[]): ApiKey[] {
  return [...keys].sort((a, b) => {
    if ((a.revokedAt == null) !== (b.revokedAt == null)) return a.revokedAt == null ? -1 : 1;
    return b.createdAt.localeCompare(a.createdAt);
  });
}

export default function ApiKeysPage() {
  const { t } = useTranslation('settings');
  const [result, refetch] = useQuery({ query: SettingsApiKeysDocument });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [, revoke] = useMutation(SettingsRevokeApiKeyDocument);
  const keys = sortKeys(result.data?.apiKeys ?? []);
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <SettingsFrame section="keys" description={t('keys.description')} actions={<Button onClick={() => setCreating(true)}>{t('keys.create')}</Button>}>
      <ListState
        fetching={result.fetching}
        error={result.error}
        empty={keys.length === 0}
        loadingLabel={t('keys.loading')}
        failedTitle={t('keys.loadFailed')}
        emptyText={t('keys.empty')}
        onRetry={reload}
      >
        <Paper withBorder radius="md" component="ul" aria-label={t('keys.listLabel')} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {keys.map((key, index) => (
            <KeyRow key={key.id} apiKey={key} first={index === 0} onRevoke={() => setRevoking(key)} />
          ))}
        </Paper>
      </ListState>
      <CreateKeyDialog
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(name, key) => {
          setCreating(false);
          reload();
          setSecret({ title: t('keys.createdTitle'), intro: t('keys.createdIntro', { name }), label: t('keys.secret'), value: key });
        }}
      />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
      <ConfirmDialog
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t('keys.revokeTitle')}
        confirmLabel={t('keys.revokeConfirm')}
        danger
        onConfirm={async () => {
          if (!revoking) return undefined;
          const r = await revoke({ id: revoking.id });
          if (!r.error) notifications.show({ color: 'sea', message: t('keys.revoked', { name: revoking.name }) });
          return r.error;
        }}
      >
        <Text fz="sm">{t('keys.revokeBody', { name: revoking?.name ?? '' })}</Text>
      </ConfirmDialog>
    </SettingsFrame>
  );
}

function KeyRow({ apiKey, first, onRevoke }: { apiKey: ApiKey; first: boolean; onRevoke: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const revoked = apiKey.revokedAt != null;
  return (
    <li
      aria-label={apiKey.name}
      style={{ padding: 'var(--mantine-spacing-sm) var(--mantine-spacing-md)', borderTop: first ? undefined : '1px solid var(--mantine-color-default-border)' }}
    >
      <Group justify="space-between" gap="sm" align="center">
        <Stack gap={2} style={{ minWidth: 0, flex: '1 1 260px' }}>
          <Text fw={600} fz="sm" c={revoked ? 'dimmed' : undefined} td={revoked ? 'line-through' : undefined} style={{ overflowWrap: 'anywhere' }}>
            {apiKey.name}
          </Text>
          <Group gap={8} wrap="wrap">
            <Badge size="sm" variant="light" color="gray">
              {t('keys.acts', { role: tc(`roles.${apiKey.role}`) })}
            </Badge>
            <Text fz="xs" c={revoked ? 'red.9' : 'dimmed'} fw={revoked ? 600 : undefined}>
              {revoked ? t('keys.revokedOn', { date: format.dateTime(apiKey.revokedAt!) }) : t('keys.createdOn', { date: format.dateTime(apiKey.createdAt) })}
            </Text>
          </Group>
        </Stack>
        {revoked ? null : (
          <Button size="xs" variant="default" color="red" onClick={onRevoke} aria-label={t('keys.revokeFor', { name: apiKey.name })}>
            {t('keys.revoke')}
          </Button>
        )}
      </Group>
    </li>
  );
}

export function CreateKeyDialog({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (name: string, key: string) => void }) {
  const { t } = useTranslation('settings');
  return (
    <SettingsModal opened={opened} onClose={onClose} title={t('keys.createTitle')}>
      {opened ? <CreateKeyForm onClose={onClose} onCreated={onCreated} /> : null}
    </SettingsModal>
  );
}

function CreateKeyForm({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string, key: string) => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const viewer = useViewer();
  const roles = grantableRoles(viewer?.role ?? 'ADMIN');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [state, create] = useMutation(SettingsCreateApiKeyDocument);
  const nameError = submitted && !name.trim() ? t('keys.nameRequired') : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setProblem(null);
    if (!name.trim()) return;
    const result = await create({ name: name.trim(), role });
    if (result.data) onCreated(result.data.createApiKey.apiKey.name, result.data.createApiKey.key);
    else if (result.error) setProblem(describeError(result.error, tc, { FORBIDDEN: t('keys.roleAboveYou') }));
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label={t('keys.createTitle')}>
      <Stack gap="md">
        <TextInput
          label={t('keys.name')}
          description={t('keys.nameHint')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          required
          maxLength={200}
          error={nameError}
          autoComplete="off"
          data-autofocus
        />
        <NativeSelect
          label={t('keys.role')}
          description={t('keys.roleHint')}
          value={role}
          onChange={(e) => setRole(e.currentTarget.value as Role)}
          data={roles.map((r) => ({ value: r, label: `${tc(`roles.${r}`)} — ${t(`roleHelp.${r}`)}` }))}
        />
        {problem ? <ProblemAlert problem={problem} /> : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button type="submit" loading={state.fetching}>
            {t('keys.createSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
