// The gate of the signed-in app: without a session, off to sign-in with
// `next` set to the page asked for (after an ended session, with a notice).
import { Navigate, Outlet, useLocation } from 'react-router';
import { FullPageLoader } from '@/components/FullPageLoader';
import { signInPath, signInRoute, type SignInState } from '@/lib/session/next';
import { useSession } from '@/lib/session/session';

export function RequireSession() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageLoader />;
  if (state.status === 'signed-out') {
    const signedOut = state.reason === 'signed-out';
    const to = signedOut ? signInRoute : signInPath(location);
    const signInState: SignInState = { expired: state.reason === 'expired', signedOut };
    return <Navigate to={to} replace state={signInState} />;
  }
  return <Outlet />;
}
