//! The system allocator's one setting berth changes: glibc's mmap threshold,
//! fixed at its documented default of 128 KiB (decision 0176).
//!
//! glibc serves a block above the threshold with its own `mmap` and returns it
//! to the system when freed — but after such a block is freed it raises the
//! threshold to that block's size (up to 32 MiB), so every later block of that
//! size comes from the heap and stays resident after it is freed. berth's large
//! short-lived blocks (a password hash's 19 MiB of Argon2 memory, the demo's
//! seeding, picture resizing at publication) then left an idle server at
//! about twice its working memory. Setting the threshold explicitly turns the
//! adjustment off. An operator who sets `MALLOC_MMAP_THRESHOLD_` keeps theirs.

/// glibc's default threshold (128 KiB), made fixed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Fixes the mmap threshold; to be called first thing in `main`, before any
/// thread starts. Does nothing when `MALLOC_MMAP_THRESHOLD_` is set (glibc
/// applied it at start). The one place berth allows `unsafe`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub(crate) fn fix_mmap_threshold() {
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: `mallopt` only changes allocator parameters: it takes no
        // pointer and is safe to call at any time (glibc locks its arenas);
        // M_MMAP_THRESHOLD accepts any value up to 32 MiB. A refusal (0) leaves
        // glibc's behaviour as it was, so the result is not needed.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

/// Off glibc there is nothing to fix.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn fix_mmap_threshold() {}
