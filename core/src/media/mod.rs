//! Unit images (docs/decisions/0016–0019): an upload is read by its content
//! (JPEG, PNG or WebP; never by its name or declared type), decoded within
//! limits, turned upright, and re-encoded in a few widths (`process.rs`), which
//! drops every metadata segment the original carried (EXIF and its GPS IFD,
//! ICC profiles, comments). Each width is a content-addressed blob, stored once
//! however many units or tenants upload the same picture, and served publicly at
//! `/media/{hash}/{width}.{ext}`. A tenant's `UnitImage` rows point at them, in
//! an order, with alt text (`commands.rs`: the engine's commands). A tenant's
//! own pictures (its profile's cover and gallery, files of its directory) go
//! through the same processing and blobs (`tenant_pictures.rs`,
//! `picture_commands.rs`).

mod commands;
mod picture_commands;
mod process;
mod tenant_pictures;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use process::{
    MAX_PIXELS, MAX_SIDE, MAX_UPLOAD_BYTES, OUTPUT_FORMAT, OUTPUT_QUALITY, Processed, Refusal,
    VARIANT_WIDTHS, inspect, process,
};
pub use tenant_pictures::{
    MAX_GALLERY_PICTURES, NewTenantPicture, PictureFile, PictureRole, TenantPicture, TenantPictures,
};

use crate::ids::{ImageId, TenantId, UnitId};

/// The most images one unit keeps.
pub const MAX_IMAGES_PER_UNIT: usize = 40;

/// The longest alt text, in characters.
pub const MAX_ALT_CHARS: usize = 500;

/// The SHA-256 of a stored blob's bytes, as 64 lowercase hex digits: its name
/// in URLs and in the database.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MediaHash(String);

impl MediaHash {
    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(bytes);
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The 64 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MediaHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MediaHash({})", self.0)
    }
}

impl fmt::Display for MediaHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string that is not 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a media hash is 64 lowercase hexadecimal digits")]
pub struct BadMediaHash;

impl FromStr for MediaHash {
    type Err = BadMediaHash;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(s.to_owned()))
        } else {
            Err(BadMediaHash)
        }
    }
}

impl TryFrom<String> for MediaHash {
    type Error = BadMediaHash;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<MediaHash> for String {
    fn from(h: MediaHash) -> Self {
        h.0
    }
}

/// An encoded image format berth stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaFormat {
    /// JPEG (baseline, 4:2:0).
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
}

impl MediaFormat {
    /// Its MIME type (`Content-Type`).
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    /// Its file extension in URLs.
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    /// The format of a MIME type, as stored.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Webp]
            .into_iter()
            .find(|f| f.content_type() == content_type)
    }
}

/// One stored width of an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageVariant {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// The blob's hash.
    pub hash: MediaHash,
    /// The blob's format.
    pub format: MediaFormat,
}

impl ImageVariant {
    /// Its public path: `/media/{hash}/{width}.{ext}`.
    pub fn path(&self) -> String {
        format!(
            "/media/{}/{}.{}",
            self.hash,
            self.width,
            self.format.extension()
        )
    }
}

/// An uploaded image of a unit, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitImage {
    /// Stable id.
    pub id: ImageId,
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// The unit it shows.
    pub unit_id: UnitId,
    /// Its place among the unit's images, from 0.
    pub position: u32,
    /// Text for people who cannot see it.
    pub alt: Option<String>,
    /// The largest stored width (the original's, or less).
    pub width: u32,
    /// The height at that width.
    pub height: u32,
    /// The stored widths, narrowest first.
    pub variants: Vec<ImageVariant>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
}

impl UnitImage {
    /// The widest variant (what `url` points at).
    pub fn largest(&self) -> Option<&ImageVariant> {
        self.variants.iter().max_by_key(|v| v.width)
    }

    /// The `srcset` attribute's value: every variant's path with its width
    /// descriptor (`/media/…/320.jpg 320w, /media/…/800.jpg 800w`).
    pub fn srcset(&self) -> String {
        srcset(&self.variants)
    }
}

/// The `srcset` attribute's value of a picture stored in `variants`.
pub(crate) fn srcset(variants: &[ImageVariant]) -> String {
    variants
        .iter()
        .map(|v| format!("{} {}w", v.path(), v.width))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an upload did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uploaded {
    /// The image: new, or the one the unit already had.
    pub image: UnitImage,
    /// False when the unit already had the picture (nothing was written).
    pub created: bool,
}

/// A stored blob, as `/media/` serves it.
#[derive(Clone, PartialEq, Eq)]
pub struct MediaBlob {
    /// Its hash.
    pub hash: MediaHash,
    /// Its format.
    pub format: MediaFormat,
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for MediaBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaBlob")
            .field("hash", &self.hash)
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// An image ready to store: processed, with its unit and alt text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUnitImage {
    /// The unit.
    pub unit_id: UnitId,
    /// Alt text (checked).
    pub alt: Option<String>,
    /// The encoded widths, narrowest first.
    pub variants: Vec<MediaBlob>,
    /// The instant of the write.
    pub now: DateTime<Utc>,
}

/// Alt text as stored: trimmed, empty as none, at most [`MAX_ALT_CHARS`].
pub fn parse_alt(alt: Option<&str>) -> Result<Option<String>, String> {
    let Some(alt) = alt.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    if alt.chars().count() > MAX_ALT_CHARS {
        return Err(format!("alt text is at most {MAX_ALT_CHARS} characters"));
    }
    Ok(Some(alt.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_in_lowercase_hex() {
        let h = MediaHash::of(b"abc");
        assert_eq!(
            h.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.as_str().parse::<MediaHash>(), Ok(h.clone()));
        for bad in ["", "BA7816", &h.as_str().to_uppercase(), &format!("{h}0")] {
            assert_eq!(bad.parse::<MediaHash>(), Err(BadMediaHash), "{bad}");
        }
    }

    #[test]
    fn alt_text_is_trimmed_and_bounded() {
        assert_eq!(parse_alt(None), Ok(None));
        assert_eq!(parse_alt(Some("  ")), Ok(None));
        assert_eq!(parse_alt(Some(" Lake ")), Ok(Some("Lake".into())));
        assert!(parse_alt(Some(&"é".repeat(MAX_ALT_CHARS))).is_ok());
        assert!(parse_alt(Some(&"é".repeat(MAX_ALT_CHARS + 1))).is_err());
    }
}
