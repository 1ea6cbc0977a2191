// A unit's photos. Admins upload (a file button or drag and drop, several at
// once; each file checked here first — JPEG, PNG or WebP read from its bytes,
// at most 10 MB — then sent one after the other with its progress, and any
// refusal in words beside the file), describe each photo (alt text, with a
// warning while a photo has none), put them in order (move earlier / later
// buttons, keyboard and screen-reader friendly, the focus following the
// photo) and remove them after a confirmation. Everyone else sees the photos.
import '@mantine/core/styles/Progress.css';
import { useCallback, useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { Alert, Button, FileButton, Group, Modal, Progress, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { useMutation, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  UnitPhotoAltDocument,
  UnitPhotoRemoveDocument,
  UnitPhotosReorderDocument,
  type UnitFieldsFragment,
  type UnitImageFieldsFragment,
} from '@/gql/graphql';
import { describeError, type Problem } from '@/lib/errors';
import classes from './photos.module.css';
import {
  acceptedTypes,
  checkFile,
  maxAltChars,
  maxImagesPerUnit,
  maxUploadBytes,
  moved,
  sizeText,
  uploadFile,
  uploadUrl,
  type FileRefusal,
} from './upload';

type Photo = UnitImageFieldsFragment;

/** The app's warning text colour (AA on white; booking's `warningColor`, not imported: that entry is the whole booking feature). */
const warningColor = '#9a3412';

interface QueuedFile {
  key: string;
  file: File;
  state: 'checking' | 'waiting' | 'uploading' | 'failed';
  progress: number;
  refusal?: FileRefusal | 'tooMany';
  problem?: Problem;
}

interface Props {
  unitId: string;
  images: readonly Photo[];
  mayEdit: boolean;
  /** A photo was uploaded: load the unit again. */
  onUploaded: () => void;
  /** A removal answered with the unit as it is now. */
  onChanged: (unit: UnitFieldsFragment) => void;
}

let nextKey = 0;

export function PhotoManager({ unitId, images, mayEdit, onUploaded, onChanged }: Props) {
  const { t, i18n } = useTranslation('units');
  const { t: tc } = useTranslation();
  const [queue, setQueue] = useState<QueuedFile[]>([]);
  const [dragging, setDragging] = useState(false);
  const [removing, setRemoving] = useState<Photo | null>(null);
  const [orderProblem, setOrderProblem] = useState<CombinedError | null>(null);
  const [announcement, setAnnouncement] = useState('');
  // The order the user asked for, shown until berth's images change.
  const [asked, setAsked] = useState<{ ids: readonly string[]; over: readonly Photo[] } | null>(null);
  const [, reorder] = useMutation(UnitPhotosReorderDocument);
  const headingId = useId();

  const uploaded = images.filter((p) => p.uploaded && p.id);
  const linked = images.filter((p) => !p.uploaded || !p.id);
  const shown =
    asked && asked.over === images
      ? asked.ids.map((id) => uploaded.find((p) => p.id === id)).filter((p): p is Photo => !!p)
      : uploaded;
  const withoutAlt = images.filter((p) => !p.alt?.trim()).length;

  // Files: checked as they come, then sent one at a time in the order given.
  // The queue lives in a ref too, so that a finished check or upload can
  // start the next one without waiting for a render.
  const queueRef = useRef<QueuedFile[]>([]);
  const current = useRef<{ abort: () => void } | null>(null);
  const latest = useRef({ unitId, onUploaded, t, tc });
  useEffect(() => {
    latest.current = { unitId, onUploaded, t, tc };
  });
  useEffect(() => () => current.current?.abort(), []);

  const update = useCallback((change: (queue: QueuedFile[]) => QueuedFile[]) => {
    queueRef.current = change(queueRef.current);
    setQueue(queueRef.current);
  }, []);

  // The next file starts from the one before's answer: through a ref, as pump calls itself.
  const next = useRef<() => void>(() => undefined);
  const pump = useCallback(() => {
    if (current.current) return;
    const item = queueRef.current.find((q) => q.state === 'waiting' || q.state === 'checking');
    if (!item || item.state !== 'waiting') return;
    const key = item.key;
    const { unitId: unit } = latest.current;
    update((now) => now.map((q) => (q.key === key ? { ...q, state: 'uploading', progress: 0 } : q)));
    const handle = uploadFile<Photo>(uploadUrl(unit), item.file, {
      onProgress: (share) => update((now) => now.map((q) => (q.key === key ? { ...q, progress: share } : q))),
    });
    current.current = handle;
    void handle.done.then((answer) => {
      current.current = null;
      const words = latest.current;
      if ('data' in answer) {
        update((now) => now.filter((q) => q.key !== key));
        setAnnouncement(words.t('photos.uploaded', { name: item.file.name }));
        words.onUploaded();
      } else {
        update((now) => now.map((q) => (q.key === key ? { ...q, state: 'failed', problem: describeError(answer.error, words.tc, { INVALID_INPUT: words.t('photos.refusedByServer') }) } : q)));
      }
      next.current();
    });
  }, [update]);
  useEffect(() => {
    next.current = pump;
  }, [pump]);

  const add = useCallback(
    (files: File[]) => {
      if (!files.length) return;
      const room = maxImagesPerUnit - images.length;
      const pending = queueRef.current.filter((q) => q.state !== 'failed').length;
      const added = files.map((file, i): QueuedFile => {
        const key = `f${++nextKey}`;
        if (pending + i >= room) return { key, file, state: 'failed', progress: 0, refusal: 'tooMany' };
        return { key, file, state: 'checking', progress: 0 };
      });
      update((now) => [...now, ...added]);
      for (const item of added) {
        if (item.state !== 'checking') continue;
        void checkFile(item.file).then((refusal) => {
          update((now) => now.map((q) => (q.key !== item.key ? q : refusal ? { ...q, state: 'failed', refusal } : { ...q, state: 'waiting' })));
          pump();
        });
      }
    },
    [images.length, pump, update],
  );

  async function move(photo: Photo, by: number) {
    const ids = shown.map((p) => p.id as string);
    const from = ids.indexOf(photo.id as string);
    const order = moved(ids, from, by);
    if (order === ids) return;
    setOrderProblem(null);
    setAsked({ ids: order, over: images });
    setAnnouncement(t('photos.movedTo', { position: from + by + 1, count: order.length }));
    const result = await reorder({ unitId, imageIds: [...order] });
    if (result.error) {
      setAsked(null);
      setOrderProblem(result.error);
    }
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!mayEdit) return;
    add(Array.from(event.dataTransfer.files));
  };

  return (
    <section className={classes.panel} aria-labelledby={headingId}>
      <Group justify="space-between" align="baseline" mb="sm">
        <Title order={2} size="h4" id={headingId}>
          {t('photos.title')}
        </Title>
        <Text fz="sm" c="dimmed">
          {t('photos.count', { count: images.length, max: maxImagesPerUnit })}
        </Text>
      </Group>
      <Stack gap="md">
        {withoutAlt > 0 && mayEdit ? (
          <Alert color="yellow" variant="light" title={t('photos.noAltTitle', { count: withoutAlt })}>
            {t('photos.noAltText')}
          </Alert>
        ) : null}

        {mayEdit ? (
          <div
            className={classes.dropzone}
            data-active={dragging || undefined}
            onDragOver={(event) => {
              event.preventDefault();
              event.dataTransfer.dropEffect = 'copy';
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            <Text fw={600} className={classes.dropHint}>
              {t('photos.drop')}
            </Text>
            <FileButton onChange={(files) => add(files)} accept={acceptedTypes} multiple>
              {(props) => (
                <Button {...props} variant="default">
                  {t('photos.choose')}
                </Button>
              )}
            </FileButton>
            <Text fz="xs" c="dimmed">
              {t('photos.rules', { size: sizeText(maxUploadBytes, i18n.language) })}
            </Text>
          </div>
        ) : null}

        {queue.length > 0 ? (
          <ul className={classes.queue} aria-label={t('photos.queue')}>
            {queue.map((q) => (
              <QueueRow key={q.key} item={q} onDismiss={() => update((now) => now.filter((o) => o.key !== q.key))} />
            ))}
          </ul>
        ) : null}

        {orderProblem ? <ProblemAlert problem={describeError(orderProblem, tc)} title={t('photos.reorderFailed')} /> : null}

        {images.length === 0 ? (
          <Text fz="sm" c="dimmed">
            {mayEdit ? t('photos.emptyAdmin') : t('photos.empty')}
          </Text>
        ) : (
          <ol className={classes.grid} aria-label={t('photos.list')}>
            {shown.map((photo, index) => (
              <PhotoCard
                key={photo.id}
                photo={photo}
                index={index}
                count={shown.length}
                mayEdit={mayEdit}
                onMove={(by) => void move(photo, by)}
                onRemove={() => setRemoving(photo)}
              />
            ))}
            {linked.map((photo) => (
              <PhotoCard key={photo.url} photo={photo} index={-1} count={shown.length} mayEdit={false} onMove={() => undefined} onRemove={() => undefined} />
            ))}
          </ol>
        )}
        <div className={classes.srOnly} role="status" aria-live="polite">
          {announcement}
        </div>
      </Stack>
      <RemoveDialog photo={removing} onClose={() => setRemoving(null)} onRemoved={(unit) => {
        setRemoving(null);
        setAnnouncement(t('photos.removed'));
        onChanged(unit);
      }} />
    </section>
  );
}

function QueueRow({ item, onDismiss }: { item: QueuedFile; onDismiss: () => void }) {
  const { t, i18n } = useTranslation('units');
  const percent = Math.round(item.progress * 100);
  const refusal = item.refusal
    ? t(`photos.refused.${item.refusal}`, { size: sizeText(maxUploadBytes, i18n.language), max: maxImagesPerUnit })
    : null;
  return (
    <li className={classes.queueItem} data-failed={item.state === 'failed' || undefined}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text fz="sm" fw={600} className={classes.fileName}>
          {item.file.name}
        </Text>
        <Text fz="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {sizeText(item.file.size, i18n.language)}
        </Text>
      </Group>
      {item.state === 'failed' ? (
        <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
          <div role="alert" className={classes.fileError}>
            <Text fz="sm" c="red.9">
              {refusal ?? item.problem?.message}
            </Text>
            {item.problem?.details.map((d) => (
              <Text fz="xs" c="red.9" key={d}>
                {d}
              </Text>
            ))}
          </div>
          <Button variant="default" size="compact-xs" style={{ flexShrink: 0 }} onClick={onDismiss} aria-label={t('photos.dismiss', { name: item.file.name })}>
            {t('photos.dismissShort')}
          </Button>
        </Group>
      ) : (
        <>
          <Progress value={item.state === 'uploading' ? percent : 0} size="sm" aria-label={t('photos.progress', { name: item.file.name })} />
          <Text fz="xs" c="dimmed">
            {item.state === 'uploading' ? t('photos.uploading', { percent }) : item.state === 'checking' ? t('photos.checking') : t('photos.waiting')}
          </Text>
        </>
      )}
    </li>
  );
}

interface CardProps {
  photo: Photo;
  /** Its place among the uploaded photos; −1 for a photo linked by URL. */
  index: number;
  count: number;
  mayEdit: boolean;
  onMove: (by: number) => void;
  onRemove: () => void;
}

function PhotoCard({ photo, index, count, mayEdit, onMove, onRemove }: CardProps) {
  const { t } = useTranslation('units');
  const { t: tc } = useTranslation();
  const [alt, setAlt] = useState(photo.alt ?? '');
  const [seen, setSeen] = useState(photo.alt ?? '');
  if ((photo.alt ?? '') !== seen) {
    setSeen(photo.alt ?? '');
    setAlt(photo.alt ?? '');
  }
  const [saving, save] = useMutation(UnitPhotoAltDocument);
  const [problem, setProblem] = useState<CombinedError | null>(null);
  const up = useRef<HTMLButtonElement>(null);
  const down = useRef<HTMLButtonElement>(null);
  const changed = alt.trim() !== (photo.alt ?? '').trim();
  const tooLong = alt.trim().length > maxAltChars;
  const position = index + 1;
  const missing = !photo.alt?.trim();

  // After a move the focus stays on the button pressed, on the moved photo
  // (or on its other button at the ends, where the pressed one is gone).
  const lastMove = useRef<number | null>(null);
  useEffect(() => {
    if (lastMove.current === null) return;
    const by = lastMove.current;
    lastMove.current = null;
    const target = by < 0 ? (index > 0 ? up : down) : index < count - 1 ? down : up;
    target.current?.focus();
  }, [index, count]);

  async function saveAlt() {
    if (!changed || tooLong || !photo.id) return;
    setProblem(null);
    const result = await save({ id: photo.id, alt: alt.trim() || null });
    if (result.error) setProblem(result.error);
  }

  return (
    <li className={classes.card}>
      <div className={classes.frame}>
        <img
          src={photo.url}
          srcSet={photo.srcset || undefined}
          sizes="(max-width: 36em) 100vw, 260px"
          alt={photo.alt ?? ''}
          width={photo.width ?? undefined}
          height={photo.height ?? undefined}
          loading="lazy"
          className={classes.image}
        />
        {index >= 0 ? <span className={classes.position}>{t('photos.position', { position, count })}</span> : null}
      </div>
      <Stack gap={6} p="xs">
        {missing ? (
          <Text fz="xs" fw={600} c={warningColor}>
            ⚠ {t('photos.noAlt')}
          </Text>
        ) : null}
        {mayEdit && photo.id ? (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void saveAlt();
            }}
          >
            <TextInput
              size="xs"
              label={t('photos.alt', { position })}
              description={t('photos.altHint')}
              value={alt}
              onChange={(event) => setAlt(event.currentTarget.value)}
              error={tooLong ? t('photos.altTooLong', { max: maxAltChars }) : undefined}
            />
            {changed ? (
              <Group gap={6} mt={6}>
                <Button type="submit" size="compact-xs" loading={saving.fetching} disabled={tooLong}>
                  {t('photos.saveAlt')}
                </Button>
                <Button variant="subtle" size="compact-xs" onClick={() => setAlt(photo.alt ?? '')}>
                  {t('photos.undoAlt')}
                </Button>
              </Group>
            ) : null}
            {problem ? <ProblemAlert problem={describeError(problem, tc)} title={t('photos.altFailed')} /> : null}
          </form>
        ) : photo.alt ? (
          <Text fz="sm">{photo.alt}</Text>
        ) : null}
        {index < 0 ? (
          <Text fz="xs" c="dimmed">
            {t('photos.linked')}
          </Text>
        ) : null}
        {mayEdit && index >= 0 ? (
          <Group gap={6} justify="space-between" wrap="wrap">
            <Group gap={6} wrap="nowrap">
              <Button
                ref={up}
                variant="default"
                size="compact-xs"
                disabled={index === 0}
                aria-label={t('photos.moveUp', { position })}
                onClick={() => {
                  lastMove.current = -1;
                  onMove(-1);
                }}
              >
                ↑ {t('photos.earlier')}
              </Button>
              <Button
                ref={down}
                variant="default"
                size="compact-xs"
                disabled={index === count - 1}
                aria-label={t('photos.moveDown', { position })}
                onClick={() => {
                  lastMove.current = 1;
                  onMove(1);
                }}
              >
                ↓ {t('photos.later')}
              </Button>
            </Group>
            <Button variant="outline" color="red.9" size="compact-xs" onClick={onRemove} aria-label={t('photos.removeLabel', { position })}>
              {t('photos.remove')}
            </Button>
          </Group>
        ) : null}
      </Stack>
    </li>
  );
}

function RemoveDialog({ photo, onClose, onRemoved }: { photo: Photo | null; onClose: () => void; onRemoved: (unit: UnitFieldsFragment) => void }) {
  const { t } = useTranslation('units');
  const { t: tc } = useTranslation();
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  const [removing, remove] = useMutation(UnitPhotoRemoveDocument);
  const [problem, setProblem] = useState<CombinedError | null>(null);
  async function confirm() {
    if (!photo?.id) return;
    setProblem(null);
    const result = await remove({ id: photo.id });
    if (result.data) onRemoved(result.data.removeUnitImage);
    else if (result.error) setProblem(result.error);
  }
  return (
    <Modal
      opened={photo !== null}
      onClose={() => {
        setProblem(null);
        onClose();
      }}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('photos.removeTitle')}</span>}
      fullScreen={fullScreen}
      closeButtonProps={{ 'aria-label': t('archive.close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {photo ? (
        <Stack gap="md">
          <img src={photo.url} srcSet={photo.srcset || undefined} sizes="400px" alt={photo.alt ?? ''} className={classes.removeImage} />
          <Text>{t('photos.removeText')}</Text>
          {problem ? <ProblemAlert problem={describeError(problem, tc)} title={t('photos.removeFailed')} /> : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose} data-autofocus disabled={removing.fetching}>
              {t('photos.keep')}
            </Button>
            <Button color="red.9" onClick={() => void confirm()} loading={removing.fetching}>
              {t('photos.removeConfirm')}
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
