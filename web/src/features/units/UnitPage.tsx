// One unit: its details (a form for admins, the facts for everyone else),
// its iCal feed link when the feed is on (admins; turning it on is in
// Settings), and archiving it behind a confirmation that says what that
// means; its photos (photos/PhotoManager.tsx). An archived unit says so at
// the top and is no longer editable.
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/Pill.css';
import '@mantine/core/styles/PillsInput.css';
import '@mantine/core/styles/NumberInput.css';
import '@mantine/core/styles/SimpleGrid.css';
import '@mantine/core/styles/Grid.css';
import '@mantine/core/styles/Tooltip.css';
import { useCallback, useMemo, useRef, useState } from 'react';
import { Alert, Anchor, Button, CopyButton, Grid, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { UnitDetailDocument, UnitIcalFeedDocument, UnitsListDocument, type UnitFieldsFragment } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { roleAtLeast } from '@/lib/session/roles';
import { useViewer } from '@/lib/session/session';
import { ArchiveDialog } from './ArchiveDialog';
import { ArchivedBadge } from './display';
import { PhotoManager } from './photos/PhotoManager';
import { suggestions } from './form';
import { UnitForm } from './UnitForm';
import classes from './units.module.css';

type Unit = UnitFieldsFragment;

export default function UnitPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('units');
  const { t: tc } = useTranslation();
  const [result, refetch] = useQuery({ query: UnitDetailDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  // A mutation's answer is the unit as it is now: shown at once, until the
  // query (which urql runs again after a mutation) brings a newer answer.
  const fetched = result.data?.unit;
  const [answered, setAnswered] = useState<{ unit: Unit; over: Unit | undefined } | null>(null);
  const unit = answered && answered.unit.id === id && answered.over === fetched ? answered.unit : fetched;
  const onChanged = useCallback((changed: Unit) => setAnswered({ unit: changed, over: fetched }), [fetched]);
  usePageTitle(unit ? unit.name : t('detail.loadingTitle'));

  if (result.error && !unit) {
    return (
      <Stack gap="md" align="flex-start">
        <BackLink />
        <Title order={1}>{t('detail.loadingTitle')}</Title>
        <ProblemAlert problem={describeError(result.error, tc)} title={t('detail.loadFailed')} />
        <Button variant="default" onClick={() => refetch({ requestPolicy: 'network-only' })}>
          {t('list.retry')}
        </Button>
      </Stack>
    );
  }
  if (!unit) return <DetailSkeleton />;
  return <UnitView unit={unit} onChanged={onChanged} onReload={() => refetch({ requestPolicy: 'network-only' })} />;
}

function BackLink() {
  const { t } = useTranslation('units');
  return (
    <Anchor component={Link} to="/units" fz="sm">
      ← {t('detail.back')}
    </Anchor>
  );
}

function DetailSkeleton() {
  const { t } = useTranslation('units');
  return (
    <Stack gap="md" role="status" aria-label={t('detail.loading')}>
      <Skeleton height={14} width={80} />
      <Skeleton height={34} width="40%" />
      <Skeleton height={320} radius="md" />
    </Stack>
  );
}

function UnitView({ unit, onChanged, onReload }: { unit: Unit; onChanged: (unit: Unit) => void; onReload: () => void }) {
  const { t, i18n } = useTranslation('units');
  const viewer = useViewer();
  const admin = roleAtLeast(viewer?.role, 'ADMIN');
  const mayEdit = admin && !unit.archived;
  const heading = useRef<HTMLHeadingElement>(null);
  const [archiveOpen, setArchiveOpen] = useState(false);
  // The tenant's other units, for the kind and amenity suggestions.
  const [all] = useQuery({ query: UnitsListDocument, variables: { includeArchived: true }, pause: !mayEdit });
  const offered = useMemo(() => {
    const others = (all.data?.units ?? []).filter((u) => u.id !== unit.id);
    return {
      kinds: suggestions(others.map((u) => u.kind), i18n.language),
      amenities: suggestions(others.flatMap((u) => u.amenities), i18n.language),
    };
  }, [all.data, unit.id, i18n.language]);

  const summary = [
    unit.kind,
    t('detail.inventory', { count: unit.inventory }),
    t('detail.maxGuests', { count: unit.maxGuests }),
  ].filter(Boolean);

  return (
    <Stack gap="lg">
      <Stack gap={6}>
        <BackLink />
        <Group gap="sm" align="center">
          <Title order={1} ref={heading} tabIndex={-1} style={{ overflowWrap: 'anywhere' }}>
            {unit.name}
          </Title>
          {unit.archived ? <ArchivedBadge size="md" /> : null}
        </Group>
        <Text c="dimmed" fz="sm">
          {summary.join(' · ')}
        </Text>
      </Stack>

      {unit.archived ? (
        <Alert color="gray" variant="light" title={t('detail.archivedTitle')}>
          {t('detail.archivedText')}
        </Alert>
      ) : null}

      <Grid gap="lg" align="flex-start">
        <Grid.Col span={{ base: 12, md: mayEdit ? 7 : 8 }}>
          <Stack gap="lg">
            <section className={classes.panel} aria-labelledby="unit-details">
              <Title order={2} size="h4" id="unit-details" mb="sm">
                {t('detail.details')}
              </Title>
              {mayEdit ? (
                <UnitForm
                  unit={unit}
                  kinds={offered.kinds}
                  amenities={offered.amenities}
                  onSaved={(saved) => {
                    onChanged(saved);
                    notifications.show({ color: 'green', message: t('detail.saved') });
                  }}
                />
              ) : (
                <UnitFacts unit={unit} />
              )}
            </section>
            <PhotoManager unitId={unit.id} images={unit.images} mayEdit={mayEdit} onUploaded={onReload} onChanged={onChanged} />
          </Stack>
        </Grid.Col>
        {admin ? (
          <Grid.Col span={{ base: 12, md: mayEdit ? 5 : 4 }}>
            <Stack gap="lg">
              <IcalPanel unit={unit} />
              {!unit.archived ? (
                <section className={classes.panel} aria-labelledby="unit-archive">
                  <Title order={2} size="h4" id="unit-archive" mb={6}>
                    {t('detail.archiveTitle')}
                  </Title>
                  <Text fz="sm" mb="sm">
                    {t('detail.archiveText')}
                  </Text>
                  <Button variant="outline" color="red.9" onClick={() => setArchiveOpen(true)}>
                    {t('detail.archive')}
                  </Button>
                </section>
              ) : null}
            </Stack>
          </Grid.Col>
        ) : null}
      </Grid>

      <ArchiveDialog
        unit={unit}
        opened={archiveOpen}
        onClose={() => setArchiveOpen(false)}
        onArchived={(archived) => {
          setArchiveOpen(false);
          onChanged(archived);
          notifications.show({ color: 'green', message: t('archive.done', { name: archived.name }) });
          requestAnimationFrame(() => heading.current?.focus());
        }}
      />
    </Stack>
  );
}

/** The unit's details as text (staff and viewers; archived units). */
function UnitFacts({ unit }: { unit: Unit }) {
  const { t } = useTranslation('units');
  return (
    <dl className={classes.facts}>
      <dt>{t('form.name')}</dt>
      <dd>{unit.name}</dd>
      <dt>{t('form.kind')}</dt>
      <dd>{unit.kind ?? '—'}</dd>
      <dt>{t('form.inventory')}</dt>
      <dd>{unit.inventory}</dd>
      <dt>{t('form.maxGuests')}</dt>
      <dd>{unit.maxGuests}</dd>
      <dt>{t('form.description')}</dt>
      <dd>{unit.description ?? '—'}</dd>
      <dt>{t('form.amenities')}</dt>
      <dd>
        {unit.amenities.length ? (
          <ul className={classes.tags}>
            {unit.amenities.map((tag) => (
              <li key={tag} className={classes.tag}>
                {tag}
              </li>
            ))}
          </ul>
        ) : (
          '—'
        )}
      </dd>
    </dl>
  );
}

/** The unit's iCal feed link when it is on (admins: the link is a secret). */
function IcalPanel({ unit }: { unit: Unit }) {
  const { t } = useTranslation('units');
  const [feed] = useQuery({ query: UnitIcalFeedDocument, variables: { unitId: unit.id } });
  const url = feed.data?.icalFeed ? new URL(feed.data.icalFeed.path, window.location.origin).href : null;
  return (
    <section className={classes.panel} aria-labelledby="unit-ical">
      <Title order={2} size="h4" id="unit-ical" mb={6}>
        {t('ical.title')}
      </Title>
      {feed.fetching && !feed.data ? (
        <Skeleton height={40} />
      ) : feed.error ? (
        <Text fz="sm" c="dimmed">
          {t('ical.unknown')}
        </Text>
      ) : url ? (
        <Stack gap={8}>
          <Text fz="sm">{t('ical.on')}</Text>
          <Text className={classes.feedUrl} component="code" aria-label={t('ical.link')}>
            {url}
          </Text>
          <Group gap="sm">
            <CopyButton value={url}>
              {({ copied, copy }) => (
                <Button variant="default" size="compact-sm" onClick={copy}>
                  {copied ? t('ical.copied') : t('ical.copy')}
                </Button>
              )}
            </CopyButton>
            <Anchor component={Link} to="/settings" fz="sm">
              {t('ical.manage')}
            </Anchor>
          </Group>
        </Stack>
      ) : (
        <Stack gap={6}>
          <Text fz="sm">{t('ical.off')}</Text>
          <Anchor component={Link} to="/settings" fz="sm">
            {t('ical.turnOn')}
          </Anchor>
        </Stack>
      )}
    </section>
  );
}
