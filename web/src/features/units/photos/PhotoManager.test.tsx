// The photo manager against a fake berth and a fake XMLHttpRequest: files
// checked before sending (a text file named .jpg, a file over 10 MB) with the
// reason beside each, the rest sent one at a time with progress, berth's
// refusal in words; the alt text warning and its edit; moving a photo with
// the focus following it; removing one after a confirmation; staff see the
// photos only.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UnitFieldsFragment, UnitImageFieldsFragment } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import { fakeUrql, renderWith } from '@/test/fake-urql';
import { PhotoManager } from './PhotoManager';
import { maxUploadBytes } from './upload';

class FakeXhr {
  static sent: FakeXhr[] = [];
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  responseText = '';
  withCredentials = false;
  method = '';
  url = '';
  body: FormData | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader() {}
  send(body: FormData) {
    this.body = body;
    FakeXhr.sent.push(this);
  }
  abort() {
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    act(() => this.upload.onprogress?.({ lengthComputable: true, loaded, total }));
  }
  async respond(status: number, answer: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(answer);
    await act(async () => {
      this.onload?.();
      await Promise.resolve();
    });
  }
}

const pngBytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
const png = (name: string) => new File([pngBytes], name, { type: 'image/png' });

function photo(id: string, position: number, alt: string | null): UnitImageFieldsFragment {
  return {
    id,
    url: `/media/${id}/800.jpg`,
    alt,
    width: 800,
    height: 600,
    position,
    srcset: `/media/${id}/320.jpg 320w, /media/${id}/800.jpg 800w`,
    uploaded: true,
  };
}

const unit: UnitFieldsFragment = {
  id: 'u1',
  name: 'Birch Cabin',
  kind: 'cabin',
  inventory: 1,
  maxGuests: 4,
  description: null,
  amenities: [],
  archived: false,
  images: [],
};

beforeEach(async () => {
  FakeXhr.sent = [];
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['units']);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function fileInput(container: HTMLElement): HTMLInputElement {
  const input = container.querySelector<HTMLInputElement>('input[type=file]');
  if (!input) throw new Error('no file input');
  return input;
}

describe('uploading', () => {
  it('refuses what is not an image or too large, beside the file, and sends the rest one at a time with progress', async () => {
    const onUploaded = vi.fn();
    const fake = fakeUrql({});
    const { container } = renderWith(fake.client, <PhotoManager unitId="u1" images={[]} mayEdit onUploaded={onUploaded} onChanged={vi.fn()} />);
    const user = userEvent.setup({ delay: null, applyAccept: false });
    const text = new File(['I am a text file'], 'notes.jpg', { type: 'image/jpeg' });
    const huge = new File([pngBytes, new Uint8Array(maxUploadBytes)], 'huge.png', { type: 'image/png' });
    await user.upload(fileInput(container), [text, png('lake.png'), huge, png('jetty.png')]);

    const queue = screen.getByRole('list', { name: 'Files being added' });
    const row = (name: string) => within(queue).getByText(name).closest('li') as HTMLElement;
    await waitFor(() => expect(within(row('notes.jpg')).getByRole('alert')).toHaveTextContent('Not a JPEG, PNG or WebP image'));
    expect(within(row('huge.png')).getByRole('alert')).toHaveTextContent('Larger than 10 MB');

    // One at a time, in the order given.
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(1));
    const first = FakeXhr.sent[0]!;
    expect(first.method).toBe('POST');
    expect(first.url).toBe('/media/units/u1');
    expect(first.withCredentials).toBe(true);
    expect((first.body?.get('file') as File).name).toBe('lake.png');
    first.progress(40, 100);
    expect(within(row('lake.png')).getByText('Uploading… 40%')).toBeInTheDocument();
    expect(within(row('lake.png')).getByRole('progressbar', { name: 'Uploading lake.png' })).toHaveAttribute('aria-valuenow', '40');
    expect(within(row('jetty.png')).getByText('Waiting')).toBeInTheDocument();

    await first.respond(200, { data: photo('i1', 0, null) });
    expect(onUploaded).toHaveBeenCalledTimes(1);
    expect(within(queue).queryByText('lake.png')).not.toBeInTheDocument();
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(2));
    expect((FakeXhr.sent[1]!.body?.get('file') as File).name).toBe('jetty.png');

    // berth's refusal, in words, beside the file.
    await FakeXhr.sent[1]!.respond(400, { errors: [{ message: 'the image could not be decoded: truncated', extensions: { code: 'INVALID_INPUT' } }] });
    const refused = within(row('jetty.png')).getByRole('alert');
    expect(refused).toHaveTextContent('This file could not be used:');
    expect(refused).toHaveTextContent('the image could not be decoded: truncated');
    expect(onUploaded).toHaveBeenCalledTimes(1);

    await user.click(within(row('jetty.png')).getByRole('button', { name: 'Dismiss jetty.png' }));
    expect(within(queue).queryByText('jetty.png')).not.toBeInTheDocument();
  });

  it('takes files dropped on it', async () => {
    const fake = fakeUrql({});
    renderWith(fake.client, <PhotoManager unitId="u1" images={[]} mayEdit onUploaded={vi.fn()} onChanged={vi.fn()} />);
    const zone = screen.getByText('Drag photos here, or').parentElement!;
    const dataTransfer = { files: [png('dropped.png')], dropEffect: 'none' };
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.assign(drop, { dataTransfer });
    act(() => {
      zone.dispatchEvent(drop);
    });
    await waitFor(() => expect(FakeXhr.sent).toHaveLength(1));
    expect((FakeXhr.sent[0]!.body?.get('file') as File).name).toBe('dropped.png');
  });
});

