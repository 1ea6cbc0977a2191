// A new unit (admins): the unit form; once created, the unit's own screen,
// where its photos are added.
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/Pill.css';
import '@mantine/core/styles/PillsInput.css';
import '@mantine/core/styles/NumberInput.css';
import '@mantine/core/styles/SimpleGrid.css';
import { useMemo } from 'react';
import { Anchor, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useQuery } from 'urql';
import { UnitsListDocument } from '@/gql/graphql';
import { usePageTitle } from '@/lib/page-title';
import { suggestions } from './form';
import { UnitForm } from './UnitForm';
import classes from './units.module.css';

export default function NewUnitPage() {
  const { t, i18n } = useTranslation('units');
  usePageTitle(t('new.title'));
  const navigate = useNavigate();
  const [all] = useQuery({ query: UnitsListDocument, variables: { includeArchived: true } });
  const offered = useMemo(() => {
    const units = all.data?.units ?? [];
    return {
      kinds: suggestions(units.map((u) => u.kind), i18n.language),
      amenities: suggestions(units.flatMap((u) => u.amenities), i18n.language),
    };
  }, [all.data, i18n.language]);

  return (
    <Stack gap="md" maw={720}>
      <Stack gap={6}>
        <Anchor component={Link} to="/units" fz="sm">
          ← {t('detail.back')}
        </Anchor>
        <Title order={1}>{t('new.title')}</Title>
        <Text c="dimmed" fz="sm">
          {t('new.hint')}
        </Text>
      </Stack>
      <section className={classes.panel}>
        <UnitForm
          kinds={offered.kinds}
          amenities={offered.amenities}
          onCancel={() => void navigate('/units')}
          onSaved={(unit) => {
            notifications.show({ color: 'green', message: t('new.created', { name: unit.name }) });
            void navigate(`/units/${unit.id}`, { replace: true });
          }}
        />
      </section>
    </Stack>
  );
}
