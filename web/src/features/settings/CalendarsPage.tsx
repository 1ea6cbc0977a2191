// Settings › Calendars, per unit: its iCal export link (copy, make a new one
// — the old link stops working —, turn off), and the calendars synced into it
// (added, fetched now, removed) with how the last fetch went, in words.
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/Checkbox.css';
import '@mantine/core/styles/NumberInput.css';
import { useState, type FormEvent } from 'react';
import { Button, Checkbox, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  SettingsAddCalendarSyncDocument,
  SettingsCalendarSyncsDocument,
  SettingsDisableIcalFeedDocument,
  SettingsIcalFeedDocument,
  SettingsRemoveCalendarSyncDocument,
  SettingsRequestCalendarSyncDocument,
  SettingsRotateIcalTokenDocument,
  SettingsUnitsDocument,
  type SettingsCalendarSyncFragment,
} from '@/gql/graphql';
import { describeError, type Problem } from '@/lib/errors';
import { useFormat } from '@/lib/use-format';
import { ConfirmDialog, CopyField, ListState, SettingsFrame, SettingsModal } from './parts';
import { syncOutcome } from './sync-status';

type Sync = SettingsCalendarSyncFragment;
type Unit = { id: string; name: string };

export default function CalendarsPage() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const [units, refetchUnits] = useQuery({ query: SettingsUnitsDocument });
  const [syncs, refetchSyncs] = useQuery({ query: SettingsCalendarSyncsDocument });
  const list = units.data?.units ?? [];
  const reloadSyncs = () => refetchSyncs({ requestPolicy: 'network-only' });
  return (
    <SettingsFrame section="calendars" description={t('calendars.description')}>
      {syncs.error ? <ProblemAlert problem={describeError(syncs.error, tc)} title={t('calendars.syncsFailed')} /> : null}
      <ListState
        fetching={units.fetching}
        error={units.error}
        empty={list.length === 0}
        loadingLabel={t('calendars.loading')}
        failedTitle={t('calendars.loadFailed')}
        emptyText={t('calendars.empty')}
        onRetry={() => refetchUnits({ requestPolicy: 'network-only' })}
      >
        <Stack gap="md">
          {list.map((unit) => (
            <UnitCalendars key={unit.id} unit={unit} syncs={(syncs.data?.calendarSyncs ?? []).filter((s) => s.unitId === unit.id)} onChanged={reloadSyncs} />
          ))}
        </Stack>
      </ListState>
    </SettingsFrame>
  );
}

function UnitCalendars({ unit, syncs, onChanged }: { unit: Unit; syncs: Sync[]; onChanged: () => void }) {
  const { t } = useTranslation('settings');
  const [adding, setAdding] = useState(false);
  const headingId = `unit-${unit.id}`;
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby={headingId}>
      <Stack gap="md">
        <Title order={2} fz="lg" id={headingId}>
          {unit.name}
        </Title>
        <IcalFeed unit={unit} />
        <Stack gap="xs">
          <Group justify="space-between" gap="sm">
            <Title order={3} fz="sm">
              {t('calendars.syncs')}
            </Title>
            <Button size="xs" variant="light" onClick={() => setAdding(true)} aria-label={t('calendars.addFor', { unit: unit.name })}>
              {t('calendars.add')}
            </Button>
          </Group>
          {syncs.length === 0 ? (
            <Text fz="sm" c="dimmed">
              {t('calendars.noSyncs')}
            </Text>
          ) : (
            <ul aria-label={t('calendars.syncsOf', { unit: unit.name })} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {syncs.map((sync) => (
                <SyncRow key={sync.id} sync={sync} onChanged={onChanged} />
              ))}
            </ul>
          )}
        </Stack>
      </Stack>
      <AddSyncDialog unit={unit} opened={adding} onClose={() => setAdding(false)} onAdded={onChanged} />
    </Paper>
  );
}

