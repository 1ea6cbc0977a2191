//! Pictures for tests (the `testing` feature): deterministic photo-like
//! pixels encoded as PNG, JPEG or WebP, and a JPEG carrying an EXIF segment
//! with GPS tags — what a phone's photo carries and what berth must strip.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};

/// A text that the GPS IFD of [`jpeg_with_gps`] carries (as its processing
/// method): stored bytes that contain it still carry the location.
pub const GPS_MARKER: &[u8] = b"BERTH-GPS-SECRET";

/// Photo-like pixels: a sky gradient, a horizon, shapes; `seed` varies them,
/// so different seeds are different pictures.
pub fn pixels(width: u32, height: u32, seed: u32) -> RgbImage {
    let s = f64::from(seed % 97);
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (
            f64::from(x) / f64::from(width),
            f64::from(y) / f64::from(height),
        );
        let horizon = 0.55 + 0.06 * (fx * (7.0 + s / 10.0)).sin();
        let (r, g, b) = if fy < horizon {
            (120.0 + 80.0 * fy + s, 170.0 + 40.0 * fy, 240.0 - 30.0 * fy)
        } else {
            let t = (fx * 60.0 + s).sin() * (fy * 45.0).cos() * 20.0;
            (70.0 + t, 120.0 + t - 50.0 * fy, 60.0 + t * 0.5 + s)
        };
        let px = |c: f64| c.clamp(0.0, 255.0) as u8;
        Rgb([px(r), px(g), px(b)])
    })
}

fn encoded(width: u32, height: u32, seed: u32, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    pixels(width, height, seed)
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap_or_else(|e| panic!("encode {format:?}: {e}"));
    out
}

/// A PNG of [`pixels`].
pub fn png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    encoded(width, height, seed, ImageFormat::Png)
}

/// A JPEG of [`pixels`].
pub fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    encoded(width, height, seed, ImageFormat::Jpeg)
}

/// A (lossless) WebP of [`pixels`].
pub fn webp(width: u32, height: u32, seed: u32) -> Vec<u8> {
    encoded(width, height, seed, ImageFormat::WebP)
}

/// A JPEG of [`pixels`] with an EXIF APP1 segment right after SOI: IFD0
/// points to a GPS IFD holding a latitude (N 60° 10' 0") and a processing
/// method of [`GPS_MARKER`].
pub fn jpeg_with_gps(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let plain = jpeg(width, height, seed);
    // TIFF, little-endian. IFD0 at 8: one entry (GPSInfo → 26).
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&value.to_le_bytes());
        e
    };
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend(entry(0x8825, 4, 1, 26));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD at 26: three entries, then the data they point to.
    let data_at: u32 = 26 + 2 + 3 * 12 + 4;
    let method_len = u32::try_from(GPS_MARKER.len()).unwrap_or(0);
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from(b'N')));
    tiff.extend(entry(0x0002, 5, 3, data_at));
    tiff.extend(entry(0x001b, 7, method_len, data_at + 24));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (num, den) in [(60u32, 1u32), (10, 1), (0, 1)] {
        tiff.extend_from_slice(&num.to_le_bytes());
        tiff.extend_from_slice(&den.to_le_bytes());
    }
    tiff.extend_from_slice(GPS_MARKER);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let len = u16::try_from(app1.len() + 2).unwrap_or(u16::MAX);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend(app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// The start of a PNG that claims `width` × `height` pixels of RGB (a
/// decompression bomb's shape: a few bytes that would decode to gigabytes).
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // A first data chunk (the decoder reads the header up to it) and the end.
    for chunk in [&b"IDAT\x78\x9c\x63\x00\x00\x00\x01\x00\x01"[..], b"IEND"] {
        png.extend_from_slice(&u32::try_from(chunk.len() - 4).unwrap_or(0).to_be_bytes());
        png.extend_from_slice(chunk);
        png.extend_from_slice(&crc32(chunk).to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The markers of a JPEG's segments before its scan (`0xe1` is APP1, where
/// EXIF lives; `0xe2` APP2, ICC profiles; `0xfe` comments).
pub fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xff {
        let marker = bytes[at + 1];
        markers.push(marker);
        if marker == 0xda {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        at += 2 + len;
    }
    markers
}

/// Whether `haystack` contains `needle`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
