// One audit entry in words (when, who, what, on which entity) and its before
// and after (diff.ts): a table of the changed fields on wide screens, a list
// on phones; each changed field's kind of change in a word, the colour only
// repeating it. Reservation entries read as a reservation's own history does
// (the reservations feature's words and values).
import { useMemo } from 'react';
import { Button, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { AuditActorsDocument, type AuditLogQuery } from '@/gql/graphql';
import { actorName, ReservationAuditValue, reservationEntryTitle } from '@/features/reservations';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import classes from './audit.module.css';
import { diffEntry, humanise, type DiffRow, type DiffValue } from './diff';

export type Entry = AuditLogQuery['auditLog']['nodes'][number];

/** The entry's facts in words. */
export function useEntryWords(entry: Entry) {
  const { t } = useTranslation('audit');
  const { t: tr } = useTranslation('reservations');
  const format = useFormat();
  const viewer = useViewer();
  const [actors] = useQuery({ query: AuditActorsDocument });
  const diff = useMemo(() => diffEntry(entry), [entry]);
  const emails = useMemo(() => new Map((actors.data?.users ?? []).map((u) => [u.id, u.email])), [actors.data]);
  const keys = useMemo(() => new Map((actors.data?.apiKeys ?? []).map((k) => [k.id, k.name])), [actors.data]);

  const actor = actorName(entry.actor, viewer?.id, emails);
  let who: string;
  switch (actor.kind) {
    case 'you':
      who = t('actor.you', { email: viewer?.email ?? '' });
      break;
    case 'user':
      who = actor.email;
      break;
    case 'someUser':
      who = t('actor.someUser');
      break;
    case 'apiKey': {
      const name = keys.get(entry.actor.slice('api_key:'.length));
      who = name ? t('actor.apiKey', { name }) : t('actor.someApiKey');
      break;
    }
    case 'public':
      who = t('actor.public');
      break;
    case 'system':
      who = t('actor.system');
      break;
  }
  const what = diff.summary ? reservationEntryTitle(diff.summary, tr) : t(`action.${entry.action}`, { defaultValue: humanise(entry.action) });
  const entity = `${t(`entity.${entry.entityType}`, { defaultValue: humanise(entry.entityType) })} …${entry.entityId.slice(-8)}`;
  return {
    when: format.dateTime(entry.at, { dateStyle: 'medium', timeStyle: 'medium' }),
    who,
    what,
    entity,
    diff,
    changeCount: diff.rows.length,
  };
}

export function EntryChanges({ entry, onOnly, phone = false }: { entry: Entry; onOnly: () => void; phone?: boolean }) {
  const { t } = useTranslation('audit');
  const words = useEntryWords(entry);
  const rows = words.diff.rows;
  const created = rows.length > 0 && rows.every((r) => r.change === 'set');
  return (
    <div>
      {rows.length === 0 ? (
        <Text fz="sm">{t('entry.noChanges')}</Text>
      ) : phone ? (
        <ul className={classes.diffList} aria-label={t('columns.changes')}>
          {rows.map((row) => (
            <li key={row.field} className={classes.diffItem} data-change={row.change}>
              <Text fz="sm" fw={600} span>
                <FieldLabel row={row} />
              </Text>{' '}
              <span className={classes.changeWord}>{t(`change.${row.change}`)}</span>
              {row.before && row.change !== 'set' ? (
                <div>
                  {t('entry.before')}: <ValueView value={row.before} />
                </div>
              ) : null}
              <div>
                {row.change === 'set' ? t('entry.value') : t('entry.after')}:{' '}
                <span className={row.change === 'set' ? undefined : classes.after}>
                  <ValueView value={row.after} />
                </span>
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <table className={classes.diff}>
          <thead>
            <tr>
              <th scope="col">{t('entry.field')}</th>
              <th scope="col">{t('entry.change')}</th>
              {created ? null : <th scope="col">{t('entry.before')}</th>}
              <th scope="col">{created ? t('entry.value') : t('entry.after')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.field} data-change={row.change}>
                <th scope="row">
                  <FieldLabel row={row} />
                </th>
                <td>
                  <span className={classes.changeWord}>{t(`change.${row.change}`)}</span>
                </td>
                {created ? null : <td>{row.before && row.change !== 'set' ? <ValueView value={row.before} /> : null}</td>}
                <td className={row.change === 'set' ? undefined : classes.after}>
                  <ValueView value={row.after} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Group gap="sm" mt="xs" align="center" wrap="wrap">
        <Button variant="default" size="compact-sm" onClick={onOnly}>
          {t('filters.onlyThis')}
        </Button>
        {entry.requestId ? (
          <Text fz="xs" c="dimmed">
            {t('entry.request', { id: entry.requestId })}
          </Text>
        ) : null}
      </Group>
      <details>
        <summary>
          <Text component="span" fz="xs">
            {t('entry.raw')}
          </Text>
        </summary>
        <pre className={classes.raw}>{JSON.stringify(entry.metadata, null, 2)}</pre>
      </details>
    </div>
  );
}

function FieldLabel({ row }: { row: DiffRow }) {
  const { t } = useTranslation('audit');
  const { t: tr } = useTranslation('reservations');
  if (row.reservation) return <>{tr(`history.field.${row.field}`)}</>;
  return <>{t(`field.${row.field}`, { defaultValue: humanise(row.field) })}</>;
}

function ValueView({ value }: { value: DiffValue }) {
  const { t } = useTranslation('audit');
  const format = useFormat();
  switch (value.kind) {
    case 'none':
      return <>{t('value.none')}</>;
    case 'erased':
      return <em>{t('value.erased')}</em>;
    case 'text':
      return <q>{value.text}</q>;
    case 'bool':
      return <>{value.value ? t('value.yes') : t('value.no')}</>;
    case 'number':
      return <>{value.value}</>;
    case 'instant':
      return <>{format.dateTime(value.instant)}</>;
    case 'date':
      return <>{format.date(value.date)}</>;
    case 'money':
      return <>{format.money(value.money)}</>;
    case 'json':
      return <code>{value.text}</code>;
    case 'reservation':
      return <ReservationAuditValue value={value.value} />;
  }
}
