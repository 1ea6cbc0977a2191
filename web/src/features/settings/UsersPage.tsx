// Settings › Users and roles: the tenant's users, adding one (e-mail, role,
// a first password shown once to hand over), changing a role (only to roles
// the viewer holds: the API refuses more), disabling and enabling, and ending
// a user's sessions — each behind a confirmation that shows a refusal in
// words (the last owner, a role above the viewer's).
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Skeleton.css';
import { useState, type FormEvent } from 'react';
import { Badge, Button, Group, NativeSelect, Paper, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  SettingsCreateUserDocument,
  SettingsEndUserSessionsDocument,
  SettingsUpdateUserDocument,
  SettingsUsersDocument,
  type Role,
  type SettingsUserFragment,
} from '@/gql/graphql';
import { describeError, type Problem, type ProblemWords } from '@/lib/errors';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { ConfirmDialog, ListState, SettingsFrame, SettingsModal } from './parts';
import { generatePassword, grantableRoles, mayManage, minPasswordLength } from './roles';
import { SecretDialog, type ShownSecret } from './SecretDialog';

type User = SettingsUserFragment;
type Pending = { kind: 'role' | 'disable' | 'enable' | 'end'; user: User } | null;

/** The section's words for refusals about users. */
function useUserWords(): ProblemWords {
  const { t } = useTranslation('settings');
  return { CONFLICT: t('users.lastOwner'), FORBIDDEN: t('users.aboveYou') };
}

export default function UsersPage() {
  const { t } = useTranslation('settings');
  const [result, refetch] = useQuery({ query: SettingsUsersDocument });
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const users = result.data?.users ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });

  return (
    <SettingsFrame
      section="users"
      description={t('users.description')}
      actions={<Button onClick={() => setAdding(true)}>{t('users.add')}</Button>}
    >
      <ListState
        fetching={result.fetching}
        error={result.error}
        empty={users.length === 0}
        loadingLabel={t('users.loading')}
        failedTitle={t('users.loadFailed')}
        emptyText={t('users.empty')}
        onRetry={reload}
      >
        <Paper withBorder radius="md" component="ul" aria-label={t('users.listLabel')} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {users.map((user, index) => (
            <UserRow key={user.id} user={user} first={index === 0} onAction={(kind) => setPending({ kind, user })} />
          ))}
        </Paper>
      </ListState>
      <AddUserDialog
        opened={adding}
        onClose={() => setAdding(false)}
        onCreated={(user, password) => {
          setAdding(false);
          reload();
          setSecret({
            title: t('users.createdTitle'),
            intro: t('users.createdIntro', { email: user.email }),
            label: t('users.password'),
            value: password,
            extra: [{ label: t('users.email'), value: user.email }],
          });
        }}
      />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
      <RoleDialog pending={pending?.kind === 'role' ? pending.user : null} onClose={() => setPending(null)} />
      <UserActionDialog pending={pending?.kind === 'role' ? null : pending} onClose={() => setPending(null)} />
    </SettingsFrame>
  );
}

