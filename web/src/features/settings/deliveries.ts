// A webhook delivery's last answer from the endpoint, for its summary line.
import type { SettingsDeliveryFragment } from '@/gql/graphql';

/** The last attempt's HTTP status and error, if any attempt was made. */
export function lastAnswer(delivery: Pick<SettingsDeliveryFragment, 'attemptLog'>): { status: number | null; error: string | null } {
  const last = delivery.attemptLog.at(-1);
  return { status: last?.responseStatus ?? null, error: last?.error ?? null };
}
