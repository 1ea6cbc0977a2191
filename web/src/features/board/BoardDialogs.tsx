// The board's dialogs: blocking a range (with a reason; a refusal names the
// reservation in the way and links to it), lifting a staff block (after a
// confirmation), and a slot's full list of bookings.
import { Anchor, Button, Group, List, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  BoardBlockUnitDocument,
  BoardUnblockUnitDocument,
  type BlockUnitInput,
  type BoardBlockFragment,
  type BoardReservationFragment,
} from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { StateIcon } from './icons';
import { guestName, type BoardT } from './labels';

type ReasonChoice = 'maintenance' | 'owner' | 'other';

export interface BlockDialogProps {
  /** What to block (without the reason); null: closed. */
  input: Omit<BlockUnitInput, 'reason'> | null;
  unitName: string;
  when: string;
  onClose: () => void;
  onBlocked: (block: BoardBlockFragment) => void;
}

export function BlockDialog(props: BlockDialogProps) {
  const { t } = useTranslation('board');
  return (
    <Modal opened={props.input !== null} onClose={props.onClose} title={t('blockDialog.title')} centered>
      {props.input ? <BlockForm {...props} input={props.input} t={t} /> : null}
    </Modal>
  );
}

function BlockForm(props: BlockDialogProps & { input: Omit<BlockUnitInput, 'reason'>; t: BoardT }) {
  const { t } = props;
  const { t: tCommon } = useTranslation();
  const [choice, setChoice] = useState<ReasonChoice>('maintenance');
  const [other, setOther] = useState('');
  const [missing, setMissing] = useState(false);
  const [{ fetching, error }, block] = useMutation(BoardBlockUnitDocument);
  const problem = error ? describeError(error, tCommon) : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const reason = choice === 'other' ? other.trim() : t(`blockDialog.reasons.${choice}`);
    if (!reason) {
      setMissing(true);
      return;
    }
    const result = await block({ input: { ...props.input, reason } });
    if (result.data) props.onBlocked(result.data.blockUnit);
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack gap="md">
        <Text fz="sm">{t('blockDialog.what', { unit: props.unitName, when: props.when })}</Text>
        <Radio.Group label={t('blockDialog.reason')} value={choice} onChange={setChoice}>
          <Stack gap={6} mt={6}>
            <Radio value="maintenance" label={t('blockDialog.reasons.maintenance')} />
            <Radio value="owner" label={t('blockDialog.reasons.owner')} />
            <Radio value="other" label={t('blockDialog.reasons.other')} />
          </Stack>
        </Radio.Group>
        {choice === 'other' ? (
          <TextInput
            label={t('blockDialog.otherReason')}
            value={other}
            maxLength={500}
            required
            data-autofocus
            error={missing && !other.trim() ? t('blockDialog.reasonMissing') : undefined}
            onChange={(e) => setOther(e.currentTarget.value)}
          />
        ) : null}
        {problem ? (
          <Stack gap={6}>
            <ProblemAlert problem={problem} title={t('blockDialog.refused')} />
            {problem.reservationId ? (
              <Anchor component={Link} to={`/reservations/${problem.reservationId}`} fz="sm">
                {t('blockDialog.openReservation')}
              </Anchor>
            ) : null}
          </Stack>
        ) : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={props.onClose}>
            {t('blockDialog.cancel')}
          </Button>
          <Button type="submit" loading={fetching}>
            {t('blockDialog.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export interface LiftDialogProps {
  block: BoardBlockFragment | null;
  unitName: string;
  when: string;
  onClose: () => void;
  onLifted: (block: BoardBlockFragment) => void;
}

export function LiftDialog(props: LiftDialogProps) {
  const { t } = useTranslation('board');
  const { t: tCommon } = useTranslation();
  const [{ fetching, error }, unblock] = useMutation(BoardUnblockUnitDocument);
  const block = props.block;
  const problem = error ? describeError(error, tCommon) : null;

  async function lift() {
    if (!block) return;
    const result = await unblock({ id: block.id });
    if (result.data) props.onLifted(result.data.unblockUnit);
  }

  return (
    <Modal opened={block !== null} onClose={props.onClose} title={t('liftDialog.title')} centered>
      {block ? (
        <Stack gap="md">
          <Text fz="sm">
            {t('liftDialog.what', { unit: props.unitName, when: props.when, reason: block.reason ?? '' })}
          </Text>
          {problem ? <ProblemAlert problem={problem} title={t('liftDialog.failed')} /> : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={props.onClose} data-autofocus>
              {t('liftDialog.keep')}
            </Button>
            <Button color="red" loading={fetching} onClick={() => void lift()}>
              {t('liftDialog.submit')}
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}

export interface SlotListDialogProps {
  title: string | null;
  reservations: BoardReservationFragment[];
  onClose: () => void;
}

/** Every booking of a slot (the board lists the first few). */
export function SlotListDialog(props: SlotListDialogProps) {
  const { t } = useTranslation('board');
  return (
    <Modal opened={props.title !== null} onClose={props.onClose} title={props.title ?? ''} centered>
      <List spacing={6} listStyleType="none">
        {props.reservations.map((r) => (
          <List.Item key={r.id}>
            <Group gap={6} wrap="nowrap">
              <StateIcon state={r.state} />
              <Anchor component={Link} to={`/reservations/${r.id}`}>
                {guestName(r, t)}
              </Anchor>
              <Text fz="sm" c="dimmed">
                {t('slot.seats', { count: r.quantity })} · {t(`state.${r.state}`)}
              </Text>
            </Group>
          </List.Item>
        ))}
      </List>
    </Modal>
  );
}
