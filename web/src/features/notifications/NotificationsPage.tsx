// Notifications (/admin/settings/notifications, every signed-in role): push on
// this device (a switch: permission, subscription with the server's VAPID key,
// registration with berth; off unsubscribes), the user's registered devices
// with removal, which kinds of notification the user receives, and which
// e-mails (owners, admins and staff: new booking requests, cancellations,
// no-shows; with a notice when the server sends no e-mail).
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/Switch.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/Skeleton.css';
import { useMemo, useState, type ReactNode } from 'react';
import { Alert, Badge, Button, Group, Modal, Paper, Skeleton, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { SettingsNav } from '@/features/settings';
import {
  NotificationsScreenDocument,
  UnregisterPushSubscriptionDocument,
  UpdateNotificationSettingsDocument,
  type NotificationSettingsFieldsFragment,
  type NotificationsScreenQuery,
} from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { useOnline } from '@/lib/online';
import { usePageTitle } from '@/lib/page-title';
import { roleAtLeast } from '@/lib/session/roles';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { browserEnvironment } from './push-device';
import { pushServiceName } from './push-service';
import { usePushDevice, type PushDevice } from './use-push-device';

const base = import.meta.env.BASE_URL;

function DeviceSection({ device, vapidKeyKnown }: { device: PushDevice; vapidKeyKnown: boolean }) {
  const { t } = useTranslation('notifications');
  const { t: tCommon } = useTranslation();
  const online = useOnline();
  const { state, busy, problem } = device;
  const on = state.status === 'on';
  const checking = state.status === 'checking' || !vapidKeyKnown;
  const possible = state.status === 'on' || state.status === 'off';
  const status = checking ? t('device.checking') : busy ? t('device.working') : on ? t('device.on') : t('device.off');

  const limit: Partial<Record<typeof state.status, string>> = {
    unsupported: t('device.unsupported'),
    insecure: t('device.insecure'),
    'no-server-key': t('device.noServerKey'),
    denied: t('device.denied'),
  };
  const limitText = limit[state.status];

  let problemText: string | null = null;
  if (problem) {
    const words: Record<typeof problem.problem, string> = {
      offline: t('device.problems.offline'),
      dismissed: t('device.problems.dismissed'),
      'subscribe-failed': t('device.problems.subscribeFailed'),
      'register-failed': t('device.problems.registerFailed', {
        reason: isCombinedError(problem.cause) ? describeError(problem.cause, tCommon).message : tCommon('errors.UNKNOWN'),
      }),
      'unregister-failed': t('device.problems.unregisterFailed'),
    };
    problemText = words[problem.problem];
  }

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="notifications-device">
      <Title order={2} fz="h4" id="notifications-device" mb="md">
        {t('device.heading')}
      </Title>
      <Stack gap="md">
        <Switch
          size="md"
          label={t('device.switch')}
          description={<span aria-live="polite">{status}</span>}
          checked={on}
          disabled={checking || busy || !possible || (!on && !online)}
          onChange={(event) => void (event.currentTarget.checked ? device.turnOn() : device.turnOff())}
          aria-describedby={limitText || problemText ? 'notifications-device-note' : undefined}
          styles={{ label: { fontWeight: 600 } }}
        />
        {limitText ? (
          <Alert id="notifications-device-note" color={state.status === 'denied' ? 'orange' : 'gray'} variant="light">
            {limitText}
          </Alert>
        ) : null}
        {!limitText && problemText ? (
          <Alert id="notifications-device-note" color={problem?.problem === 'unregister-failed' ? 'orange' : 'red'} variant="light" role="alert">
            {problemText}
          </Alert>
        ) : null}
        {possible && !on && !online ? (
          <Text fz="sm" c="dimmed">
            {t('device.offlineHint')}
          </Text>
        ) : null}
      </Stack>
    </Paper>
  );
}

function isCombinedError(error: unknown): error is CombinedError {
  return typeof error === 'object' && error !== null && 'graphQLErrors' in error;
}

type Subscription = NotificationsScreenQuery['pushSubscriptions'][number];

