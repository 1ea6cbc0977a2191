// The unit form, for a new unit and for changing one: name, kind (suggested
// from the tenant's other units), inventory, guests per item, description and
// amenity tags. Each field's problem shows beside it before anything is sent;
// berth's refusal shows in words — a lower inventory than active
// reservations need (CONFLICT) beside the inventory, anything else under the
// form.
import { useId, useState, type FormEvent } from 'react';
import { Autocomplete, Button, Group, NumberInput, SimpleGrid, Stack, TagsInput, Textarea, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useMutation, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { UnitCreateDocument, UnitUpdateDocument, type UnitFieldsFragment } from '@/gql/graphql';
import { describeError, problemKind } from '@/lib/errors';
import {
  checkDraft,
  createInput,
  draftOf,
  emptyDraft,
  isDirty,
  limits,
  updateInput,
  type FieldProblem,
  type FieldProblems,
  type UnitDraft,
  type UnitField,
} from './form';

interface Props {
  /** The unit to change; none: a new unit. */
  unit?: UnitFieldsFragment;
  /** Kinds and amenities of the tenant's other units, offered as suggestions. */
  kinds: string[];
  amenities: string[];
  /** It was saved: the unit as berth has it now. */
  onSaved: (unit: UnitFieldsFragment) => void;
  /** New unit only: leave without saving. */
  onCancel?: () => void;
}

export function UnitForm({ unit, kinds, amenities, onSaved, onCancel }: Props) {
  const { t } = useTranslation('units');
  const { t: tc } = useTranslation();
  const [draft, setDraft] = useState<UnitDraft>(() => (unit ? draftOf(unit) : emptyDraft));
  // The unit the draft started from: when berth answers with a newer one
  // (after a save), the form starts again from it.
  const [base, setBase] = useState(unit);
  if (unit && unit !== base) {
    setBase(unit);
    // The same unit fetched again (a refresh) leaves the user's edits alone.
    if (!base || JSON.stringify(draftOf(unit)) !== JSON.stringify(draftOf(base))) setDraft(draftOf(unit));
  }
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<CombinedError | null>(null);
  const [creating, create] = useMutation(UnitCreateDocument);
  const [updating, update] = useMutation(UnitUpdateDocument);
  const busy = creating.fetching || updating.fetching;
  const formId = useId();

  const problems: FieldProblems = submitted ? checkDraft(draft) : {};
  const dirty = isDirty(draft, unit ?? null);
  // Lowering the inventory below what active reservations need: beside the field.
  const inventoryConflict = serverError && unit && problemKind(serverError) === 'CONFLICT' ? describeError(serverError, tc) : null;
  const otherProblem = serverError && !inventoryConflict ? describeError(serverError, tc) : null;

  const set = <K extends UnitField>(field: K, value: UnitDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    if (field === 'inventory') setServerError(null);
  };
  const says = (problem: FieldProblem | undefined) => (problem ? t(`form.errors.${problem.key}`, problem.values) : undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setServerError(null);
    const found = checkDraft(draft);
    const first = (Object.keys(found) as UnitField[])[0];
    if (first) {
      // The first field with a problem takes the focus (its message is its description).
      requestAnimationFrame(() => document.getElementById(`${formId}-${first}`)?.focus());
      return;
    }
    if (unit) {
      const input = updateInput(unit, draft);
      if (Object.keys(input).length === 0) return;
      const result = await update({ id: unit.id, input });
      if (result.data) onSaved(result.data.updateUnit);
      else if (result.error) setServerError(result.error);
    } else {
      const result = await create({ input: createInput(draft) });
      if (result.data) onSaved(result.data.createUnit);
      else if (result.error) setServerError(result.error);
    }
  }

  function discard() {
    setDraft(unit ? draftOf(unit) : emptyDraft);
    setSubmitted(false);
    setServerError(null);
  }

  const id = (field: UnitField) => `${formId}-${field}`;
  const inventoryError = says(problems.inventory) ?? (inventoryConflict ? [inventoryConflict.message, ...inventoryConflict.details].join(' ') : undefined);

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-label={unit ? t('form.editLabel') : t('form.newLabel')}>
      <Stack gap="sm">
        <TextInput
          id={id('name')}
          label={t('form.name')}
          required
          value={draft.name}
          onChange={(event) => set('name', event.currentTarget.value)}
          error={says(problems.name)}
          maxLength={limits.name + 20}
          autoComplete="off"
        />
        <Autocomplete
          id={id('kind')}
          label={t('form.kind')}
          description={t('form.kindHint')}
          data={kinds}
          value={draft.kind}
          onChange={(value) => set('kind', value)}
          error={says(problems.kind)}
          comboboxProps={{ withinPortal: true }}
          autoComplete="off"
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="sm">
          <NumberInput
            id={id('inventory')}
            label={t('form.inventory')}
            description={t('form.inventoryHint')}
            required
            min={1}
            max={limits.count}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            value={draft.inventory}
            onChange={(value) => set('inventory', value)}
            error={inventoryError}
          />
          <NumberInput
            id={id('maxGuests')}
            label={t('form.maxGuests')}
            description={t('form.maxGuestsHint')}
            required
            min={1}
            max={limits.count}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            value={draft.maxGuests}
            onChange={(value) => set('maxGuests', value)}
            error={says(problems.maxGuests)}
          />
        </SimpleGrid>
        <Textarea
          id={id('description')}
          label={t('form.description')}
          description={t('form.descriptionHint')}
          autosize
          minRows={3}
          maxRows={12}
          value={draft.description}
          onChange={(event) => set('description', event.currentTarget.value)}
          error={says(problems.description)}
        />
        <TagsInput
          id={id('amenities')}
          label={t('form.amenities')}
          description={t('form.amenitiesHint')}
          data={amenities.filter((a) => !draft.amenities.includes(a))}
          value={draft.amenities}
          onChange={(value) => set('amenities', value)}
          splitChars={[',']}
          error={says(problems.amenities)}
          clearable
          comboboxProps={{ withinPortal: true }}
        />
        {otherProblem ? <ProblemAlert problem={otherProblem} title={unit ? t('form.saveFailed') : t('form.createFailed')} /> : null}
        <Group gap="sm" justify="flex-end" wrap="wrap">
          {unit && dirty ? (
            <Button variant="subtle" onClick={discard} disabled={busy}>
              {t('form.discard')}
            </Button>
          ) : null}
          {onCancel ? (
            <Button variant="default" onClick={onCancel} disabled={busy}>
              {t('form.cancel')}
            </Button>
          ) : null}
          <Button type="submit" loading={busy} disabled={unit ? !dirty : false}>
            {unit ? t('form.save') : t('form.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