function IcalFeed({ unit }: { unit: Unit }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const [feed, refetch] = useQuery({ query: SettingsIcalFeedDocument, variables: { unitId: unit.id } });
  const [rotateState, rotate] = useMutation(SettingsRotateIcalTokenDocument);
  const [, disable] = useMutation(SettingsDisableIcalFeedDocument);
  const [confirm, setConfirm] = useState<'rotate' | 'disable' | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const current = feed.data?.icalFeed ?? null;
  const reload = () => refetch({ requestPolicy: 'network-only' });

  async function turnOn() {
    setProblem(null);
    const r = await rotate({ unitId: unit.id });
    if (r.error) setProblem(describeError(r.error, tc));
    else reload();
  }

  return (
    <Stack gap="xs">
      <Title order={3} fz="sm">
        {t('calendars.export')}
      </Title>
      {feed.error ? (
        <ProblemAlert problem={describeError(feed.error, tc)} />
      ) : feed.fetching && !feed.data ? (
        <Text fz="sm" c="dimmed" role="status">
          {t('calendars.feedLoading')}
        </Text>
      ) : current ? (
        <>
          <CopyField
            label={t('calendars.link', { unit: unit.name })}
            value={`${window.location.origin}${current.path}`}
            description={t('calendars.linkHint', { date: format.dateTime(current.createdAt) })}
          />
          <Group gap={6}>
            <Button size="xs" variant="default" onClick={() => setConfirm('rotate')}>
              {t('calendars.rotate')}
            </Button>
            <Button size="xs" variant="default" color="red" onClick={() => setConfirm('disable')}>
              {t('calendars.disable')}
            </Button>
          </Group>
        </>
      ) : (
        <Group gap="sm">
          <Text fz="sm" c="dimmed">
            {t('calendars.feedOff')}
          </Text>
          <Button size="xs" variant="light" loading={rotateState.fetching} onClick={() => void turnOn()} aria-label={t('calendars.enableFor', { unit: unit.name })}>
            {t('calendars.enable')}
          </Button>
        </Group>
      )}
      {problem ? <ProblemAlert problem={problem} /> : null}
      <ConfirmDialog
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        title={t(confirm === 'disable' ? 'calendars.disableTitle' : 'calendars.rotateTitle')}
        confirmLabel={t(confirm === 'disable' ? 'calendars.disableConfirm' : 'calendars.rotateConfirm')}
        danger
        onConfirm={async () => {
          const r = confirm === 'disable' ? await disable({ unitId: unit.id }) : await rotate({ unitId: unit.id });
          if (!r.error) {
            notifications.show({ color: 'sea', message: t(confirm === 'disable' ? 'calendars.disabled' : 'calendars.rotated', { unit: unit.name }) });
            reload();
          }
          return r.error;
        }}
      >
        <Text fz="sm">{t(confirm === 'disable' ? 'calendars.disableBody' : 'calendars.rotateBody', { unit: unit.name })}</Text>
      </ConfirmDialog>
    </Stack>
  );
}

function SyncRow({ sync, onChanged }: { sync: Sync; onChanged: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const [requestState, request] = useMutation(SettingsRequestCalendarSyncDocument);
  const [, remove] = useMutation(SettingsRemoveCalendarSyncDocument);
  const [removing, setRemoving] = useState(false);
  const [clearBlocks, setClearBlocks] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const outcome = syncOutcome(sync);

  async function syncNow() {
    setProblem(null);
    const r = await request({ id: sync.id });
    if (r.error) setProblem(describeError(r.error, tc));
    else notifications.show({ color: 'sea', message: t('calendars.requested', { source: sync.source }) });
  }

  return (
    <li style={{ padding: 'var(--mantine-spacing-xs) 0', borderTop: '1px solid var(--mantine-color-default-border)' }} aria-label={sync.source}>
      <Group justify="space-between" gap="sm" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0, flex: '1 1 300px' }}>
          <Text fz="sm" fw={600}>
            {sync.source}
          </Text>
          <Text fz="xs" ff="monospace" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {sync.url}
          </Text>
          <Text fz="xs" c={outcome.failed ? 'red.9' : undefined} fw={outcome.failed ? 600 : undefined}>
            {outcome.failed ? '✕ ' : outcome.at ? '✓ ' : ''}
            {t(`calendars.status.${outcome.key}`, {
              date: outcome.at ? format.dateTime(outcome.at) : '',
              next: format.dateTime(sync.nextFetchAt),
              count: sync.failures,
            })}
          </Text>
          {outcome.failed && sync.lastError ? (
            <Text fz="xs" c="red.9" style={{ overflowWrap: 'anywhere' }}>
              {sync.lastError}
            </Text>
          ) : null}
          <Text fz="xs" c="dimmed">
            {t('calendars.every', { count: sync.intervalMinutes })} · {t('calendars.nextFetch', { date: format.dateTime(sync.nextFetchAt) })}
          </Text>
          {problem ? <ProblemAlert problem={problem} /> : null}
        </Stack>
        <Group gap={6}>
          <Button size="xs" variant="default" loading={requestState.fetching} onClick={() => void syncNow()} aria-label={t('calendars.syncNowFor', { source: sync.source })}>
            {t('calendars.syncNow')}
          </Button>
          <Button size="xs" variant="default" color="red" onClick={() => setRemoving(true)} aria-label={t('calendars.removeFor', { source: sync.source })}>
            {t('calendars.remove')}
          </Button>
        </Group>
      </Group>
      <ConfirmDialog
        opened={removing}
        onClose={() => setRemoving(false)}
        title={t('calendars.removeTitle')}
        confirmLabel={t('calendars.removeConfirm')}
        danger
        onConfirm={async () => {
          const r = await remove({ id: sync.id, clearBlocks });
          if (!r.error) onChanged();
          return r.error;
        }}
      >
        <Stack gap="sm">
          <Text fz="sm">{t('calendars.removeBody', { source: sync.source })}</Text>
          <Checkbox label={t('calendars.clearBlocks')} checked={clearBlocks} onChange={(e) => setClearBlocks(e.currentTarget.checked)} />
        </Stack>
      </ConfirmDialog>
    </li>
  );
}

