// Choosing the guest: search the existing clients by name or e-mail, or
// enter a new client (name, e-mail, phone) created with the booking.
import { useId, useState } from 'react';
import { Group, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { BookingClientsDocument } from '@/gql/graphql';
import type { ClientChoice, ClientProblems } from './client';

export interface ClientSearchProps {
  value: string | null;
  onChange: (clientId: string | null) => void;
  /** The chosen client's name, shown before the search has answered. */
  initialLabel?: string;
  error?: string;
  label?: string;
  disabled?: boolean;
}

/** A searchable list of the tenant's clients (by name or e-mail). */
export function ClientSearch({ value, onChange, initialLabel, error, label, disabled }: ClientSearchProps) {
  const { t } = useTranslation('booking');
  const [search, setSearch] = useState(initialLabel ?? '');
  // The chosen client's option: kept in the list whatever the search finds,
  // and its label (which the input then shows) is not searched for.
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(
    value && initialLabel ? { value, label: initialLabel } : null,
  );
  const wanted = chosen && search === chosen.label ? '' : search.trim();
  const [debounced] = useDebouncedValue(wanted, 250);
  const [result] = useQuery({
    query: BookingClientsDocument,
    variables: { search: debounced || null, first: 20 },
    requestPolicy: 'cache-and-network',
  });
  const clients = result.data?.clients.nodes ?? [];
  const data = clients.map((client) => ({
    value: client.id,
    label: client.email ? `${client.name} · ${client.email}` : client.name,
    disabled: client.blocked,
  }));
  if (value && chosen?.value === value && !data.some((option) => option.value === value)) {
    data.unshift({ ...chosen, disabled: false });
  }
  return (
    <Select
      label={label ?? t('client.search')}
      placeholder={t('client.searchPlaceholder')}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      // The server filters; show what it found.
      filter={({ options }) => options}
      data={data}
      value={value}
      onChange={(id, option) => {
        setChosen(id && option ? { value: id, label: option.label } : null);
        onChange(id);
      }}
      clearable
      disabled={disabled}
      error={error ?? (result.error ? t('client.searchFailed') : undefined)}
      nothingFoundMessage={result.fetching ? t('client.searching') : t('client.noneFound')}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export interface ClientPickerProps {
  value: ClientChoice;
  onChange: (choice: ClientChoice) => void;
  problems?: ClientProblems;
  disabled?: boolean;
}

/** An existing client or a new one. */
export function ClientPicker({ value, onChange, problems = {}, disabled }: ClientPickerProps) {
  const { t } = useTranslation('booking');
  const labelId = useId();
  const error = (field: keyof ClientProblems) => (problems[field] ? t(problems[field]) : undefined);
  // What was typed in each mode stays when switching back and forth.
  const [kept, setKept] = useState<{ existing: ClientChoice; new: ClientChoice }>({
    existing: value.mode === 'existing' ? value : { mode: 'existing', clientId: null },
    new: value.mode === 'new' ? value : { mode: 'new', name: '', email: '', phone: '' },
  });
  const change = (choice: ClientChoice) => {
    setKept((before) => ({ ...before, [choice.mode]: choice }));
    onChange(choice);
  };

  return (
    <Stack gap="xs">
      <Text id={labelId} fw={600} fz="sm">
        {t('client.title')}
      </Text>
      <SegmentedControl
        aria-labelledby={labelId}
        value={value.mode}
        disabled={disabled}
        onChange={(mode) => onChange(mode === 'new' ? kept.new : kept.existing)}
        data={[
          { value: 'existing', label: t('client.existing') },
          { value: 'new', label: t('client.new') },
        ]}
        fullWidth
      />
      {value.mode === 'existing' ? (
        <ClientSearch
          value={value.clientId}
          onChange={(clientId) => change({ mode: 'existing', clientId })}
          error={error('clientId')}
          disabled={disabled}
        />
      ) : (
        <Stack gap="xs">
          <TextInput
            label={t('client.name')}
            value={value.name}
            required
            autoComplete="off"
            disabled={disabled}
            error={error('name')}
            onChange={(event) => change({ ...value, name: event.currentTarget.value })}
          />
          <Group grow align="flex-start" gap="sm">
            <TextInput
              type="email"
              label={t('client.email')}
              value={value.email}
              autoComplete="off"
              disabled={disabled}
              error={error('email')}
              onChange={(event) => change({ ...value, email: event.currentTarget.value })}
            />
            <TextInput
              type="tel"
              label={t('client.phone')}
              value={value.phone}
              autoComplete="off"
              disabled={disabled}
              error={error('phone')}
              onChange={(event) => change({ ...value, phone: event.currentTarget.value })}
            />
          </Group>
        </Stack>
      )}
    </Stack>
  );
}
