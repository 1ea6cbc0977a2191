// Create or edit a client in a dialog: name, e-mail, phone, notes (and, when
// creating, whether they start blocked). Each field's problem shows beside it
// as soon as the user tries to save; the server's refusal shows in words
// under the form (an invalid name beside the name).
import { useState, type FormEvent } from 'react';
import { Button, Checkbox, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { useMutation, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { ClientCreateDocument, ClientUpdateDocument, type ClientFieldsFragment } from '@/gql/graphql';
import { describeError, problemKind } from '@/lib/errors';
import {
  checkClient,
  createInput,
  emptyClient,
  nameMax,
  notesMax,
  updateInput,
  valuesOf,
  type ClientValues,
  type FieldProblems,
} from './form';

interface Props {
  opened: boolean;
  onClose: () => void;
  /** The client to edit; none: a new client. */
  client?: ClientFieldsFragment;
  /** Saved: the client as it is now. */
  onSaved: (client: ClientFieldsFragment, created: boolean) => void;
}

export function ClientFormDialog({ opened, onClose, client, onSaved }: Props) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{client ? t('form.editTitle', { name: client.name }) : t('form.createTitle')}</span>}
      fullScreen={fullScreen}
      size="lg"
      closeButtonProps={{ 'aria-label': tc('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {opened ? <ClientForm client={client} onCancel={onClose} onSaved={onSaved} /> : null}
    </Modal>
  );
}

/** The server's INVALID_INPUT names the field (`client.name`): the form shows it there. */
function serverField(error: CombinedError): keyof FieldProblems | null {
  if (problemKind(error) !== 'INVALID_INPUT') return null;
  const match = /client\.(name|email|phone|notes)/.exec(error.graphQLErrors[0]?.message ?? '');
  return (match?.[1] as keyof FieldProblems | undefined) ?? null;
}

export function ClientForm({ client, onCancel, onSaved }: { client?: ClientFieldsFragment; onCancel: () => void; onSaved: Props['onSaved'] }) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const initial = client ? valuesOf(client) : emptyClient;
  const [values, setValues] = useState<ClientValues>(initial);
  const [tried, setTried] = useState(false);
  const [unchanged, setUnchanged] = useState(false);
  const [error, setError] = useState<CombinedError | null>(null);
  const [creating, create] = useMutation(ClientCreateDocument);
  const [updating, update] = useMutation(ClientUpdateDocument);
  const problems = tried ? checkClient(values) : {};
  const errorField = error ? serverField(error) : null;

  const set = (field: keyof ClientValues) => (value: string | boolean) => {
    setValues((before) => ({ ...before, [field]: value }));
    setUnchanged(false);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    setError(null);
    const found = checkClient(values);
    const firstBad = (['name', 'email', 'phone', 'notes'] as const).find((f) => found[f]);
    if (firstBad) {
      document.getElementById(`client-${firstBad}`)?.focus();
      return;
    }
    if (client) {
      const input = updateInput(initial, values);
      if (Object.keys(input).length === 0) {
        setUnchanged(true);
        return;
      }
      const result = await update({ id: client.id, input });
      if (result.data) onSaved(result.data.updateClient, false);
      else if (result.error) setError(result.error);
    } else {
      const result = await create({ input: createInput(values) });
      if (result.data) onSaved(result.data.createClient, true);
      else if (result.error) setError(result.error);
    }
  }

  const fieldError = (field: keyof FieldProblems) => {
    const problem = problems[field];
    if (problem) return t(`form.error.${problem}`, { max: field === 'name' ? nameMax : notesMax });
    if (errorField === field && error) return error.graphQLErrors[0]?.message.replace(/^.*?client\.\w+:?\s*/, '') || tc('errors.INVALID_INPUT');
    return undefined;
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="sm">
        <TextInput
          id="client-name"
          label={t('form.name')}
          required
          autoComplete="off"
          value={values.name}
          onChange={(e) => set('name')(e.currentTarget.value)}
          error={fieldError('name')}
          data-autofocus
        />
        <TextInput
          id="client-email"
          label={t('form.email')}
          type="email"
          autoComplete="off"
          value={values.email}
          onChange={(e) => set('email')(e.currentTarget.value)}
          error={fieldError('email')}
        />
        <TextInput
          id="client-phone"
          label={t('form.phone')}
          type="tel"
          autoComplete="off"
          value={values.phone}
          onChange={(e) => set('phone')(e.currentTarget.value)}
          error={fieldError('phone')}
        />
        <Textarea
          id="client-notes"
          label={t('form.notes')}
          description={t('form.notesHint', { count: [...values.notes].length, max: notesMax })}
          autosize
          minRows={3}
          maxRows={8}
          value={values.notes}
          onChange={(e) => set('notes')(e.currentTarget.value)}
          error={fieldError('notes')}
        />
        {client ? null : (
          <Checkbox
            label={t('form.blocked')}
            description={t('form.blockedHint')}
            checked={values.blocked}
            onChange={(e) => set('blocked')(e.currentTarget.checked)}
          />
        )}
        {error && !errorField ? (
          <ProblemAlert problem={describeError(error, tc)} title={client ? t('form.saveFailed') : t('form.createFailed')} />
        ) : null}
        {unchanged ? (
          <Text fz="sm" role="status">
            {t('form.nothingChanged')}
          </Text>
        ) : null}
        <Group justify="flex-end" gap="sm" mt="xs">
          <Button variant="default" onClick={onCancel}>
            {t('form.cancel')}
          </Button>
          <Button type="submit" loading={creating.fetching || updating.fetching}>
            {client ? t('form.save') : t('form.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
