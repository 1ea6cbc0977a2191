// Erasing a client's personal data (eraseClient, the right to erasure), behind
// a dialog that says exactly what goes and what stays (the API's and
// ARCHITECTURE.md's account of an erasure), warns when berth will refuse (a
// stay still to serve), and acts only once the user has typed the client's
// name.
import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, List, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { useMutation, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { ClientEraseDocument, type ClientEraseMutation, type ClientFieldsFragment } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import classes from './clients.module.css';
import { namesClient } from './form';

export type Erasure = ClientEraseMutation['eraseClient'];

interface Props {
  client: ClientFieldsFragment;
  opened: boolean;
  onClose: () => void;
  /** How many reservations the client has (null: not known yet). */
  reservations: number | null;
  /** How many of them are held, confirmed or checked in (berth refuses then). */
  active: number;
  onErased: (erasure: Erasure) => void;
}

export function EraseDialog({ client, opened, onClose, reservations, active, onErased }: Props) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('erase.title', { name: client.name })}</span>}
      fullScreen={fullScreen}
      size="lg"
      closeButtonProps={{ 'aria-label': tc('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {opened ? <EraseForm client={client} reservations={reservations} active={active} onCancel={onClose} onErased={onErased} /> : null}
    </Modal>
  );
}

export function EraseForm({
  client,
  reservations,
  active,
  onCancel,
  onErased,
}: Omit<Props, 'opened' | 'onClose'> & { onCancel: () => void }) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const [typed, setTyped] = useState('');
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<CombinedError | null>(null);
  const [erasing, erase] = useMutation(ClientEraseDocument);
  const confirmed = namesClient(typed, client.name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    setError(null);
    if (!confirmed) {
      document.getElementById('erase-confirm')?.focus();
      return;
    }
    const result = await erase({ id: client.id });
    if (result.data) onErased(result.data.eraseClient);
    else if (result.error) setError(result.error);
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        <Text fw={600}>{t('erase.intro')}</Text>
        <div className={classes.eraseBox}>
          <Title order={3} fz="sm" mb={4}>
            {t('erase.erasedHeading')}
          </Title>
          <List size="sm" spacing={2}>
            <List.Item>{t('erase.erased.client')}</List.Item>
            <List.Item>
              {reservations === null ? t('erase.erased.reservationsUnknown') : t('erase.erased.reservations', { count: reservations })}
            </List.Item>
            <List.Item>{t('erase.erased.history')}</List.Item>
          </List>
        </div>
        <div>
          <Title order={3} fz="sm" mb={4}>
            {t('erase.keptHeading')}
          </Title>
          <List size="sm" spacing={2}>
            <List.Item>{t('erase.kept.reservations')}</List.Item>
            <List.Item>{t('erase.kept.history')}</List.Item>
            <List.Item>{t('erase.kept.tombstone')}</List.Item>
          </List>
        </div>
        <Text fz="sm" c="dimmed">
          {t('erase.elsewhere')}
        </Text>
        {active > 0 ? (
          <Alert color="orange" variant="light" role="note">
            {t('erase.active', { count: active })}
          </Alert>
        ) : null}
        <TextInput
          id="erase-confirm"
          label={t('erase.typeLabel')}
          description={t('erase.typeHint', { name: client.name })}
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          error={tried && !confirmed ? t('erase.typeMismatch') : undefined}
          data-autofocus
        />
        {error ? <ProblemAlert problem={describeError(error, tc, { CONFLICT: t('erase.conflict') })} title={t('erase.failed')} /> : null}
        <Group justify="flex-end" gap="sm" mt="xs">
          <Button variant="default" onClick={onCancel}>
            {t('erase.cancel')}
          </Button>
          <Button type="submit" color="red.9" loading={erasing.fetching}>
            {t('erase.confirm')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
