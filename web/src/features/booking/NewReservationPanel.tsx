// The panel as other screens use it. Its code (form, quote, lock) is a chunk
// of its own, loaded the first time a panel opens, so the board's and the
// list's chunks do not carry it; while it loads, a spinner says so.
//
// The drawer stays mounted while it slides away (so focus returns to what
// opened it) and is then removed. Each opening gets a fresh form: a new
// idempotency key and a new lock; closing lets go of the lock at once.
import { lazy, Suspense, useState } from 'react';
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
  const [mounted, setMounted] = useState(props.opened);
  const [openings, setOpenings] = useState(props.opened ? 1 : 0);
  const [wasOpened, setWasOpened] = useState(props.opened);
  if (props.opened !== wasOpened) {
    setWasOpened(props.opened);
    if (props.opened) {
      setMounted(true);
      setOpenings((n) => n + 1);
    }
  }
  if (!mounted) return null;
  return (
    <Suspense fallback={props.opened ? <Loading /> : null}>
      <BookingDrawer {...props} opening={openings} onExited={() => setMounted(false)} />
    </Suspense>
  );
}
