// What a route shows when its code fails to load or it throws while
// rendering. A screen's chunk that no longer exists means berth was updated
// while this page was open: say so and offer a reload.
import { Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useRouteError } from 'react-router';

/** Whether the error is a lazily loaded module that could not be fetched. */
export function isChunkLoadError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /dynamically imported module|Importing a module script failed|error loading dynamically imported module|Failed to fetch/i.test(
    message,
  );
}

export function RouteError() {
  const error = useRouteError();
  const { t } = useTranslation();
  const updated = isChunkLoadError(error);
  if (!updated) console.error(error);
  return (
    <Center mih="60vh" p="md">
      <Paper withBorder p="xl" maw={480} role="alert">
        <Stack gap="sm">
          <Title order={1} fz="h3">
            {updated ? t('routeError.updatedTitle') : t('routeError.title')}
          </Title>
          <Text>{updated ? t('routeError.updatedBody') : t('routeError.body')}</Text>
          <Button onClick={() => window.location.reload()} style={{ alignSelf: 'start' }}>
            {t('routeError.reload')}
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
