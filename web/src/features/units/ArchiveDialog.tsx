// Archiving a unit, after saying what it means: no new bookings (board,
// public site, API), gone from the board, the calendar's capacity and the
// public catalog from now on; its reservations and history stay, and the
// upcoming ones are NOT canceled (they are counted, with a link to them).
// berth has no way back (no unarchive): the dialog says so.
import { useMemo, useState } from 'react';
import { Anchor, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { UnitArchiveDocument, UnitUpcomingDocument, type UnitFieldsFragment } from '@/gql/graphql';
import { describeError } from '@/lib/errors';

const activeStates = ['HELD', 'CONFIRMED', 'CHECKED_IN'] as const;

interface Props {
  unit: UnitFieldsFragment;
  opened: boolean;
  onClose: () => void;
  onArchived: (unit: UnitFieldsFragment) => void;
}

export function ArchiveDialog({ unit, opened, onClose, onArchived }: Props) {
  const { t } = useTranslation('units');
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('archive.title', { name: unit.name })}</span>}
      fullScreen={fullScreen}
      size="lg"
      closeButtonProps={{ 'aria-label': t('archive.close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {opened ? <ArchiveBody unit={unit} onClose={onClose} onArchived={onArchived} /> : null}
    </Modal>
  );
}

function ArchiveBody({ unit, onClose, onArchived }: Omit<Props, 'opened'>) {
  const { t } = useTranslation('units');
  const { t: tc } = useTranslation();
  const [now] = useState(() => new Date().toISOString());
  const filter = useMemo(() => ({ unitId: unit.id, states: [...activeStates], from: now }), [unit.id, now]);
  const [upcoming] = useQuery({ query: UnitUpcomingDocument, variables: { filter }, requestPolicy: 'network-only' });
  const [archiving, archive] = useMutation(UnitArchiveDocument);
  const [error, setError] = useState<CombinedError | null>(null);

  const count = upcoming.data?.reservations.nodes.length ?? null;
  const more = upcoming.data?.reservations.pageInfo.hasNextPage ?? false;
  const listLink = `/reservations?${new URLSearchParams([['unit', unit.id], ...activeStates.map((s) => ['state', s])]).toString()}`;

  async function confirm() {
    setError(null);
    const result = await archive({ id: unit.id });
    if (result.data) onArchived(result.data.archiveUnit);
    else if (result.error) setError(result.error);
  }

  return (
    <Stack gap="md">
      <Text>{t('archive.intro')}</Text>
      <List spacing={6} size="sm">
        <List.Item>{t('archive.noBookings')}</List.Item>
        <List.Item>{t('archive.leaves')}</List.Item>
        <List.Item>{t('archive.keeps')}</List.Item>
        <List.Item>{t('archive.noWayBack')}</List.Item>
      </List>
      <Text fz="sm" role="status" aria-live="polite" fw={count ? 600 : undefined}>
        {upcoming.error
          ? t('archive.upcomingUnknown')
          : count === null
            ? t('archive.upcomingLoading')
            : count === 0
              ? t('archive.upcomingNone')
              : (
                  <Trans
                    t={t}
                    i18nKey={more ? 'archive.upcomingMore' : 'archive.upcoming'}
                    count={count}
                    components={{ list: <Anchor component={Link} to={listLink} /> }}
                  />
                )}
      </Text>
      {error ? <ProblemAlert problem={describeError(error, tc)} title={t('archive.failed')} /> : null}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose} disabled={archiving.fetching} data-autofocus>
          {t('archive.keep')}
        </Button>
        <Button color="red.9" onClick={() => void confirm()} loading={archiving.fetching}>
          {t('archive.confirm')}
        </Button>
      </Group>
    </Stack>
  );
}
