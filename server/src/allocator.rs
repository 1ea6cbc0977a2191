//! The system allocator's two settings berth changes, both documented glibc
//! parameters set first thing in `main` (decisions 0176 and 0185), and one
//! trim of the heap once the server is ready ([`trim`], decision 0186):
//!
//! - **The mmap threshold, fixed at its default of 128 KiB.** glibc serves a
//!   block above the threshold with its own `mmap` and returns it to the
//!   system when freed — but after such a block is freed it raises the
//!   threshold to that block's size (up to 32 MiB), so every later block of
//!   that size comes from the heap and stays resident after it is freed.
//!   berth's large short-lived blocks (a password hash's 19 MiB of Argon2
//!   memory, the demo's seeding, picture resizing at publication) then left
//!   an idle server at about twice its working memory. Setting the threshold
//!   explicitly turns the adjustment off.
//! - **One arena per CPU the process may use** (glibc allows eight per CPU).
//!   Each arena keeps the memory freed into it; with tokio's workers and its
//!   blocking threads each taking an arena of its own, an idle server kept
//!   1.6–3.3 MiB more of them than it does with one per CPU, and a server
//!   runs no more threads allocating at once than it has CPUs.
//!
//! An operator who sets `MALLOC_MMAP_THRESHOLD_` or `MALLOC_ARENA_MAX` keeps
//! theirs (glibc applied it at start).

/// glibc's default threshold (128 KiB), made fixed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Sets both; to be called first thing in `main`, before any thread starts.
/// The one place berth allows `unsafe`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub(crate) fn tune() {
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: `mallopt` only changes allocator parameters: it takes no
        // pointer and is safe to call at any time (glibc locks its arenas);
        // M_MMAP_THRESHOLD accepts any value up to 32 MiB. A refusal (0) leaves
        // glibc's behaviour as it was, so the result is not needed.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let arenas = libc::c_int::try_from(cpus).unwrap_or(libc::c_int::MAX);
        // SAFETY: as above; M_ARENA_MAX takes any positive count, and only
        // limits how many arenas glibc creates from now on.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Off glibc there is nothing to set.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn tune() {}

/// Gives the system back the whole pages that freed blocks left inside the
/// heap. Called once, when the server is ready: starting (migrations, the
/// policies' compilation, the demo's seeding) frees far more than it keeps,
/// and glibc returns only the free memory at the top of its heap by itself.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub(crate) fn trim() {
    // SAFETY: `malloc_trim` takes no pointer; it locks each arena in turn and
    // only advises the kernel about pages no allocated block touches.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Off glibc there is nothing to trim.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn trim() {}
