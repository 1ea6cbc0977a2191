// Uploading a unit's photos, apart from the screen: which files may go (the
// type read from the first bytes, as berth does, and the size), and one file
// sent to berth's upload endpoint (`POST /media/units/{unitId}`, multipart,
// the session cookie) with its progress. berth's answer is `{ data: Image }`
// or `{ errors: [{ message, extensions: { code } }] }`; the latter becomes a
// CombinedError, so it is told in words like any other API error.
import { CombinedError } from 'urql';

/** berth's limit per file (core/src/media/process.rs: 10 MiB). */
export const maxUploadBytes = 10 * 1024 * 1024;
/** berth's limit of images per unit. */
export const maxImagesPerUnit = 40;
/** berth's limit of alt text. */
export const maxAltChars = 500;
/** What the file input offers. */
export const acceptedTypes = 'image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp';

export type ImageFormat = 'jpeg' | 'png' | 'webp';

/** The format the first bytes of a file say it is, or null. */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  const at = (i: number) => head[i] ?? -1;
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((b, i) => at(i) === b)) return 'png';
  const ascii = (from: number, to: number) => String.fromCharCode(...Array.from(head.slice(from, to)));
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return null;
}

/** Why a file cannot be sent, as a key of `units` `photos.refused.*`. */
export type FileRefusal = 'type' | 'size' | 'empty';

/** Whether a file may be sent: its size, and its type read from its first bytes. */
export async function checkFile(file: Blob): Promise<FileRefusal | null> {
  if (file.size === 0) return 'empty';
  if (file.size > maxUploadBytes) return 'size';
  const head = new Uint8Array(await readHead(file, 12));
  return sniffFormat(head) ? null : 'type';
}

function readHead(file: Blob, bytes: number): Promise<ArrayBuffer> {
  const part = file.slice(0, bytes);
  if (typeof part.arrayBuffer === 'function') return part.arrayBuffer();
  // jsdom's Blob has no arrayBuffer(): FileReader does the same.
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsArrayBuffer(part);
  });
}

/** A size in words for people: "2.4 MB". */
export function sizeText(bytes: number, locale?: string): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(mb)} MB`;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(Math.max(1, bytes / 1024))} KB`;
}

interface ErrorLike {
  message?: unknown;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

/** berth's JSON answer (or its absence) as the data or an error. */
export function readAnswer<T>(status: number, body: string): { data: T } | { error: CombinedError } {
  let parsed: { data?: T; errors?: ErrorLike[] } | null = null;
  try {
    parsed = JSON.parse(body) as { data?: T; errors?: ErrorLike[] };
  } catch {
    parsed = null;
  }
  if (parsed?.errors?.length) {
    return {
      error: new CombinedError({
        graphQLErrors: parsed.errors.map((e) => ({
          message: typeof e.message === 'string' ? e.message : '',
          extensions: { ...(e.extensions ?? {}) },
        })),
      }),
    };
  }
  if (status >= 200 && status < 300 && parsed?.data) return { data: parsed.data };
  // No JSON error from berth: a proxy's or the body limit's answer.
  const code = status === 413 ? 'INVALID_INPUT' : status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 429 ? 'RATE_LIMITED' : null;
  if (code) return { error: new CombinedError({ graphQLErrors: [{ message: status === 413 ? `the file is larger than ${maxUploadBytes / (1024 * 1024)} MB` : '', extensions: { code } }] }) };
  const response = { status } as Response;
  return { error: new CombinedError({ networkError: new Error(`HTTP ${status}`), response }) };
}

export interface UploadHandle<T> {
  /** berth's answer: the stored image, or why not. */
  done: Promise<{ data: T } | { error: CombinedError }>;
  /** Stops sending. */
  abort: () => void;
}

/**
 * Sends one file (with its alt text, if any) to berth's upload endpoint.
 * `onProgress` gets the share sent, 0–1. XMLHttpRequest rather than fetch: only
 * it reports upload progress.
 */
export function uploadFile<T>(
  url: string,
  file: File,
  options: { alt?: string; onProgress?: (share: number) => void } = {},
): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<{ data: T } | { error: CombinedError }>((resolve) => {
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => resolve(readAnswer<T>(xhr.status, xhr.responseText));
    const failed = () => resolve({ error: new CombinedError({ networkError: new Error('upload failed'), response: { status: 0 } as Response }) });
    xhr.onerror = failed;
    xhr.ontimeout = failed;
    xhr.onabort = failed;
    const form = new FormData();
    if (options.alt?.trim()) form.append('alt', options.alt.trim());
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

/** The upload endpoint of a unit (under the app's origin; berth serves /media). */
export function uploadUrl(unitId: string): string {
  return `/media/units/${encodeURIComponent(unitId)}`;
}

/** Moves the item at `from` by `by` places (−1 up, +1 down); the same array when it cannot. */
export function moved<T>(items: readonly T[], from: number, by: number): readonly T[] {
  const to = from + by;
  if (from < 0 || from >= items.length || to < 0 || to >= items.length || by === 0) return items;
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  return next;
}
