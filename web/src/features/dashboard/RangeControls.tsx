// The range: presets in a segmented control (a radio group), and "Custom"
// with two dates and a Show button. Custom dates are checked here (order, at
// most 366 days) and the problem shown under the field that causes it.
import { useState, type FormEvent } from 'react';
import { Button, Group, SegmentedControl, Stack, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { maxRangeDays, presets, rangeProblem, type DateRange, type Preset, type RangeChoice } from './range';

interface Props {
  choice: RangeChoice;
  range: DateRange;
  onChoose: (choice: RangeChoice) => void;
}

export function RangeControls({ choice, range, onChoose }: Props) {
  const { t } = useTranslation('dashboard');
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const [customOpen, setCustomOpen] = useState(choice.preset === 'custom');
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [problem, setProblem] = useState<{ field: 'from' | 'to'; message: string }>();
  const selected = customOpen ? 'custom' : choice.preset;

  function select(value: string) {
    setProblem(undefined);
    if (value === 'custom') {
      setFrom(range.from);
      setTo(range.to);
      setCustomOpen(true);
      return;
    }
    setCustomOpen(false);
    onChoose({ preset: value as Preset });
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!from) return setProblem({ field: 'from', message: t('range.required') });
    if (!to) return setProblem({ field: 'to', message: t('range.required') });
    const why = rangeProblem(from, to);
    if (why === 'order') return setProblem({ field: 'to', message: t('range.order') });
    if (why === 'tooLong') return setProblem({ field: 'to', message: t('range.tooLong', { days: maxRangeDays }) });
    setProblem(undefined);
    onChoose({ preset: 'custom', from, to });
  }

  return (
    <Stack gap="xs">
      <SegmentedControl
        aria-label={t('range.label')}
        value={selected}
        onChange={select}
        orientation={phone ? 'vertical' : 'horizontal'}
        fullWidth={phone}
        style={phone ? undefined : { alignSelf: 'flex-start' }}
        data={[...presets, 'custom'].map((value) => ({ value, label: t(`range.${value}`) }))}
      />
      {customOpen ? (
        <form onSubmit={submit} aria-label={t('range.customLabel')}>
          <Group align="flex-start" gap="sm" wrap={phone ? 'wrap' : 'nowrap'}>
            <TextInput
              type="date"
              label={t('range.from')}
              value={from}
              onChange={(event) => setFrom(event.currentTarget.value)}
              error={problem?.field === 'from' ? problem.message : undefined}
              style={phone ? { flex: '1 1 140px' } : undefined}
            />
            <TextInput
              type="date"
              label={t('range.to')}
              value={to}
              onChange={(event) => setTo(event.currentTarget.value)}
              error={problem?.field === 'to' ? problem.message : undefined}
              style={phone ? { flex: '1 1 140px' } : undefined}
            />
            <Button type="submit" mt={phone ? 0 : 25} fullWidth={phone}>
              {t('range.show')}
            </Button>
          </Group>
        </form>
      ) : null}
    </Stack>
  );
}
