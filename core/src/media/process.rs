//! Turning an upload into stored widths. The type comes from the content's
//! magic bytes only; the decoder runs under limits (sides, pixels, memory), so a
//! small file that claims a huge picture (a decompression bomb) is refused
//! before its pixels are allocated; the picture is turned upright by its EXIF
//! orientation, flattened onto white, and re-encoded as JPEG in each width. Only
//! pixels go through, so nothing of the original's metadata (EXIF, GPS, ICC,
//! XMP, comments) survives. Pure and CPU-bound: the engine runs it on the
//! blocking pool.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, Rgb, RgbImage};

use super::{MediaBlob, MediaFormat, MediaHash};

/// The largest upload, in bytes (10 MiB).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// The most pixels a picture may have (40 megapixels: a 7,750 × 5,160 photo).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side a picture may have, in pixels.
pub const MAX_SIDE: u32 = 12_000;
/// What a decoder may allocate at once: an RGBA picture of [`MAX_PIXELS`] and
/// some room.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// The widths stored for `srcset`, never wider than the original (which is
/// stored at its own width when narrower than the widest).
pub const VARIANT_WIDTHS: [u32; 3] = [320, 800, 1600];
/// What every width is encoded as (docs/decisions/0017).
pub const OUTPUT_FORMAT: MediaFormat = MediaFormat::Jpeg;
/// The JPEG quality of every width.
pub const OUTPUT_QUALITY: u8 = 80;

/// An upload, processed: the stored widths, narrowest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processed {
    /// The widest variant's width.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// Every width, narrowest first.
    pub variants: Vec<MediaBlob>,
}

/// Why an upload is refused, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Empty.
    #[error("the file is empty")]
    Empty,
    /// Over [`MAX_UPLOAD_BYTES`].
    #[error("the file is {} bytes; an image may have at most {} MB", .0, MAX_UPLOAD_BYTES / (1024 * 1024))]
    TooLarge(usize),
    /// Its first bytes are no image format's.
    #[error("the file is not an image (upload a JPEG, PNG or WebP file)")]
    NotAnImage,
    /// An image of a format berth does not take.
    #[error("{0} images are not supported (upload a JPEG, PNG or WebP file)")]
    Unsupported(String),
    /// More pixels than [`MAX_PIXELS`] or a side over [`MAX_SIDE`].
    #[error(
        "the image has too many pixels ({0}); at most {MAX_PIXELS} pixels and {MAX_SIDE} on a side"
    )]
    TooManyPixels(String),
    /// Starts like an image but does not decode.
    #[error("the image could not be read ({0})")]
    Unreadable(String),
}

/// Checks that `bytes` are a picture [`process`] accepts — the same type,
/// size and pixel limits, decoded whole — without encoding any width; its
/// size upright. For a check that must be cheap (a policy file naming a
/// picture) and still refuse what processing would.
pub fn inspect(bytes: &[u8]) -> Result<(u32, u32), Refusal> {
    let picture = decode(bytes)?;
    Ok((picture.width(), picture.height()))
}

/// Processes an upload (see the module's comment).
pub fn process(bytes: &[u8]) -> Result<Processed, Refusal> {
    let picture = flatten(&decode(bytes)?);
    let variants = widths(picture.width())
        .into_iter()
        .rev()
        .scan(picture, |source, width| {
            let height = scaled_height(source.width(), source.height(), width);
            let resized = if width == source.width() {
                source.clone()
            } else {
                image::imageops::resize(source, width, height, FilterType::CatmullRom)
            };
            // Each narrower width is made from the one before: cheaper, and
            // indistinguishable at these ratios.
            *source = resized.clone();
            Some(resized)
        })
        .map(|variant| encode(&variant))
        .collect::<Result<Vec<_>, _>>()?;
    let mut variants = variants;
    variants.reverse();
    let widest = variants.last().ok_or(Refusal::NotAnImage)?;
    Ok(Processed {
        width: widest.width,
        height: widest.height,
        variants,
    })
}

/// The picture in `bytes`, decoded within the limits and turned upright.
fn decode(bytes: &[u8]) -> Result<DynamicImage, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(Refusal::TooLarge(bytes.len()));
    }
    let format = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        Ok(other) => return Err(Refusal::Unsupported(format_name(other))),
        Err(_) => return Err(Refusal::NotAnImage),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels(format!("{width} × {height}")));
    }
    let orientation = decoder.orientation().map_err(refusal)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// The widths stored for a picture `original` pixels wide, narrowest first.
fn widths(original: u32) -> Vec<u32> {
    let widest = original.min(VARIANT_WIDTHS[VARIANT_WIDTHS.len() - 1]);
    let mut out: Vec<u32> = VARIANT_WIDTHS.into_iter().filter(|w| *w < widest).collect();
    out.push(widest);
    out
}

fn scaled_height(width: u32, height: u32, to: u32) -> u32 {
    let scaled = (u64::from(height) * u64::from(to) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled.max(1)).unwrap_or(u32::MAX)
}

/// The picture as RGB, transparent parts over white (JPEG has no alpha).
fn flatten(picture: &DynamicImage) -> RgbImage {
    if !picture.color().has_alpha() {
        return picture.to_rgb8();
    }
    let rgba = picture.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| {
            let c = u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a));
            u8::try_from((c + 127) / 255).unwrap_or(u8::MAX)
        };
        Rgb([over(r), over(g), over(b)])
    })
}

