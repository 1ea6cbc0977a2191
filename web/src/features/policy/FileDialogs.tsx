// Adding a file to the candidate — a Rhai hook beside tenant.yaml or a test
// file in tests/, named as berth reads them (files.ts, `isLoaded`):
// its name is checked as it is typed, and refused at the input with the
// reason — and deleting one, after a confirmation that says it is only gone
// from the changes until they are published.
import '@mantine/core/styles/Radio.css';
import '@mantine/core/styles/InlineInput.css';
import { useState } from 'react';
import { Button, Group, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { newFilePath, newFileProblem, type NewFileKind } from './files';

interface NewFileProps {
  opened: boolean;
  /** The candidate's paths (a new file may not take one). */
  existing: readonly string[];
  onCreate: (kind: NewFileKind, path: string) => void;
  onClose: () => void;
}

export function NewFileDialog({ opened, existing, onCreate, onClose }: NewFileProps) {
  const { t } = useTranslation('policy');
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('newFile.title')}</span>}
      closeButtonProps={{ 'aria-label': t('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {opened ? <NewFileForm existing={existing} onCreate={onCreate} onClose={onClose} /> : null}
    </Modal>
  );
}

function NewFileForm({ existing, onCreate, onClose }: Omit<NewFileProps, 'opened'>) {
  const { t } = useTranslation('policy');
  const [kind, setKind] = useState<NewFileKind>('hook');
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const problem = newFileProblem(kind, name, existing);
  const path = newFilePath(kind, name);
  const shown = touched || (problem !== null && problem !== 'empty') ? problem : null;

  function submit() {
    setTouched(true);
    if (problem) return;
    onCreate(kind, path);
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      noValidate
    >
      <Stack gap="md">
        <Radio.Group value={kind} onChange={(v) => setKind(v)} label={t('newFile.kind')}>
          <Stack gap={6} mt={6}>
            <Radio value="hook" label={t('newFile.hook')} description={t('newFile.hookHint')} />
            <Radio value="test" label={t('newFile.test')} description={t('newFile.testHint')} />
          </Stack>
        </Radio.Group>
        <TextInput
          label={t('newFile.name')}
          description={name.trim() && !shown ? t('newFile.path', { path }) : t(kind === 'hook' ? 'newFile.nameHintHook' : 'newFile.nameHintTest')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          onBlur={() => setTouched(name !== '')}
          error={shown ? t(`newFile.problem.${shown}`, { path }) : undefined}
          data-autofocus
          autoComplete="off"
          spellCheck={false}
          ff="monospace"
        />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button type="submit">{t('newFile.create')}</Button>
        </Group>
      </Stack>
    </form>
  );
}

interface DeleteProps {
  /** The file to delete; null: closed. */
  path: string | null;
  /** Whether the live version has it (else it is a new file of these changes). */
  live: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

export function DeleteFileDialog({ path, live, onConfirm, onClose }: DeleteProps) {
  const { t } = useTranslation('policy');
  return (
    <Modal
      opened={path !== null}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('deleteFile.title', { path: path ?? '' })}</span>}
      closeButtonProps={{ 'aria-label': t('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      <Stack gap="md">
        <Text fz="sm">{live ? t('deleteFile.bodyLive', { path: path ?? '' }) : t('deleteFile.bodyNew', { path: path ?? '' })}</Text>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button color="red" onClick={onConfirm}>
            {t('deleteFile.confirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