function UserRow({ user, first, onAction }: { user: User; first: boolean; onAction: (kind: 'role' | 'disable' | 'enable' | 'end') => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const viewer = useViewer();
  const self = viewer?.id === user.id;
  const manageable = mayManage(viewer?.role, user.role);
  const disabled = user.disabledAt != null;
  return (
    <li
      style={{ padding: 'var(--mantine-spacing-sm) var(--mantine-spacing-md)', borderTop: first ? undefined : '1px solid var(--mantine-color-default-border)' }}
      aria-label={user.email}
    >
      <Group justify="space-between" gap="sm" align="center">
        <Stack gap={2} style={{ minWidth: 0, flex: '1 1 260px' }}>
          <Group gap={8} wrap="wrap">
            <Text fw={600} fz="sm" style={{ overflowWrap: 'anywhere' }}>
              {user.email}
            </Text>
            {self ? (
              <Badge size="sm" variant="outline" color="gray">
                {t('users.you')}
              </Badge>
            ) : null}
          </Group>
          <Group gap={8} wrap="wrap">
            <Badge size="sm" variant="light" color={user.role === 'OWNER' || user.role === 'ADMIN' ? 'indigo' : 'gray'}>
              {tc(`roles.${user.role}`)}
            </Badge>
            <Text fz="xs" c={disabled ? 'red.9' : 'dimmed'} fw={disabled ? 600 : undefined}>
              {disabled ? t('users.disabledSince', { date: format.dateTime(user.disabledAt!) }) : t('users.since', { date: format.dateTime(user.createdAt, { day: 'numeric', month: 'short', year: 'numeric' }) })}
            </Text>
          </Group>
        </Stack>
        {manageable ? (
          <Group gap={6} wrap="wrap">
            <Button size="xs" variant="default" onClick={() => onAction('role')} aria-label={t('users.changeRoleFor', { email: user.email })}>
              {t('users.changeRole')}
            </Button>
            {self ? null : disabled ? (
              <Button size="xs" variant="default" onClick={() => onAction('enable')} aria-label={t('users.enableFor', { email: user.email })}>
                {t('users.enable')}
              </Button>
            ) : (
              <Button size="xs" variant="default" color="red" onClick={() => onAction('disable')} aria-label={t('users.disableFor', { email: user.email })}>
                {t('users.disable')}
              </Button>
            )}
            {disabled ? null : (
              <Button size="xs" variant="default" onClick={() => onAction('end')} aria-label={t('users.endFor', { email: user.email })}>
                {t('users.end')}
              </Button>
            )}
          </Group>
        ) : (
          <Text fz="xs" c="dimmed" maw={280}>
            {t('users.notYours', { role: tc(`roles.${user.role}`) })}
          </Text>
        )}
      </Group>
    </li>
  );
}

export function AddUserDialog({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (user: User, password: string) => void }) {
  const { t } = useTranslation('settings');
  return (
    <SettingsModal opened={opened} onClose={onClose} title={t('users.addTitle')}>
      {opened ? <AddUserForm onClose={onClose} onCreated={onCreated} /> : null}
    </SettingsModal>
  );
}

function AddUserForm({ onClose, onCreated }: { onClose: () => void; onCreated: (user: User, password: string) => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const viewer = useViewer();
  const roles = grantableRoles(viewer?.role ?? 'ADMIN');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(roles.includes('STAFF') ? 'STAFF' : (roles.at(-1) ?? 'VIEWER'));
  const [password, setPassword] = useState(() => generatePassword());
  const [submitted, setSubmitted] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [state, create] = useMutation(SettingsCreateUserDocument);

  const emailError = submitted && !/^\S+@\S+\.\S+$/.test(email.trim()) ? t('users.emailInvalid') : undefined;
  const passwordError = submitted && password.length < minPasswordLength ? t('users.passwordShort', { count: minPasswordLength }) : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setProblem(null);
    if (!/^\S+@\S+\.\S+$/.test(email.trim()) || password.length < minPasswordLength) return;
    const result = await create({ email: email.trim(), password, role });
    if (result.data) onCreated(result.data.createUser, password);
    else if (result.error) setProblem(describeError(result.error, tc, { CONFLICT: t('users.emailTaken'), FORBIDDEN: t('users.roleAboveYou') }));
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label={t('users.addTitle')}>
      <Stack gap="md">
        <TextInput label={t('users.email')} type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required error={emailError} autoComplete="off" data-autofocus />
        <NativeSelect
          label={t('users.role')}
          description={t('users.roleHint')}
          value={role}
          onChange={(e) => setRole(e.currentTarget.value as Role)}
          data={roles.map((r) => ({ value: r, label: `${tc(`roles.${r}`)} — ${t(`roleHelp.${r}`)}` }))}
        />
        <Stack gap={4}>
          <PasswordInput
            label={t('users.firstPassword')}
            description={t('users.firstPasswordHint', { count: minPasswordLength })}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            required
            error={passwordError}
            autoComplete="new-password"
          />
          <Button variant="subtle" size="compact-sm" onClick={() => setPassword(generatePassword())} style={{ alignSelf: 'flex-start' }}>
            {t('users.generate')}
          </Button>
        </Stack>
        {problem ? <ProblemAlert problem={problem} /> : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button type="submit" loading={state.fetching}>
            {t('users.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function RoleDialog({ pending, onClose }: { pending: User | null; onClose: () => void }) {
  const { t } = useTranslation('settings');
  return (
    <SettingsModal opened={pending !== null} onClose={onClose} title={t('users.roleTitle')}>
      {pending ? <RoleForm user={pending} onClose={onClose} /> : null}
    </SettingsModal>
  );
}

export function RoleForm({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const viewer = useViewer();
  const words = useUserWords();
  const roles = grantableRoles(viewer?.role ?? 'ADMIN');
  const [role, setRole] = useState<Role>(user.role);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [state, update] = useMutation(SettingsUpdateUserDocument);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    if (role === user.role) {
      onClose();
      return;
    }
    const result = await update({ id: user.id, input: { role } });
    if (result.data) {
      notifications.show({ color: 'sea', message: t('users.roleChanged', { email: user.email, role: tc(`roles.${role}`) }) });
      onClose();
    } else if (result.error) setProblem(describeError(result.error, tc, words));
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <Stack gap="md">
        <Text fz="sm">{t('users.roleBody', { email: user.email, role: tc(`roles.${user.role}`) })}</Text>
        <NativeSelect
          label={t('users.newRole')}
          description={t('users.roleHint')}
          value={role}
          onChange={(e) => setRole(e.currentTarget.value as Role)}
          data={roles.map((r) => ({ value: r, label: `${tc(`roles.${r}`)} — ${t(`roleHelp.${r}`)}` }))}
          data-autofocus
        />
        {problem ? <ProblemAlert problem={problem} /> : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button type="submit" loading={state.fetching}>
            {t('users.saveRole')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function UserActionDialog({ pending, onClose }: { pending: Pending; onClose: () => void }) {
  const { t } = useTranslation('settings');
  const words = useUserWords();
  const [, update] = useMutation(SettingsUpdateUserDocument);
  const [, endSessions] = useMutation(SettingsEndUserSessionsDocument);
  const kind = pending?.kind ?? 'disable';
  const email = pending?.user.email ?? '';
  const run = async () => {
    if (!pending) return undefined;
    const { id } = pending.user;
    const result =
      kind === 'end' ? await endSessions({ id }) : await update({ id, input: { disabled: kind === 'disable' } });
    if (!result.error) notifications.show({ color: 'sea', message: t(`users.${kind}Done`, { email }) });
    return result.error;
  };
  return (
    <ConfirmDialog
      opened={pending !== null}
      onClose={onClose}
      title={t(`users.${kind}Title`)}
      confirmLabel={t(`users.${kind}Confirm`)}
      danger={kind === 'disable'}
      onConfirm={run}
      words={words}
    >
      <Text fz="sm">{t(`users.${kind}Body`, { email })}</Text>
    </ConfirmDialog>
  );
}