fn encode(picture: &RgbImage) -> Result<MediaBlob, Refusal> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, OUTPUT_QUALITY)
        .encode_image(picture)
        .map_err(|e| Refusal::Unreadable(e.to_string()))?;
    Ok(MediaBlob {
        hash: MediaHash::of(&bytes),
        format: OUTPUT_FORMAT,
        width: picture.width(),
        height: picture.height(),
        bytes,
    })
}

fn refusal(e: image::ImageError) -> Refusal {
    match e {
        image::ImageError::Limits(l) => Refusal::TooManyPixels(l.to_string()),
        other => Refusal::Unreadable(other.to_string()),
    }
}

fn format_name(format: ImageFormat) -> String {
    match format {
        ImageFormat::Gif => "GIF".into(),
        ImageFormat::Tiff => "TIFF".into(),
        ImageFormat::Bmp => "BMP".into(),
        ImageFormat::Ico => "ICO".into(),
        ImageFormat::Avif => "AVIF".into(),
        other => format!("{other:?}").to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_exceed_the_original() {
        assert_eq!(widths(4000), vec![320, 800, 1600]);
        assert_eq!(widths(1600), vec![320, 800, 1600]);
        assert_eq!(widths(1000), vec![320, 800, 1000]);
        assert_eq!(widths(800), vec![320, 800]);
        assert_eq!(widths(500), vec![320, 500]);
        assert_eq!(widths(320), vec![320]);
        assert_eq!(widths(100), vec![100]);
    }

    #[test]
    fn heights_keep_the_aspect_ratio() {
        assert_eq!(scaled_height(1600, 1200, 320), 240);
        assert_eq!(scaled_height(3000, 1, 320), 1);
        assert_eq!(scaled_height(1000, 333, 800), 266);
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(process(b""), Err(Refusal::Empty));
        assert_eq!(process(b"hello, not a picture"), Err(Refusal::NotAnImage));
        assert_eq!(
            process(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            Err(Refusal::Unsupported("GIF".into()))
        );
        let big = vec![0xff; MAX_UPLOAD_BYTES + 1];
        assert_eq!(process(&big), Err(Refusal::TooLarge(MAX_UPLOAD_BYTES + 1)));
    }

    /// A PNG header that claims 20,000 × 20,000 pixels (a decompression
    /// bomb's shape) is refused before any pixel is decoded.
    #[test]
    fn a_huge_claimed_size_is_refused_by_the_limits() {
        let png = crate::test_pictures::png_claiming(20_000, 20_000);
        assert!(
            matches!(process(&png), Err(Refusal::TooManyPixels(_))),
            "{:?}",
            process(&png)
        );
    }

    /// The measurement behind docs/decisions/0017 (run with `cargo test -p
    /// berth-core --lib measure_output_formats -- --ignored --nocapture`;
    /// `BERTH_MEASURE_PHOTO=path` measures a real photo as well): the bytes of
    /// each width as JPEG (quality 80), PNG and lossless WebP.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn measure_output_formats() {
        let mut pictures = vec![("photo-like 2400×1600".to_owned(), photo_like(2400, 1600))];
        if let Ok(path) = std::env::var("BERTH_MEASURE_PHOTO")
            && let Ok(img) = image::open(&path)
        {
            pictures.push((path, img.to_rgb8()));
        }
        for (name, picture) in pictures {
            println!("{name}");
            for width in widths(picture.width()) {
                let height = scaled_height(picture.width(), picture.height(), width);
                let resized =
                    image::imageops::resize(&picture, width, height, FilterType::CatmullRom);
                let jpeg = encode(&resized).map(|b| b.bytes.len()).unwrap_or(0);
                let mut png = Vec::new();
                let mut webp = Vec::new();
                let _ = resized.write_to(&mut Cursor::new(&mut png), ImageFormat::Png);
                let _ = resized.write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP);
                println!(
                    "  {width:>4} wide: JPEG q{OUTPUT_QUALITY} {jpeg:>8} B, PNG {:>8} B, WebP lossless {:>8} B",
                    png.len(),
                    webp.len()
                );
            }
        }
    }

    /// A picture with a photo's statistics: a sky gradient, hills whose edges
    /// and shading vary smoothly, foliage-like texture and sensor-like grain.
    pub(crate) fn photo_like(width: u32, height: u32) -> RgbImage {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut noise = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            f64::from(u32::try_from(seed >> 40).unwrap_or(0)) / f64::from(1u32 << 24) - 0.5
        };
        let (w, h) = (f64::from(width), f64::from(height));
        RgbImage::from_fn(width, height, |x, y| {
            let (fx, fy) = (f64::from(x) / w, f64::from(y) / h);
            let ridge = 0.45 + 0.08 * (fx * 9.0).sin() + 0.05 * (fx * 23.0 + 1.0).sin();
            let (r, g, b) = if fy < ridge {
                (110.0 + 90.0 * fy, 160.0 + 60.0 * fy, 235.0 - 20.0 * fy)
            } else {
                let t = (fx * 180.0).sin() * (fy * 140.0).cos() * 18.0
                    + (fx * 37.0 + fy * 51.0).sin() * 25.0;
                (60.0 + t, 110.0 + t * 1.2 - 40.0 * fy, 50.0 + t * 0.5)
            };
            let grain = noise() * 14.0;
            let px = |c: f64| (c + grain).clamp(0.0, 255.0) as u8;
            Rgb([px(r), px(g), px(b)])
        })
    }
}
