//! A tenant's own pictures (docs/decisions/0083, 0102–0109): the cover and the
//! gallery its profile names, files of its directory. Each is processed like a
//! unit photo (the same widths, JPEG, content-addressed blobs shared with unit
//! images) and stored with its role, place, alt text and the hash of the file
//! it came from, so a reload of unchanged files processes nothing.

use serde::{Deserialize, Serialize};

use super::{ImageVariant, MediaBlob, MediaHash, srcset};
use crate::ids::TenantId;

/// The most pictures a profile's gallery holds.
pub const MAX_GALLERY_PICTURES: usize = 12;

/// What a tenant picture is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PictureRole {
    /// The one picture at the top of the tenant's site (and its sharing
    /// image).
    Cover,
    /// One of the gallery's pictures, in order.
    Gallery,
}

impl PictureRole {
    /// Its stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Cover => "cover",
            Self::Gallery => "gallery",
        }
    }

    /// The role of a stored name.
    pub fn from_stored(name: &str) -> Option<Self> {
        [Self::Cover, Self::Gallery]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

/// A tenant picture, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TenantPicture {
    /// The owning tenant.
    pub tenant_id: TenantId,
    /// Cover or gallery.
    pub role: PictureRole,
    /// Its place among the pictures of its role, from 0 (the cover: 0).
    pub position: u32,
    /// Text for people who cannot see it (required by the profile).
    pub alt: String,
    /// The largest stored width (the file's, or less).
    pub width: u32,
    /// The height at that width.
    pub height: u32,
    /// The SHA-256 of the file it was made from, as the tenant's directory
    /// has it (what a reload compares before processing anything).
    pub source: MediaHash,
    /// The stored widths, narrowest first.
    pub variants: Vec<ImageVariant>,
}

impl TenantPicture {
    /// The widest variant (what an `Image`'s `url` points at).
    pub fn largest(&self) -> Option<&ImageVariant> {
        self.variants.iter().max_by_key(|v| v.width)
    }

    /// The `srcset` attribute's value, as for unit images.
    pub fn srcset(&self) -> String {
        srcset(&self.variants)
    }
}

/// A tenant's pictures: what its public site shows at the top and in its
/// gallery.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TenantPictures {
    /// The cover, if the profile names one.
    pub cover: Option<TenantPicture>,
    /// The gallery, in the profile's order.
    pub gallery: Vec<TenantPicture>,
}

impl TenantPictures {
    /// The pictures of stored rows (any order).
    pub fn from_pictures(mut pictures: Vec<TenantPicture>) -> Self {
        pictures.sort_by_key(|p| (p.role, p.position));
        let mut out = Self::default();
        for picture in pictures {
            match picture.role {
                PictureRole::Cover => out.cover = Some(picture),
                PictureRole::Gallery => out.gallery.push(picture),
            }
        }
        out
    }

    /// Every picture: the cover first, then the gallery.
    pub fn all(&self) -> impl Iterator<Item = &TenantPicture> {
        self.cover.iter().chain(&self.gallery)
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.cover.is_none() && self.gallery.is_empty()
    }
}

/// A picture ready to store: processed, with its role, alt text and source
/// hash. Its place is its place in the list given to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTenantPicture {
    /// Cover or gallery.
    pub role: PictureRole,
    /// Alt text (checked by the profile).
    pub alt: String,
    /// The SHA-256 of the file.
    pub source: MediaHash,
    /// The encoded widths, narrowest first.
    pub variants: Vec<MediaBlob>,
}

/// A picture file a profile names, read from the tenant's directory.
#[derive(Clone, PartialEq, Eq)]
pub struct PictureFile {
    /// Cover or gallery.
    pub role: PictureRole,
    /// Alt text.
    pub alt: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for PictureFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PictureFile")
            .field("role", &self.role)
            .field("alt", &self.alt)
            .field("len", &self.bytes.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_their_stored_names() {
        for role in [PictureRole::Cover, PictureRole::Gallery] {
            assert_eq!(PictureRole::from_stored(role.as_str()), Some(role));
        }
        assert_eq!(PictureRole::from_stored("banner"), None);
    }
}
