// Settings › Webhooks: the tenant's webhooks (deleted ones on request), each
// with a link to its deliveries; creating one (URL and the events it gets)
// whose signing secret is shown once; deleting one after a warning.
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/Pill.css';
import '@mantine/core/styles/PillsInput.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/Switch.css';
import { useState, type FormEvent } from 'react';
import { Anchor, Badge, Button, Group, Paper, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { SettingsCreateWebhookDocument, SettingsDeleteWebhookDocument, SettingsWebhooksDocument, type SettingsWebhookFragment } from '@/gql/graphql';
import { describeError, type Problem } from '@/lib/errors';
import { useFormat } from '@/lib/use-format';
import { ConfirmDialog, ListState, SettingsFrame, SettingsModal } from './parts';
import { SecretDialog, type ShownSecret } from './SecretDialog';
import { eventSuggestions, webhookFormProblems } from './webhook-form';

type Webhook = SettingsWebhookFragment;

export default function WebhooksPage() {
  const { t } = useTranslation('settings');
  const [includeDeleted, setIncludeDeleted] = useState(false);
  const [result, refetch] = useQuery({ query: SettingsWebhooksDocument, variables: { includeDeleted } });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [, remove] = useMutation(SettingsDeleteWebhookDocument);
  const hooks = result.data?.webhooks ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <SettingsFrame section="webhooks" description={t('webhooks.description')} actions={<Button onClick={() => setCreating(true)}>{t('webhooks.create')}</Button>}>
      <Switch label={t('webhooks.showDeleted')} checked={includeDeleted} onChange={(e) => setIncludeDeleted(e.currentTarget.checked)} />
      <ListState
        fetching={result.fetching}
        error={result.error}
        empty={hooks.length === 0}
        loadingLabel={t('webhooks.loading')}
        failedTitle={t('webhooks.loadFailed')}
        emptyText={t('webhooks.empty')}
        onRetry={reload}
      >
        <Paper withBorder radius="md" component="ul" aria-label={t('webhooks.listLabel')} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {hooks.map((hook, index) => (
            <WebhookRow key={hook.id} hook={hook} first={index === 0} onDelete={() => setDeleting(hook)} />
          ))}
        </Paper>
      </ListState>
      <CreateWebhookDialog
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(url, signingSecret) => {
          setCreating(false);
          reload();
          setSecret({ title: t('webhooks.createdTitle'), intro: t('webhooks.createdIntro', { url }), label: t('webhooks.secret'), value: signingSecret });
        }}
      />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
      <ConfirmDialog
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title={t('webhooks.deleteTitle')}
        confirmLabel={t('webhooks.deleteConfirm')}
        danger
        onConfirm={async () => {
          if (!deleting) return undefined;
          const r = await remove({ id: deleting.id });
          if (!r.error) {
            notifications.show({ color: 'sea', message: t('webhooks.deleted') });
            reload();
          }
          return r.error;
        }}
      >
        <Text fz="sm">{t('webhooks.deleteBody', { url: deleting?.url ?? '' })}</Text>
      </ConfirmDialog>
    </SettingsFrame>
  );
}

function WebhookRow({ hook, first, onDelete }: { hook: Webhook; first: boolean; onDelete: () => void }) {
  const { t } = useTranslation('settings');
  const format = useFormat();
  const deleted = hook.deletedAt != null;
  return (
    <li
      aria-label={hook.url}
      style={{ padding: 'var(--mantine-spacing-sm) var(--mantine-spacing-md)', borderTop: first ? undefined : '1px solid var(--mantine-color-default-border)' }}
    >
      <Group justify="space-between" gap="sm" align="center">
        <Stack gap={4} style={{ minWidth: 0, flex: '1 1 300px' }}>
          <Text fw={600} fz="sm" ff="monospace" c={deleted ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
            {hook.url}
          </Text>
          <Group gap={6} wrap="wrap">
            {hook.events.map((event) => (
              <Badge key={event} size="sm" variant="light" color="gray" tt="none">
                {event === '*' ? t('webhooks.allEvents') : event}
              </Badge>
            ))}
          </Group>
          <Text fz="xs" c={deleted ? 'red.9' : 'dimmed'} fw={deleted ? 600 : undefined}>
            {deleted ? t('webhooks.deletedOn', { date: format.dateTime(hook.deletedAt!) }) : t('webhooks.createdOn', { date: format.dateTime(hook.createdAt) })}
          </Text>
        </Stack>
        <Group gap={6}>
          <Anchor component={Link} to={`/settings/webhooks/${hook.id}`} fz="sm" fw={600} aria-label={t('webhooks.deliveriesFor', { url: hook.url })}>
            {t('webhooks.deliveries')}
          </Anchor>
          {deleted ? null : (
            <Button size="xs" variant="default" color="red" onClick={onDelete} aria-label={t('webhooks.deleteFor', { url: hook.url })}>
              {t('webhooks.delete')}
            </Button>
          )}
        </Group>
      </Group>
    </li>
  );
}

export function CreateWebhookDialog({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (url: string, secret: string) => void }) {
  const { t } = useTranslation('settings');
  return (
    <SettingsModal opened={opened} onClose={onClose} title={t('webhooks.createTitle')}>
      {opened ? <CreateWebhookForm onClose={onClose} onCreated={onCreated} /> : null}
    </SettingsModal>
  );
}

function CreateWebhookForm({ onClose, onCreated }: { onClose: () => void; onCreated: (url: string, secret: string) => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['reservation.*']);
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [state, create] = useMutation(SettingsCreateWebhookDocument);
  const problems = webhookFormProblems(url, events);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setProblem(null);
    if (problems.url || problems.events) return;
    const result = await create({ url: url.trim(), events });
    if (result.data) onCreated(result.data.createWebhook.webhook.url, result.data.createWebhook.secret);
    else if (result.error) setProblem(describeError(result.error, tc));
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label={t('webhooks.createTitle')}>
      <Stack gap="md">
        <TextInput
          label={t('webhooks.url')}
          description={t('webhooks.urlHint')}
          placeholder="https://example.org/berth-events"
          type="url"
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          required
          error={submitted && problems.url ? t(`webhooks.${problems.url}`) : undefined}
          autoComplete="off"
          spellCheck={false}
          data-autofocus
        />
        <TagsInput
          label={t('webhooks.events')}
          description={t('webhooks.eventsHint')}
          value={events}
          onChange={setEvents}
          data={eventSuggestions}
          clearable
          acceptValueOnBlur
          splitChars={[',', ' ']}
          error={submitted && problems.events ? t('webhooks.eventsRequired') : undefined}
          comboboxProps={{ withinPortal: true }}
        />
        {problem ? <ProblemAlert problem={problem} /> : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button type="submit" loading={state.fetching}>
            {t('webhooks.createSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
