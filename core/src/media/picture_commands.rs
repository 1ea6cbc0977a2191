//! The engine's tenant-picture commands: replacing a tenant's cover and
//! gallery with the files its profile names (each processed on the blocking
//! pool like an upload, unless the same file is already stored), and reading
//! them for the API and the public site.

use std::collections::HashMap;

use super::process::process;
use super::{
    MediaBlob, MediaHash, NewTenantPicture, PictureFile, PictureRole, TenantPicture,
    TenantPictures, parse_alt,
};
use crate::audit::Actor;
use crate::engine::Engine;
use crate::error::EngineError;
use crate::ids::TenantId;

fn crashed(e: tokio::task::JoinError) -> EngineError {
    EngineError::Crashed(format!("picture processing: {e}"))
}

/// A file of `files`, as the store compares it: role, place, alt, source.
type Key = (PictureRole, u32, String, MediaHash);

fn keys<'a>(items: impl Iterator<Item = (PictureRole, &'a str, &'a MediaHash)>) -> Vec<Key> {
    let mut places: HashMap<PictureRole, u32> = HashMap::new();
    let mut out: Vec<Key> = items
        .map(|(role, alt, source)| {
            let place = places.entry(role).or_default();
            let key = (role, *place, alt.to_owned(), source.clone());
            *place += 1;
            key
        })
        .collect();
    out.sort();
    out
}

impl Engine {
    /// Replaces the tenant's pictures with `files` (the cover and the gallery
    /// its profile names, in order). Files whose bytes hash to a picture
    /// already stored are not processed again; when every file, alt text and
    /// place is as stored, nothing is processed or written and the answer is
    /// false. A file that is not an accepted picture is INVALID_INPUT and
    /// nothing changes; so is a missing alt text, a second cover or a gallery
    /// past [`super::MAX_GALLERY_PICTURES`].
    pub async fn put_tenant_pictures(
        &self,
        tenant_id: TenantId,
        files: Vec<PictureFile>,
        actor: &Actor,
    ) -> Result<bool, EngineError> {
        let mut alts = Vec::with_capacity(files.len());
        for file in &files {
            let alt = parse_alt(Some(&file.alt))
                .map_err(|message| EngineError::InvalidInput {
                    field: "alt",
                    message,
                })?
                .ok_or_else(|| EngineError::InvalidInput {
                    field: "alt",
                    message: format!("the {} picture needs alt text", file.role.as_str()),
                })?;
            alts.push(alt);
        }
        let (files, sources) = tokio::task::spawn_blocking(move || {
            let sources: Vec<MediaHash> = files.iter().map(|f| MediaHash::of(&f.bytes)).collect();
            (files, sources)
        })
        .await
        .map_err(crashed)?;
        let stored = self.store.tenant_pictures(tenant_id).await?;
        let stored: Vec<&TenantPicture> = stored.all().collect();
        let wanted = keys(
            files
                .iter()
                .zip(&alts)
                .zip(&sources)
                .map(|((f, alt), source)| (f.role, alt.as_str(), source)),
        );
        let have = keys(stored.iter().map(|p| (p.role, p.alt.as_str(), &p.source)));
        if wanted == have {
            return Ok(false);
        }
        // What is stored already is reused (its blobs read back, never
        // re-encoded); the rest is processed.
        let mut reused: HashMap<MediaHash, Vec<MediaBlob>> = HashMap::new();
        for picture in &stored {
            if reused.contains_key(&picture.source) || !sources.contains(&picture.source) {
                continue;
            }
            let mut blobs = Vec::with_capacity(picture.variants.len());
            for v in &picture.variants {
                match self.store.media_blob(&v.hash).await? {
                    Some(blob) => blobs.push(blob),
                    None => break,
                }
            }
            if blobs.len() == picture.variants.len() {
                reused.insert(picture.source.clone(), blobs);
            }
        }
        let roles: Vec<PictureRole> = files.iter().map(|f| f.role).collect();
        let todo: Vec<(usize, Vec<u8>)> = files
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !reused.contains_key(&sources[*i]))
            .map(|(i, f)| (i, f.bytes))
            .collect();
        let mut processed = tokio::task::spawn_blocking(move || {
            todo.into_iter()
                .map(|(i, bytes)| process(&bytes).map(|p| (i, p.variants)))
                .collect::<Result<HashMap<usize, Vec<MediaBlob>>, _>>()
        })
        .await
        .map_err(crashed)?
        .map_err(|refusal| EngineError::InvalidInput {
            field: "file",
            message: refusal.to_string(),
        })?;
        let new: Vec<NewTenantPicture> = roles
            .into_iter()
            .zip(alts)
            .zip(sources)
            .enumerate()
            .map(|(i, ((role, alt), source))| NewTenantPicture {
                role,
                alt,
                variants: processed
                    .remove(&i)
                    .or_else(|| reused.get(&source).cloned())
                    .unwrap_or_default(),
                source,
            })
            .collect();
        Ok(self
            .store
            .replace_tenant_pictures(tenant_id, &new, actor, self.clock.now())
            .await?)
    }

    /// The tenant's pictures: its cover and gallery as stored when its policy
    /// last went live (none before).
    pub async fn tenant_pictures(
        &self,
        tenant_id: TenantId,
    ) -> Result<TenantPictures, EngineError> {
        Ok(self.store.tenant_pictures(tenant_id).await?)
    }
}
