// The offline banner: shown while the browser has no network, or while berth
// does not answer although the network is up. Polite live region, so a screen
// reader hears it once when it appears.
import { Alert, Button, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useOnline } from '@/lib/online';
import { useSession } from '@/lib/session/session';

export function OfflineBanner() {
  const { t } = useTranslation();
  const online = useOnline();
  const { state, reachable, recheck } = useSession();
  const unreachable = !reachable || state.status === 'offline';
  if (online && !unreachable) return null;
  return (
    <Alert
      color="yellow"
      variant="filled"
      radius={0}
      role="status"
      aria-live="polite"
      data-testid="offline-banner"
      styles={{ root: { color: 'var(--mantine-color-black)' }, body: { color: 'inherit' } }}
    >
      <Group justify="space-between" gap="xs" wrap="wrap">
        <div>
          <Text fw={700} c="inherit">
            {online ? t('offline.unreachableTitle') : t('offline.title')}
          </Text>
          <Text fz="sm" c="inherit">
            {online ? t('offline.unreachableBody') : t('offline.body')}
          </Text>
        </div>
        {online ? (
          <Button size="xs" variant="white" color="dark" onClick={recheck}>
            {t('offline.retry')}
          </Button>
        ) : null}
      </Group>
    </Alert>
  );
}
