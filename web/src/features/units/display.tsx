// Small pieces the units screens share: the order of units, and the mark of
// an archived unit (a word, never a colour alone).
import { useTranslation } from 'react-i18next';
import type { UnitFieldsFragment } from '@/gql/graphql';
import classes from './units.module.css';

/** Active units first, then archived ones; each by name in the UI language. */
export function sortUnits<T extends Pick<UnitFieldsFragment, 'name' | 'archived'>>(units: readonly T[], locale?: string): T[] {
  const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  return [...units].sort((a, b) => Number(a.archived) - Number(b.archived) || collator.compare(a.name, b.name));
}

export function ArchivedBadge({ size = 'sm' }: { size?: 'sm' | 'md' }) {
  const { t } = useTranslation('units');
  return (
    <span className={classes.archivedBadge} data-size={size}>
      {t('archived')}
    </span>
  );
}
