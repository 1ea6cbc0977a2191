// berth's side of push on this device, through the session's urql client.
import type { Client } from 'urql';
import { PushKeyDocument, RegisterPushSubscriptionDocument, UnregisterPushSubscriptionDocument } from '@/gql/graphql';
import type { PushApi } from './push-device';

/** Registration and removal of this device; failures throw the CombinedError. */
export function graphqlPushApi(client: Client): PushApi {
  return {
    async register(endpoint, keys) {
      const result = await client.mutation(RegisterPushSubscriptionDocument, { endpoint, keys }).toPromise();
      if (result.error) throw result.error;
    },
    async unregister(endpoint) {
      const result = await client.mutation(UnregisterPushSubscriptionDocument, { endpoint }).toPromise();
      if (result.error) throw result.error;
    },
  };
}

/** The server's VAPID public key (null: it sends no push). */
export async function pushKey(client: Client): Promise<string | null> {
  const result = await client.query(PushKeyDocument, {}, { requestPolicy: 'cache-first' }).toPromise();
  if (result.error) throw result.error;
  return result.data?.vapidPublicKey ?? null;
}
