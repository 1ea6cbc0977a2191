// The signed-in app's frame: a header (menu button on phones, the mark and
// the tenant's name), a navigation column (the screens' links; the user, the
// account link, the language and sign-out at its foot) that folds away behind
// the menu button below the `sm` breakpoint, and the main region with the
// offline banner above the current screen.
import { Suspense, useEffect, useRef } from 'react';
import {
  Anchor,
  AppShell,
  Badge,
  Burger,
  Divider,
  Group,
  NavLink as MantineNavLink,
  ScrollArea,
  Stack,
  Text,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, ScrollRestoration, useLocation, useMatch, useNavigation } from 'react-router';
import { BerthMark } from '@/components/BerthMark';
import { FullPageLoader } from '@/components/FullPageLoader';
import { LanguageSwitch } from '@/components/LanguageSwitch';
import { OfflineBanner } from '@/components/OfflineBanner';
import { SignOutButton } from '@/features/auth/SignOutButton';
import { LiveNotifications } from '@/features/notifications';
import type { Role } from '@/gql/graphql';
import { roleAtLeast } from '@/lib/session/roles';
import { useTenant, useViewer } from '@/lib/session/session';
import { navOrder, type NavKey, type Screen } from './routes';

/** The navigation links of the screens that exist and `role` may open, in navigation order. */
export function navLinks(list: readonly Screen[], role: Role | null | undefined): { key: NavKey; to: string }[] {
  return navOrder.flatMap((key) => {
    const screen = list.find((s) => s.nav === key);
    if (!screen || (screen.minRole && !roleAtLeast(role, screen.minRole))) return [];
    return [{ key, to: `/${screen.path}` }];
  });
}

function NavItem({ to, label, onNavigate }: { to: string; label: string; onNavigate: () => void }) {
  const active = useMatch({ path: to, end: to === '/' }) !== null;
  return (
    <MantineNavLink
      component={NavLink}
      to={to}
      end={to === '/'}
      label={label}
      active={active}
      variant="filled"
      onClick={onNavigate}
      styles={{ label: { fontSize: 'var(--mantine-font-size-sm)', fontWeight: 600 } }}
    />
  );
}

export function AppLayout({ screens }: { screens: readonly Screen[] }) {
  const { t } = useTranslation();
  const [menuOpen, menu] = useDisclosure(false);
  const tenant = useTenant();
  const viewer = useViewer();
  const navigation = useNavigation();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(location.pathname);

  // After moving to another screen, focus its main region so that keyboard
  // and screen-reader users start there (not on the first load).
  useEffect(() => {
    if (location.pathname === firstPath.current) return;
    firstPath.current = '';
    mainRef.current?.focus();
  }, [location.pathname]);

  const links = navLinks(screens, viewer?.role);

  return (
    <>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      {navigation.state === 'loading' ? (
        <div className="route-progress" role="progressbar" aria-label={t('loading')} />
      ) : null}
      <AppShell
        header={{ height: 56 }}
        navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !menuOpen } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" gap="sm" wrap="nowrap">
            <Burger
              opened={menuOpen}
              onClick={menu.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={menuOpen ? t('nav.closeMenu') : t('nav.openMenu')}
              aria-expanded={menuOpen}
              aria-controls="app-navbar"
            />
            <Anchor component={Link} to="/" underline="never" c="inherit" aria-label={`berth · ${tenant.name}`}>
              <BerthMark subtitle={tenant.name} />
            </Anchor>
          </Group>
        </AppShell.Header>

        {/* Mantine renders the navbar as <nav>: the one navigation landmark. */}
        <AppShell.Navbar id="app-navbar" p="sm" aria-label={t('nav.label')}>
          <AppShell.Section grow component={ScrollArea}>
            <Stack gap={4}>
              {links.map((link) => (
                <NavItem key={link.key} to={link.to} label={t(`nav.${link.key}`)} onNavigate={menu.close} />
              ))}
            </Stack>
          </AppShell.Section>
          <AppShell.Section>
            <Divider mb="sm" />
            <Stack gap="sm">
              {viewer ? (
                <div>
                  <Text fz="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                    {viewer.email}
                  </Text>
                  <Badge variant="light" size="sm" mt={4}>
                    {t(`roles.${viewer.role}`)}
                  </Badge>
                </div>
              ) : null}
              <NavItem to="/account" label={t('account.link')} onNavigate={menu.close} />
              <LanguageSwitch />
              <SignOutButton />
            </Stack>
          </AppShell.Section>
        </AppShell.Navbar>

        <AppShell.Main id="main" ref={mainRef} tabIndex={-1}>
          <div style={{ margin: 'calc(-1 * var(--mantine-spacing-md)) calc(-1 * var(--mantine-spacing-md)) var(--mantine-spacing-md)' }}>
            <OfflineBanner />
          </div>
          <Suspense fallback={<FullPageLoader />}>
            <Outlet />
          </Suspense>
        </AppShell.Main>
      </AppShell>
      <ScrollRestoration />
      <LiveNotifications />
    </>
  );
}