describe('the photos', () => {
  const images = [photo('a', 0, 'The cabin from the lake'), photo('b', 1, null), photo('c', 2, 'The sauna')];

  it('warns while a photo has no alt text, and saves a new one', async () => {
    const fake = fakeUrql({ UnitPhotoAlt: (v) => ({ data: { updateUnitImage: { ...photo('b', 1, String(v.alt)) } } }) });
    renderWith(fake.client, <PhotoManager unitId="u1" images={images} mayEdit onUploaded={vi.fn()} onChanged={vi.fn()} />);
    expect(screen.getByText('1 photo has no alt text')).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Photos, in the order guests see them' });
    const second = within(list).getAllByRole('listitem')[1]!;
    expect(within(second).getByText(/No alt text yet/)).toBeInTheDocument();
    // Without alt text the picture is presentational until it gets one.
    expect(second.querySelector('img')).toHaveAttribute('srcset', '/media/b/320.jpg 320w, /media/b/800.jpg 800w');

    const user = userEvent.setup({ delay: null });
    await user.type(within(second).getByRole('textbox', { name: 'Alt text of photo 2' }), '  The bedroom under the roof ');
    await user.click(within(second).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.callsOf('UnitPhotoAlt')[0]?.variables).toEqual({ id: 'b', alt: 'The bedroom under the roof' }));
  });

  it('moves a photo earlier with the focus following it, and says where it went', async () => {
    const fake = fakeUrql({ UnitPhotosReorder: () => ({ data: { reorderUnitImages: [] } }) });
    renderWith(fake.client, <PhotoManager unitId="u1" images={images} mayEdit onUploaded={vi.fn()} onChanged={vi.fn()} />);
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('button', { name: 'Move photo 3 earlier' }));
    expect(fake.callsOf('UnitPhotosReorder')[0]?.variables).toEqual({ unitId: 'u1', imageIds: ['a', 'c', 'b'] });
    const cards = within(screen.getByRole('list', { name: 'Photos, in the order guests see them' })).getAllByRole('listitem');
    expect(within(cards[1]!).getByRole('img')).toHaveAttribute('alt', 'The sauna');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Move photo 2 earlier' })).toHaveFocus());
    expect(screen.getByText('Moved to position 2 of 3.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Move photo 1 earlier' })).toBeDisabled();
  });

  it('removes a photo only after the confirmation', async () => {
    const after = { ...unit, images: [images[0]!, images[2]!] };
    const onChanged = vi.fn();
    const fake = fakeUrql({ UnitPhotoRemove: () => ({ data: { removeUnitImage: after } }) });
    renderWith(fake.client, <PhotoManager unitId="u1" images={images} mayEdit onUploaded={vi.fn()} onChanged={onChanged} />);
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('button', { name: 'Remove photo 2…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove this photo?' });
    expect(dialog).toHaveTextContent('It leaves the unit and your public site');
    expect(fake.callsOf('UnitPhotoRemove')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Remove photo' }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledWith(after));
    expect(fake.callsOf('UnitPhotoRemove')[0]?.variables).toEqual({ id: 'b' });
  });

  it('shows staff the photos without controls', () => {
    renderWith(fakeUrql({}).client, <PhotoManager unitId="u1" images={images} mayEdit={false} onUploaded={vi.fn()} onChanged={vi.fn()} />);
    expect(screen.getAllByRole('img')).toHaveLength(2);
    expect(screen.getByRole('img', { name: 'The cabin from the lake' })).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByText('Drag photos here, or')).not.toBeInTheDocument();
    expect(screen.getByText('The sauna')).toBeInTheDocument();
  });
});
