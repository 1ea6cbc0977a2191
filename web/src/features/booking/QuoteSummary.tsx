// The live quote: price lines and total in the tenant's currency, or why it
// cannot be booked — the business's rules refusing it (their violations, in
// the server's words) or the time being taken. Updates are announced politely
// (one sentence, not the whole table); an outdated quote is dimmed while the
// new one loads.
import { useId } from 'react';
import { Alert, List, Skeleton, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { describeError } from '@/lib/errors';
import { useTenant } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { quoteVerdict, warningColor, type Quote } from './quote';

export interface QuoteSummaryProps {
  /** The latest quote answered (possibly for earlier inputs: see `stale`). */
  quote: Quote | undefined;
  /** The inputs are incomplete: nothing to quote yet. */
  incomplete: boolean;
  /** The quote shown is not (yet) for the current inputs. */
  stale: boolean;
  error?: CombinedError;
  /** The heading's level inside its panel. */
  headingOrder?: 2 | 3 | 4;
  /** Heading text (default: "Quote"). */
  title?: string;
}

export function QuoteSummary({ quote, incomplete, stale, error, headingOrder = 3, title }: QuoteSummaryProps) {
  const { t } = useTranslation('booking');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const tenant = useTenant();
  const headingId = useId();

  let body;
  let announcement = '';
  if (incomplete) {
    body = (
      <Text fz="sm" c="dimmed">
        {t('quote.incomplete')}
      </Text>
    );
  } else if (error && !stale) {
    body = <ProblemAlert problem={describeError(error, tc)} title={t('quote.failed')} />;
  } else if (!quote) {
    body = (
      <Stack gap={6} aria-hidden>
        <Skeleton height={14} />
        <Skeleton height={14} />
        <Skeleton height={14} width="60%" />
      </Stack>
    );
    announcement = t('quote.loading');
  } else {
    const verdict = quoteVerdict(quote);
    const lines =
      quote.lines.length > 0 ? (
        <Table fz="sm" verticalSpacing={4} horizontalSpacing={0} withRowBorders={false}>
          <Table.Caption style={{ captionSide: 'top', textAlign: 'start' }}>
            <VisuallyHidden>{t('quote.linesCaption')}</VisuallyHidden>
          </Table.Caption>
          <Table.Tbody>
            {quote.lines.map((line, index) => (
              <Table.Tr key={`${line.kind}-${index}`}>
                <Table.Th scope="row" fw={400}>
                  {line.label}
                </Table.Th>
                <Table.Td ta="end" style={{ whiteSpace: 'nowrap' }}>
                  {format.money(line.amount)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          {quote.total ? (
            <Table.Tfoot>
              <Table.Tr style={{ borderTop: '1px solid var(--mantine-color-gray-4)' }}>
                <Table.Th scope="row">{t('quote.total')}</Table.Th>
                <Table.Td ta="end" fw={700} style={{ whiteSpace: 'nowrap' }} data-testid="quote-total">
                  {format.money(quote.total)}
                </Table.Td>
              </Table.Tr>
            </Table.Tfoot>
          ) : null}
        </Table>
      ) : null;

    if (verdict === 'bookable') {
      body = lines;
      announcement = quote.total ? t('quote.announceTotal', { total: format.money(quote.total) }) : '';
    } else if (verdict === 'refused') {
      body = (
        <Stack gap="xs">
          <Alert color={warningColor} variant="light" title={t('quote.refusedTitle', { business: tenant.name })}>
            <List size="sm" spacing={2}>
              {quote.violations.map((violation) => (
                <List.Item key={`${violation.code}:${violation.message}`}>{violation.message}</List.Item>
              ))}
            </List>
          </Alert>
          {lines}
        </Stack>
      );
      announcement = t('quote.announceRefused', { reasons: quote.violations.map((v) => v.message).join('; ') });
    } else {
      body = (
        <Stack gap="xs">
          <Alert color={warningColor} variant="light" title={t('quote.unavailableTitle')}>
            {t('quote.unavailableBody')}
          </Alert>
          {lines}
        </Stack>
      );
      announcement = t('quote.unavailableTitle');
    }
  }

  return (
    <section aria-labelledby={headingId} aria-busy={stale || undefined}>
      <Title order={headingOrder} fz="md" id={headingId} mb={6}>
        {title ?? t('quote.title')}
        {stale && quote ? (
          <Text component="span" fz="sm" c="dimmed" fw={400} ml="xs">
            {t('quote.updating')}
          </Text>
        ) : null}
      </Title>
      <div style={{ opacity: stale && quote ? 0.55 : 1, transition: 'opacity 120ms' }}>{body}</div>
      <VisuallyHidden role="status" aria-live="polite">
        {stale ? '' : announcement}
      </VisuallyHidden>
    </section>
  );
}