function DevicesSection({
  devices,
  thisEndpoint,
  onRemoved,
  device,
}: {
  devices: Subscription[];
  thisEndpoint: string | undefined;
  onRemoved: () => void;
  device: PushDevice;
}) {
  const { t } = useTranslation('notifications');
  const { t: tCommon } = useTranslation();
  const format = useFormat();
  const [confirming, setConfirming] = useState<Subscription | null>(null);
  const [removal, remove] = useMutation(UnregisterPushSubscriptionDocument);
  const [error, setError] = useState<CombinedError | null>(null);
  const isThis = confirming !== null && confirming.endpoint === thisEndpoint;

  const confirm = async () => {
    if (!confirming) return;
    setError(null);
    if (isThis) {
      // This device: off in the browser too (device.turnOff unregisters it).
      await device.turnOff();
      setConfirming(null);
      notifications.show({ message: t('devices.removed'), color: 'teal' });
      return;
    }
    const result = await remove({ endpoint: confirming.endpoint });
    if (result.error) {
      setError(result.error);
      return;
    }
    setConfirming(null);
    onRemoved();
    notifications.show({ message: t('devices.removed'), color: 'teal' });
  };

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="notifications-devices">
      <Title order={2} fz="h4" id="notifications-devices" mb={4}>
        {t('devices.heading')}
      </Title>
      <Text fz="sm" c="dimmed" mb="md">
        {t('devices.hint')}
      </Text>
      {devices.length === 0 ? (
        <Text fz="sm">{t('devices.empty')}</Text>
      ) : (
        <Stack component="ul" gap="xs" m={0} p={0} style={{ listStyle: 'none' }} aria-labelledby="notifications-devices">
          {devices.map((d) => {
            const service = pushServiceName(d.pushService);
            const registered = format.dateTime(d.createdAt, { dateStyle: 'medium' });
            return (
              <Paper component="li" key={d.id} withBorder radius="sm" p="sm" bg="var(--mantine-color-gray-0)">
                <Group justify="space-between" wrap="wrap" gap="sm">
                  <div style={{ minWidth: 0, flex: '1 1 16rem' }}>
                    <Group gap="xs" wrap="wrap">
                      <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                        {t('devices.via', { service })}
                      </Text>
                      {d.endpoint === thisEndpoint ? (
                        <Badge variant="light" size="sm">
                          {t('devices.thisDevice')}
                        </Badge>
                      ) : null}
                    </Group>
                    <Text fz="sm" c="dimmed">
                      {t('devices.registered', { date: registered })} ·{' '}
                      {t('devices.lastSeen', { date: format.dateTime(d.updatedAt, { dateStyle: 'medium', timeStyle: 'short' }) })}
                    </Text>
                  </div>
                  <Button
                    variant="default"
                    size="sm"
                    onClick={() => {
                      setError(null);
                      setConfirming(d);
                    }}
                    aria-label={t('devices.removeLabel', { service, date: registered })}
                  >
                    {t('devices.remove')}
                  </Button>
                </Group>
              </Paper>
            );
          })}
        </Stack>
      )}
      <Modal opened={confirming !== null} onClose={() => setConfirming(null)} title={t('devices.confirmTitle')} centered>
        <Stack gap="md">
          <Text>{isThis ? t('devices.confirmThis') : t('devices.confirmBody')}</Text>
          {error ? <ProblemAlert problem={describeError(error, tCommon)} title={t('devices.removeFailed')} /> : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => setConfirming(null)}>
              {t('devices.cancel')}
            </Button>
            <Button color="red.9" onClick={() => void confirm()} loading={removal.fetching || (isThis && device.busy)}>
              {t('devices.confirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

const pushKinds = ['reservationCreated', 'reservationChanged', 'reservationCanceled', 'noShow', 'lockConflict'] as const;
const emailKinds = ['emailNewRequest', 'emailCanceled', 'emailNoShow'] as const;
type Kind = (typeof pushKinds)[number] | (typeof emailKinds)[number];

/** One group of switches (push kinds, e-mail kinds), each saved as it changes. */
function KindsSection({
  id,
  settings,
  kinds,
  heading,
  hint,
  note,
  disabled = false,
}: {
  id: string;
  settings: NotificationSettingsFieldsFragment;
  kinds: readonly Kind[];
  heading: string;
  hint: string;
  note?: ReactNode;
  disabled?: boolean;
}) {
  const { t } = useTranslation('notifications');
  const { t: tCommon } = useTranslation();
  const [saving, update] = useMutation(UpdateNotificationSettingsDocument);
  const [pending, setPending] = useState<Kind | null>(null);
  const [outcome, setOutcome] = useState<{ kind: Kind; error: CombinedError | null } | null>(null);

  const change = async (kind: Kind, value: boolean) => {
    setPending(kind);
    setOutcome(null);
    const result = await update({ input: { [kind]: value } });
    setPending(null);
    setOutcome({ kind, error: result.error ?? null });
  };

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby={id}>
      <Title order={2} fz="h4" id={id} mb={4}>
        {heading}
      </Title>
      <Text fz="sm" c="dimmed" mb="md">
        {hint}
      </Text>
      {note ? <div style={{ marginBottom: 'var(--mantine-spacing-md)' }}>{note}</div> : null}
      <Stack gap="md">
        {kinds.map((kind) => (
          <div key={kind}>
            <Switch
              label={t(`kinds.${kind}`)}
              description={t(`kinds.${kind}Hint`)}
              checked={settings[kind]}
              disabled={disabled || (saving.fetching && pending === kind)}
              onChange={(event) => void change(kind, event.currentTarget.checked)}
            />
            <div aria-live="polite">
              {outcome?.kind === kind && !outcome.error ? (
                <Text fz="xs" c="teal.9" mt={4} ml={54}>
                  {t('kinds.saved')}
                </Text>
              ) : null}
            </div>
            {outcome?.kind === kind && outcome.error ? (
              <div style={{ marginTop: 8 }}>
                <ProblemAlert problem={describeError(outcome.error, tCommon)} title={t('kinds.saveFailed')} />
              </div>
            ) : null}
          </div>
        ))}
      </Stack>
    </Paper>
  );
}

/** The e-mail opt-ins: what this server does with them (nothing, without SMTP) and whom they reach. */
function EmailSection({ settings, configured, email, staff }: { settings: NotificationSettingsFieldsFragment; configured: boolean; email: string | null; staff: boolean }) {
  const { t } = useTranslation('notifications');
  const note = !configured ? (
    <Alert color="orange" variant="light" title={t('email.offTitle')} styles={{ title: { color: '#8a3a00' } }}>
      {t('email.off')}
    </Alert>
  ) : !staff ? (
    <Alert color="gray" variant="light">
      {t('email.notStaff')}
    </Alert>
  ) : null;
  return (
    <KindsSection
      id="notifications-email"
      settings={settings}
      kinds={emailKinds}
      heading={t('email.heading')}
      hint={email ? t('email.hintTo', { email }) : t('email.hint')}
      note={note}
      disabled={!staff}
    />
  );
}

export default function NotificationsPage() {
  const { t } = useTranslation('notifications');
  const { t: tCommon } = useTranslation();
  usePageTitle(t('title'));
  const viewer = useViewer();
  const env = useMemo(() => browserEnvironment(base), []);
  const [screen, refetch] = useQuery({ query: NotificationsScreenDocument });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const data = screen.data;
  const device = usePushDevice(env, data ? data.vapidPublicKey : undefined, refresh);
  const admin = viewer !== null && roleAtLeast(viewer.role, 'ADMIN');

  return (
    <Stack gap="lg" maw={880}>
      {admin ? <SettingsNav /> : null}
      <div>
        <Title order={1}>{t('title')}</Title>
        <Text c="dimmed" mt={4}>
          {t('intro')}
        </Text>
      </div>

      {screen.error && !data ? (
        <Stack gap="sm" align="flex-start">
          <ProblemAlert problem={describeError(screen.error, tCommon)} title={t('devices.loadFailed')} />
          <Button variant="default" onClick={refresh}>
            {tCommon('offline.retry')}
          </Button>
        </Stack>
      ) : null}

      {data || screen.fetching ? <DeviceSection device={device} vapidKeyKnown={data !== undefined} /> : null}

      {data ? (
        <>
          <DevicesSection devices={data.pushSubscriptions} thisEndpoint={device.state.endpoint} onRemoved={refresh} device={device} />
          <KindsSection id="notifications-kinds" settings={data.notificationSettings} kinds={pushKinds} heading={t('kinds.heading')} hint={t('kinds.hint')} />
          <EmailSection
            settings={data.notificationSettings}
            configured={data.emailSettings.configured}
            email={viewer?.email ?? null}
            staff={viewer === null || roleAtLeast(viewer.role, 'STAFF')}
          />
        </>
      ) : screen.fetching ? (
        <Stack gap="lg" aria-hidden>
          <Skeleton h={140} radius="md" />
          <Skeleton h={260} radius="md" />
        </Stack>
      ) : null}
    </Stack>
  );
}
