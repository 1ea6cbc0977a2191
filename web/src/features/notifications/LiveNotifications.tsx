// Mounted once in the shell (through the feature's public entry, lazily):
// - reservation events while the app is open become in-app messages
//   (Mantine notifications with a link to the reservation), per the user's
//   notification settings, leaving out the user's own actions;
// - a device already subscribed to push is registered again at start (the
//   API says it is harmless; it moves a shared device to whoever signed in);
// - the UI language is kept for the service worker's notifications.
import { useCallback, useEffect, useRef } from 'react';
import { Anchor, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { getOperationName, useClient, useQuery, useSubscription } from 'urql';
import { pipe, subscribe } from 'wonka';
import {
  InAppNotificationSettingsDocument,
  InAppReservationEventsDocument,
  type InAppReservationEventsSubscription,
} from '@/gql/graphql';
import { saveLanguage } from '@/lib/notification-language';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { messageFor, messageSubject, OwnActions, viewedReservation } from './messages';
import { browserEnvironment, refresh } from './push-device';
import { graphqlPushApi, pushKey } from './push-api';

const base = import.meta.env.BASE_URL;

export default function LiveNotifications() {
  const { t, i18n } = useTranslation('notifications');
  const client = useClient();
  const viewer = useViewer();
  const format = useFormat();
  const navigate = useNavigate();
  const location = useLocation();
  const [settings] = useQuery({ query: InAppNotificationSettingsDocument, pause: !viewer });
  // What the event handler reads, as of the last render.
  const current = useRef({
    settings: settings.data?.notificationSettings,
    viewing: viewedReservation(location.pathname),
    format,
    t,
    navigate,
  });
  useEffect(() => {
    current.current = {
      settings: settings.data?.notificationSettings,
      viewing: viewedReservation(location.pathname),
      format,
      t,
      navigate,
    };
  });

  // The mutations this window sends, to leave the user's own actions out.
  const own = useRef(new OwnActions());
  useEffect(() => {
    const subscription = pipe(
      client.operations$,
      subscribe((operation) => {
        if (operation.kind === 'mutation') {
          own.current.record({ name: getOperationName(operation.query) ?? null, variables: operation.variables });
        }
      }),
    );
    return () => subscription.unsubscribe();
  }, [client]);

  const onEvent = useCallback(
    (_previous: InAppReservationEventsSubscription | undefined, data: InAppReservationEventsSubscription) => {
      const event = data.reservationEvents;
      const { settings, viewing, format, t, navigate } = current.current;
      const message = messageFor(event, settings, viewing);
      if (!message || own.current.isOwn(event)) return data;
      const subject = messageSubject(message, format, t('inApp.noGuest'));
      const href = `${base}reservations/${encodeURIComponent(message.reservationId)}`;
      const id = `reservation-event-${event.id}`;
      notifications.show({
        id,
        title: t(`inApp.${message.kind}`),
        color: message.kind === 'canceled' || message.kind === 'noShow' ? 'orange' : 'teal',
        autoClose: 10_000,
        message: (
          <Stack gap={4} align="flex-start">
            <Text fz="sm" c="var(--mantine-color-text)">
              {subject}
            </Text>
            <Anchor
              href={href}
              fz="sm"
              fw={600}
              aria-label={t('inApp.openLabel', { guest: message.guest ?? t('inApp.noGuest') })}
              onClick={(e) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                e.preventDefault();
                notifications.hide(id);
                void navigate(`/reservations/${encodeURIComponent(message.reservationId)}`);
              }}
            >
              {t('inApp.open')}
            </Anchor>
          </Stack>
        ),
      });
      return data;
    },
    [],
  );
  useSubscription({ query: InAppReservationEventsDocument, pause: !viewer }, onEvent);

  // A device already subscribed is registered again once per sign-in.
  const viewerId = viewer?.id;
  useEffect(() => {
    if (!viewerId) return;
    const env = browserEnvironment(base);
    if (!env.supported || env.permission() !== 'granted') return;
    let stopped = false;
    void (async () => {
      const key = await pushKey(client);
      if (stopped) return;
      await refresh(env, key, graphqlPushApi(client));
    })().catch((error: unknown) => {
      console.warn('berth: registering this device for notifications again failed', error);
    });
    return () => {
      stopped = true;
    };
  }, [client, viewerId]);

  // The service worker words its notifications in the UI language.
  const language = i18n.resolvedLanguage ?? i18n.language;
  useEffect(() => {
    if (typeof indexedDB === 'undefined') return;
    saveLanguage(language).catch(() => {
      // Private mode may refuse storage: notifications then follow the browser's language.
    });
  }, [language]);

  return null;
}
