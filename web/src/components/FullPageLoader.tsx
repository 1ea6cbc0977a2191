// A centred spinner with a spoken label, while the session or a screen loads.
import { Center, Loader, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export function FullPageLoader() {
  const { t } = useTranslation();
  return (
    <Center mih="60vh" role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="md" aria-hidden />
        <Text c="dimmed" fz="sm">
          {t('loading')}
        </Text>
      </Stack>
    </Center>
  );
}
