// The panel as other screens use it. Its code (form, quote, lock) is a chunk
// of its own, loaded the first time a panel opens, so the board's and the
// list's chunks do not carry it; while it loads, a spinner says so. Each
// opening mounts a fresh panel: a new idempotency key, a new lock, and the
// lock released when it closes (unmounts).
import { lazy, Suspense } from 'react';
import { Loader } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { NewReservationPanelProps } from './index';

const BookingDrawer = lazy(() => import('./BookingDrawer'));

function Loading() {
  const { t } = useTranslation();
  return (
    <div role="status" style={{ position: 'fixed', inset: 'auto 1rem 1rem auto', zIndex: 300 }}>
      <Loader size="sm" aria-label={t('loading')} />
    </div>
  );
}

export function NewReservationPanel(props: NewReservationPanelProps) {
  if (!props.opened) return null;
  return (
    <Suspense fallback={<Loading />}>
      <BookingDrawer {...props} />
    </Suspense>
  );
}
