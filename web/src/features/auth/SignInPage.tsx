// Signing in: tenant, e-mail and password (accessible names "Tenant", "Email",
// "Password" and the button "Sign in": the web contract). The server answers
// with an HttpOnly cookie; the app learns who signed in from the answer and
// goes back to the page that sent the user here (`?next=`).
import { useRef, useState, type FormEvent } from 'react';
import {
  Alert,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { BerthMark } from '@/components/BerthMark';
import { LanguageSwitch } from '@/components/LanguageSwitch';
import { OfflineBanner } from '@/components/OfflineBanner';
import { ProblemAlert } from '@/components/ProblemAlert';
import { SignInDocument } from '@/gql/graphql';
import { describeError, type Problem } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { safeNext, type SignInState } from '@/lib/session/next';
import { useSession } from '@/lib/session/session';
import { lastTenantSlug, rememberTenantSlug } from './tenant-slug';

type Field = 'tenant' | 'email' | 'password';
const fields: readonly Field[] = ['tenant', 'email', 'password'];

export default function SignInPage() {
  const { t } = useTranslation('auth');
  const { t: tCommon } = useTranslation();
  const session = useSession();
  const [params] = useSearchParams();
  const location = useLocation();
  const notice = (location.state ?? {}) as SignInState;
  const next = safeNext(params.get('next'));
  const [{ fetching }, signIn] = useMutation(SignInDocument);
  const [values, setValues] = useState<Record<Field, string>>(() => ({
    tenant: lastTenantSlug(),
    email: '',
    password: '',
  }));
  const [missing, setMissing] = useState<Partial<Record<Field, boolean>>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const tenantInput = useRef<HTMLInputElement>(null);
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  usePageTitle(t('title'));

  if (session.state.status === 'signed-in') return <Navigate to={next} replace />;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setProblem(null);
    const trimmed = { ...values, tenant: values.tenant.trim(), email: values.email.trim() };
    const empty = fields.filter((f) => trimmed[f] === '');
    setMissing(Object.fromEntries(empty.map((f) => [f, true])));
    if (empty.length > 0) {
      ({ tenant: tenantInput, email: emailInput, password: passwordInput })[empty[0] as Field].current?.focus();
      return;
    }
    const result = await signIn(trimmed);
    if (result.data) {
      rememberTenantSlug(trimmed.tenant);
      session.signedIn(result.data.signIn.user);
      return;
    }
    if (result.error) {
      setProblem(describeError(result.error, tCommon, { UNAUTHENTICATED: t('wrongCredentials') }));
      setValues((v) => ({ ...v, password: '' }));
      passwordInput.current?.focus();
    }
  }

  function field(name: Field) {
    return {
      name,
      value: values[name],
      error: missing[name] ? t(`required.${name}`) : undefined,
      onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
        const value = event.currentTarget.value;
        setValues((v) => ({ ...v, [name]: value }));
        if (missing[name] && value.trim() !== '') setMissing((m) => ({ ...m, [name]: false }));
      },
    };
  }

  return (
    <>
      <OfflineBanner />
      <Center component="main" mih="100dvh" p="md">
        <Stack w="100%" maw={400} gap="lg">
          <Group justify="center">
            <BerthMark />
          </Group>
          <Paper withBorder shadow="sm" p={{ base: 'lg', xs: 'xl' }} radius="lg">
            <form noValidate onSubmit={(e) => void onSubmit(e)} aria-describedby={problem ? 'sign-in-problem' : undefined}>
              <Stack gap="md">
                <div>
                  <Title order={1} fz="h2">
                    {t('title')}
                  </Title>
                  <Text c="dimmed" fz="sm" mt={4}>
                    {t('intro')}
                  </Text>
                </div>
                {notice.expired ? (
                  <Alert variant="light" color="sea" role="status">
                    {t('expired')}
                  </Alert>
                ) : notice.signedOut ? (
                  <Alert variant="light" color="sea" role="status">
                    {t('signedOut')}
                  </Alert>
                ) : null}
                <TextInput
                  {...field('tenant')}
                  ref={tenantInput}
                  label={t('tenant')}
                  description={t('tenantHint')}
                  autoComplete="organization"
                  autoCapitalize="none"
                  spellCheck={false}
                  aria-required
                />
                <TextInput
                  {...field('email')}
                  ref={emailInput}
                  label={t('email')}
                  type="email"
                  autoComplete="username"
                  inputMode="email"
                  spellCheck={false}
                  aria-required
                />
                <PasswordInput
                  {...field('password')}
                  ref={passwordInput}
                  id="sign-in-password"
                  label={t('password')}
                  autoComplete="current-password"
                  aria-required
                  // Mantine leaves the ARIA of its password field to the caller.
                  aria-invalid={missing.password ? true : undefined}
                  aria-describedby={missing.password ? 'sign-in-password-error' : undefined}
                  visibilityToggleButtonProps={{ 'aria-label': t('showPassword') }}
                />
                <Button type="submit" loading={fetching} fullWidth size="md">
                  {t('submit')}
                </Button>
                {problem ? (
                  <div id="sign-in-problem">
                    <ProblemAlert problem={problem} />
                  </div>
                ) : null}
              </Stack>
            </form>
          </Paper>
          <Group justify="center">
            <LanguageSwitch size="xs" />
          </Group>
        </Stack>
      </Center>
    </>
  );
}