function AddSyncDialog({ unit, opened, onClose, onAdded }: { unit: Unit; opened: boolean; onClose: () => void; onAdded: () => void }) {
  const { t } = useTranslation('settings');
  return (
    <SettingsModal opened={opened} onClose={onClose} title={t('calendars.addTitle', { unit: unit.name })}>
      {opened ? <AddSyncForm unit={unit} onClose={onClose} onAdded={onAdded} /> : null}
    </SettingsModal>
  );
}

function AddSyncForm({ unit, onClose, onAdded }: { unit: Unit; onClose: () => void; onAdded: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const [url, setUrl] = useState('');
  const [source, setSource] = useState('airbnb');
  const [interval, setInterval] = useState<number | string>(60);
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [state, add] = useMutation(SettingsAddCalendarSyncDocument);
  const minutes = typeof interval === 'number' ? interval : Number.NaN;
  const urlError = submitted && !/^(https?|webcal):\/\/\S+$/i.test(url.trim()) ? t('calendars.urlInvalid') : undefined;
  const sourceError = submitted && !source.trim() ? t('calendars.sourceRequired') : undefined;
  const intervalError = submitted && !(Number.isInteger(minutes) && minutes >= 15 && minutes <= 1440) ? t('calendars.intervalRange') : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setProblem(null);
    if (!/^(https?|webcal):\/\/\S+$/i.test(url.trim()) || !source.trim() || !(Number.isInteger(minutes) && minutes >= 15 && minutes <= 1440)) return;
    const r = await add({ input: { unitId: unit.id, url: url.trim(), source: source.trim(), intervalMinutes: minutes } });
    if (r.error) setProblem(describeError(r.error, tc, { CONFLICT: t('calendars.sourceTaken', { source: source.trim() }) }));
    else {
      onAdded();
      onClose();
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label={t('calendars.addTitle', { unit: unit.name })}>
      <Stack gap="md">
        <TextInput label={t('calendars.url')} description={t('calendars.urlHint')} value={url} onChange={(e) => setUrl(e.currentTarget.value)} required error={urlError} spellCheck={false} autoComplete="off" data-autofocus />
        <TextInput label={t('calendars.source')} description={t('calendars.sourceHint')} value={source} onChange={(e) => setSource(e.currentTarget.value)} required error={sourceError} autoComplete="off" />
        <NumberInput label={t('calendars.interval')} description={t('calendars.intervalHint')} value={interval} onChange={setInterval} min={15} max={1440} step={15} allowDecimal={false} error={intervalError} />
        {problem ? <ProblemAlert problem={problem} /> : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button type="submit" loading={state.fetching}>
            {t('calendars.addSubmit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
