// The new-reservation drawer: from the side, full screen at phone width.
// (The form, live quote, lock and booking are being built into it.)
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Drawer.css';
import { Drawer, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import type { NewReservationPanelProps } from './index';

export default function BookingDrawer({ opened, onClose }: NewReservationPanelProps) {
  const { t } = useTranslation('booking');
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Drawer
      opened={opened}
      onClose={onClose}
      position="right"
      size={fullScreen ? '100%' : 520}
      title={
        <Title order={2} fz="h3" component="span" display="block">
          {t('title')}
        </Title>
      }
      closeButtonProps={{ 'aria-label': t('close') }}
    >
      {null}
    </Drawer>
  );
}
