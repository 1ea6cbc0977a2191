// A client's status in words on a tinted ground: erased, archived, blocked or
// active (the word carries the meaning; the colour only repeats it).
import { useTranslation } from 'react-i18next';
import classes from './clients.module.css';

export type ClientStatus = 'active' | 'blocked' | 'archived' | 'erased';

export function statusOf(client: { blocked: boolean; archived: boolean; erasedAt?: string | null }): ClientStatus {
  if (client.erasedAt) return 'erased';
  if (client.archived) return 'archived';
  if (client.blocked) return 'blocked';
  return 'active';
}

export function StatusBadge({ client }: { client: { blocked: boolean; archived: boolean; erasedAt?: string | null } }) {
  const { t } = useTranslation('clients');
  const status = statusOf(client);
  return (
    <span className={classes.status} data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}
