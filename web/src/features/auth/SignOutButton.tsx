// Sign out: this device's push subscription is dropped first (while the
// session can still tell berth), the server clears the cookie; the app forgets
// the session and goes to the sign-in page. If berth cannot be reached the session is still
// open, and the button says so beside itself.
import { useState } from 'react';
import { Button, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useClient, useMutation } from 'urql';
import { forgetThisDevice } from '@/features/notifications';
import { SignOutDocument } from '@/gql/graphql';
import { describeError, hasErrorCode } from '@/lib/errors';
import { signInRoute, type SignInState } from '@/lib/session/next';
import { useSession } from '@/lib/session/session';

export function SignOutButton() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const client = useClient();
  const [{ fetching }, signOut] = useMutation(SignOutDocument);
  const [forgetting, setForgetting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function onClick() {
    setFailure(null);
    setForgetting(true);
    await forgetThisDevice(client);
    setForgetting(false);
    const result = await signOut({});
    // UNAUTHENTICATED: the session had already ended; signed out all the same.
    if (result.error && !hasErrorCode(result.error, 'UNAUTHENTICATED')) {
      setFailure(t('account.signOutFailed', { reason: describeError(result.error, t).message }));
      return;
    }
    const state: SignInState = { signedOut: true };
    void navigate(signInRoute, { replace: true, state });
    session.signedOut();
  }

  return (
    <>
      <Button variant="default" onClick={() => void onClick()} loading={fetching || forgetting} fullWidth>
        {t('account.signOut')}
      </Button>
      {failure ? (
        <Text role="alert" c="red.8" fz="sm">
          {failure}
        </Text>
      ) : null}
    </>
  );
}
