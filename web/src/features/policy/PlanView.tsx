// A candidate's plan in words and tables: what it would do to the
// reservations already taken (refused, repriced, newly accepted) and to the
// next days' quotes (dates closed or opened, quoted revenue per unit and
// month). Read-only; `PlanSummary` is also what the publish dialog shows.
import { Alert, Anchor, List, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { PlanChange, PolicyPlanQuery } from '@/gql/graphql';
import type { MoneyValue } from '@/lib/format';
import { useFormat } from '@/lib/use-format';
import classes from './policy.module.css';

export type Plan = PolicyPlanQuery['planPolicy'];

/** `+CHF 12.00`, `−CHF 3.00`, `CHF 0.00`. */
export function useSignedMoney() {
  const format = useFormat();
  return (money: MoneyValue) => {
    const text = format.money({ ...money, amount: Math.abs(money.amount) });
    return money.amount > 0 ? `+${text}` : money.amount < 0 ? `−${text}` : text;
  };
}

/** The plan's headline numbers, as sentences (also in the publish dialog). */
export function PlanSummary({ plan }: { plan: Plan }) {
  const { t } = useTranslation('policy');
  const signed = useSignedMoney();
  const s = plan.summary;
  if (plan.empty) {
    return (
      <Text fz="sm" data-testid="plan-empty">
        {t('plan.nothingChanges')}
      </Text>
    );
  }
  return (
    <List size="sm" spacing={4} data-testid="plan-summary">
      {s.reservationsNewlyRefused > 0 ? (
        <List.Item>
          <Text span fw={700} fz="sm">
            {t('plan.sumRefused', { count: s.reservationsNewlyRefused })}
          </Text>
        </List.Item>
      ) : null}
      {s.reservationsRepriced > 0 ? (
        <List.Item>{t('plan.sumRepriced', { count: s.reservationsRepriced, difference: signed(s.reservationsPriceDifference) })}</List.Item>
      ) : null}
      {s.reservationsNewlyAccepted > 0 ? <List.Item>{t('plan.sumAccepted', { count: s.reservationsNewlyAccepted })}</List.Item> : null}
      {s.reservationsRefusedDifferently > 0 ? <List.Item>{t('plan.sumRefusedDifferently', { count: s.reservationsRefusedDifferently })}</List.Item> : null}
      {s.datesNewlyClosed > 0 ? <List.Item>{t('plan.sumClosed', { count: s.datesNewlyClosed })}</List.Item> : null}
      {s.datesNewlyOpened > 0 ? <List.Item>{t('plan.sumOpened', { count: s.datesNewlyOpened })}</List.Item> : null}
      {s.quotesRepriced > 0 || s.quotedRevenueDifference.amount !== 0 ? (
        <List.Item>{t('plan.sumRevenue', { difference: signed(s.quotedRevenueDifference), days: plan.sampleDays })}</List.Item>
      ) : null}
      {s.reservationsNewlyRefused + s.reservationsRepriced + s.reservationsNewlyAccepted + s.reservationsRefusedDifferently === 0 ? (
        <List.Item>{t('plan.sumNoReservations', { count: s.reservationsReplayed })}</List.Item>
      ) : null}
    </List>
  );
}

function changeWords(change: PlanChange, t: (key: string) => string): string {
  return t(`plan.change.${change}`);
}

export function PlanView({ plan, stale }: { plan: Plan; stale: boolean }) {
  const { t } = useTranslation('policy');
  const format = useFormat();
  const signed = useSignedMoney();
  const s = plan.summary;
  const period = (r: Plan['reservations'][number]) =>
    r.checkIn && r.checkOut ? format.dateRange(r.checkIn, r.checkOut) : format.instantRange(r.start, r.end);
  const months = plan.units.flatMap((u) => u.months.map((m) => ({ unit: u, month: m })));
  const datesChanged = plan.units.filter((u) => u.datesNewlyClosed.length > 0 || u.datesNewlyOpened.length > 0);
  const short = (d: string) => format.date(d, { weekday: 'short', day: 'numeric', month: 'short' });
  const dates = (list: readonly string[]) =>
    list.length === 0 ? '—' : list.length <= 6 ? list.map(short).join('; ') : t('plan.datesMore', { first: list.slice(0, 5).map(short).join('; '), count: list.length - 5 });

  return (
    <Stack gap="md" data-testid="plan">
      <Text fz="sm" c="dimmed">
        {t('plan.madeAt', {
          at: format.dateTime(plan.plannedAt),
          from: format.date(plan.sampleFrom),
          days: plan.sampleDays,
          count: s.reservationsReplayed,
        })}
      </Text>
      {stale ? (
        <Alert color="yellow" variant="light" title={t('plan.staleTitle')}>
          {t('plan.staleBody')}
        </Alert>
      ) : null}
      <PlanSummary plan={plan} />
      {plan.empty ? null : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" component="dl" className={classes.figures}>
            <div>
              <dt>{t('plan.fig.refused')}</dt>
              <dd>{s.reservationsNewlyRefused}</dd>
            </div>
            <div>
              <dt>{t('plan.fig.repriced')}</dt>
              <dd>{s.reservationsRepriced}</dd>
            </div>
            <div>
              <dt>{t('plan.fig.datesClosedOpened')}</dt>
              <dd>
                {s.datesNewlyClosed} / {s.datesNewlyOpened}
              </dd>
            </div>
            <div>
              <dt>{t('plan.fig.revenue')}</dt>
              <dd>{signed(s.quotedRevenueDifference)}</dd>
            </div>
          </SimpleGrid>

          <section aria-labelledby="plan-reservations">
            <Title order={3} fz="md" id="plan-reservations" mb="xs">
              {t('plan.reservationsTitle')}
            </Title>
            {plan.reservations.length === 0 ? (
              <Text fz="sm" c="dimmed">
                {t('plan.reservationsNone', { count: s.reservationsReplayed })}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={640}>
                <Table striped withTableBorder fz="sm" verticalSpacing={6}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('plan.col.reservation')}</Table.Th>
                      <Table.Th scope="col">{t('plan.col.change')}</Table.Th>
                      <Table.Th scope="col">{t('plan.col.price')}</Table.Th>
                      <Table.Th scope="col">{t('plan.col.why')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {plan.reservations.map((r) => (
                      <Table.Tr key={r.reservationId}>
                        <Table.Td>
                          <Anchor component={Link} to={`/reservations/${r.reservationId}`} fz="sm">
                            {r.unitName}
                          </Anchor>
                          <Text fz="xs" c="dimmed">
                            {period(r)} · {t('plan.guests', { count: r.guests })}
                          </Text>
                        </Table.Td>
                        <Table.Td fw={r.change === 'NEWLY_REFUSED' ? 700 : undefined}>{changeWords(r.change, t)}</Table.Td>
                        <Table.Td>
                          {r.storedPrice ? format.money(r.storedPrice) : '—'}
                          {' → '}
                          {r.candidatePrice ? format.money(r.candidatePrice) : t('plan.noPrice')}
                          {r.difference ? (
                            <Text fz="xs" c="dimmed">
                              {signed(r.difference)}
                            </Text>
                          ) : null}
                        </Table.Td>
                        <Table.Td>{r.violations.length ? r.violations.map((v) => v.message).join('; ') : '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </section>

          <section aria-labelledby="plan-dates">
            <Title order={3} fz="md" id="plan-dates" mb="xs">
              {t('plan.datesTitle', { days: plan.sampleDays })}
            </Title>
            {datesChanged.length === 0 ? (
              <Text fz="sm" c="dimmed">
                {t('plan.datesNone')}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped withTableBorder fz="sm" verticalSpacing={6}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('plan.col.unit')}</Table.Th>
                      <Table.Th scope="col">{t('plan.col.closed')}</Table.Th>
                      <Table.Th scope="col">{t('plan.col.opened')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {datesChanged.map((u) => (
                      <Table.Tr key={u.unitId}>
                        <Table.Th scope="row" fw={600}>
                          {u.unitName}
                        </Table.Th>
                        <Table.Td>{dates(u.datesNewlyClosed)}</Table.Td>
                        <Table.Td>{dates(u.datesNewlyOpened)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </section>

          <section aria-labelledby="plan-revenue">
            <Title order={3} fz="md" id="plan-revenue" mb="xs">
              {t('plan.revenueTitle')}
            </Title>
            {months.length === 0 ? (
              <Text fz="sm" c="dimmed">
                {t('plan.revenueNone')}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped withTableBorder fz="sm" verticalSpacing={6}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('plan.col.unit')}</Table.Th>
                      <Table.Th scope="col">{t('plan.col.month')}</Table.Th>
                      <Table.Th scope="col" ta="right">
                        {t('plan.col.live')}
                      </Table.Th>
                      <Table.Th scope="col" ta="right">
                        {t('plan.col.candidate')}
                      </Table.Th>
                      <Table.Th scope="col" ta="right">
                        {t('plan.col.difference')}
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {months.map(({ unit, month }) => (
                      <Table.Tr key={`${unit.unitId}-${month.month}`}>
                        <Table.Th scope="row" fw={600}>
                          {unit.unitName}
                        </Table.Th>
                        <Table.Td>{format.date(`${month.month}-01`, { year: 'numeric', month: 'long' })}</Table.Td>
                        <Table.Td ta="right">{format.money(month.live)}</Table.Td>
                        <Table.Td ta="right">{format.money(month.candidate)}</Table.Td>
                        <Table.Td ta="right" fw={600}>
                          {signed(month.difference)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </section>
        </>
      )}
    </Stack>
  );
}
