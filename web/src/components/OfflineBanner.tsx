// The offline banner: shown while the browser has no network, or while berth
// does not answer although the network is up. A polite live region, so a
// screen reader hears it once when it appears. Dark text on light amber with a
// strong edge: readable (well over 4.5:1), and more than colour says it.
import { Box, Button, Group, Text } from '@mantine/core';
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
    <Box className="offline-banner" role="status" aria-live="polite" data-testid="offline-banner">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <div>
          <Text fw={700}>{online ? t('offline.unreachableTitle') : t('offline.title')}</Text>
          <Text fz="sm">{online ? t('offline.unreachableBody') : t('offline.body')}</Text>
        </div>
        {online ? (
          <Button size="xs" variant="default" onClick={recheck}>
            {t('offline.retry')}
          </Button>
        ) : null}
      </Group>
    </Box>
  );
}
