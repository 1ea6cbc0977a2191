// The uploader's logic: a file's type read from its first bytes (a text file
// renamed .jpg is refused here already), the size limit, berth's answers
// (data, coded errors, a bare 413) and moving a photo in the order.
import { describe, expect, it } from 'vitest';
import { checkFile, maxUploadBytes, moved, readAnswer, sizeText, sniffFormat } from './upload';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
const webp = new TextEncoder().encode('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ');

describe('sniffFormat', () => {
  it('reads JPEG, PNG and WebP from their first bytes', () => {
    expect(sniffFormat(jpeg)).toBe('jpeg');
    expect(sniffFormat(png)).toBe('png');
    expect(sniffFormat(webp)).toBe('webp');
  });

  it('refuses anything else, whatever its name', () => {
    expect(sniffFormat(new TextEncoder().encode('hello, I am text'))).toBeNull();
    expect(sniffFormat(new TextEncoder().encode('GIF89a......'))).toBeNull();
    expect(sniffFormat(new Uint8Array([0xff, 0xd8]))).toBeNull();
    expect(sniffFormat(new Uint8Array())).toBeNull();
  });
});

describe('checkFile', () => {
  it('lets images through and says why others cannot go', async () => {
    expect(await checkFile(new File([png], 'cabin.png', { type: 'image/png' }))).toBeNull();
    expect(await checkFile(new File([jpeg], 'cabin.JPG'))).toBeNull();
    expect(await checkFile(new File(['just text'], 'cabin.jpg', { type: 'image/jpeg' }))).toBe('type');
    expect(await checkFile(new File([], 'empty.png'))).toBe('empty');
    const big = new File([png, new Uint8Array(maxUploadBytes)], 'huge.png', { type: 'image/png' });
    expect(await checkFile(big)).toBe('size');
  });
});

describe('readAnswer', () => {
  it('takes the image from data', () => {
    expect(readAnswer(200, '{"data":{"id":"i1","url":"/media/x/800.jpg"}}')).toEqual({ data: { id: 'i1', url: '/media/x/800.jpg' } });
  });

  it('turns berth’s errors into a coded error with its message', () => {
    const answer = readAnswer(400, '{"errors":[{"message":"the file is not a JPEG, PNG or WebP image","extensions":{"code":"INVALID_INPUT"}}]}');
    expect('error' in answer && answer.error.graphQLErrors[0]?.extensions.code).toBe('INVALID_INPUT');
    expect('error' in answer && answer.error.graphQLErrors[0]?.message).toBe('the file is not a JPEG, PNG or WebP image');
  });

  it('reads a bare 413, 401 or 403 by its status, and anything else as unreachable', () => {
    const big = readAnswer(413, 'Payload Too Large');
    expect('error' in big && big.error.graphQLErrors[0]?.extensions.code).toBe('INVALID_INPUT');
    const out = readAnswer(401, '');
    expect('error' in out && out.error.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    const down = readAnswer(502, '<html>Bad gateway</html>');
    expect('error' in down && down.error.networkError).toBeTruthy();
  });
});

describe('moved', () => {
  it('moves one place up or down, and leaves the ends alone', () => {
    expect(moved(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    const same = ['a', 'b'];
    expect(moved(same, 0, -1)).toBe(same);
    expect(moved(same, 1, 1)).toBe(same);
  });
});

describe('sizeText', () => {
  it('says sizes in MB or KB', () => {
    expect(sizeText(maxUploadBytes, 'en')).toBe('10 MB');
    expect(sizeText(2_500_000, 'en')).toBe('2.4 MB');
    expect(sizeText(2_048, 'en')).toBe('2 KB');
  });
});
