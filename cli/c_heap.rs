//! The C heap of the process (librdkafka, OpenSSL, zstd, libc itself): `malloc` and friends
//! come from mimalloc, as kct's own Rust allocations do (the global allocator in `main`), or
//! from glibc's allocator once the command asks for it.
//!
//! Why it depends on the command: librdkafka parses each fetch response (one multi-megabyte
//! receive buffer) into one small allocation per message on its broker thread, and the thread
//! that consumes the messages frees them.
//! - When each message costs the consumer real work (the worker's tasks, `inspect`, the
//!   console, kcat mode's `-J` and `--jq`), the consumer frees while librdkafka allocates the
//!   next response. glibc's arena lock turns that into futex waits, mimalloc's per-page free
//!   lists need no lock: with glibc, `-C -J` took 0.65-0.77 s of CPU instead of 0.37-0.44 s,
//!   FileStreamSink fell from 0.73× to 0.57× kcat's speed and `inspect offsets` from 1.16× to
//!   1.38× kcat's read time.
//! - When each message costs little (kcat mode's `-f` output, and `-P`, `-L`, `-Q`), the
//!   consumer is done with a response before the next one arrives. glibc then reuses the
//!   receive buffer in place, while mimalloc v2 parks a buffer freed by another thread until
//!   its owner next takes its slow path, so two buffers and a whole 32 MiB segment stay
//!   resident: a 1M-message `-C -f` peaked at 42 MB with mimalloc and 32-41 MB with glibc
//!   (kcat: 30-44 MB). These commands call [`use_glibc`].
//!
//! `free` and `realloc` hand a block back to whichever allocator owns it, asked of mimalloc, so
//! blocks given out before the switch, or by glibc on its own (`posix_memalign`), go back to
//! their owner. mimalloc can only vouch for blocks in its arenas or below 48 TiB; it maps a
//! block larger than its 1 GiB arenas on its own, wherever the kernel puts it, so blocks from
//! [`HUGE_BLOCK`] up always come from glibc.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use libmimalloc_sys as mi;

static FROM_MIMALLOC: AtomicBool = AtomicBool::new(true);

/// Requests of this size and more go to glibc in every command: far below mimalloc's 1 GiB
/// arenas, so every block mimalloc hands out lies in an arena it can recognise.
const HUGE_BLOCK: usize = 256 << 20;

/// Serves the C libraries' new allocations from glibc from now on. Call it before the command
/// starts its first Kafka client, so librdkafka's threads allocate there from the start.
pub fn use_glibc() {
    FROM_MIMALLOC.store(false, Ordering::Relaxed);
}

extern "C" {
    fn __libc_malloc(size: usize) -> *mut c_void;
    fn __libc_calloc(count: usize, size: usize) -> *mut c_void;
    fn __libc_realloc(block: *mut c_void, size: usize) -> *mut c_void;
    fn __libc_free(block: *mut c_void);
}

fn mimalloc_serves(size: usize) -> bool {
    size < HUGE_BLOCK && FROM_MIMALLOC.load(Ordering::Relaxed)
}

fn owned_by_mimalloc(block: *const c_void) -> bool {
    // SAFETY: a lookup in mimalloc's segment map; it never dereferences a foreign pointer.
    unsafe { mi::mi_is_in_heap_region(block) }
}

/// # Safety
/// The C `malloc` contract.
#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    if mimalloc_serves(size) {
        mi::mi_malloc(size)
    } else {
        __libc_malloc(size)
    }
}

/// # Safety
/// The C `calloc` contract.
#[no_mangle]
pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    // An overflowing product goes to glibc, which reports it (null, ENOMEM).
    let total = count.saturating_mul(size);
    if mimalloc_serves(total) {
        mi::mi_calloc(count, size)
    } else {
        __libc_calloc(count, size)
    }
}

/// # Safety
/// The C `realloc` contract.
#[no_mangle]
pub unsafe extern "C" fn realloc(block: *mut c_void, size: usize) -> *mut c_void {
    if block.is_null() {
        malloc(size)
    } else if !owned_by_mimalloc(block) {
        __libc_realloc(block, size)
    } else if size < HUGE_BLOCK {
        mi::mi_realloc(block, size)
    } else {
        move_to_glibc(block, size)
    }
}

/// `realloc` of a mimalloc block to a size only glibc serves: copy, then free the old block.
unsafe fn move_to_glibc(block: *mut c_void, size: usize) -> *mut c_void {
    let moved = __libc_malloc(size);
    if !moved.is_null() {
        let kept = mi::mi_usable_size(block).min(size);
        std::ptr::copy_nonoverlapping(block.cast::<u8>(), moved.cast::<u8>(), kept);
        mi::mi_free(block);
    }
    moved
}

/// # Safety
/// The C `free` contract.
#[no_mangle]
pub unsafe extern "C" fn free(block: *mut c_void) {
    if owned_by_mimalloc(block) {
        mi::mi_free(block)
    } else {
        __libc_free(block)
    }
}

/// # Safety
/// The glibc `malloc_usable_size` contract.
#[no_mangle]
pub unsafe extern "C" fn malloc_usable_size(block: *mut c_void) -> usize {
    if block.is_null() {
        0
    } else if owned_by_mimalloc(block) {
        mi::mi_usable_size(block)
    } else {
        glibc_usable_size(block)
    }
}

/// glibc's own `malloc_usable_size`, which this module's definition hides; looked up once.
unsafe fn glibc_usable_size(block: *mut c_void) -> usize {
    type UsableSize = unsafe extern "C" fn(*mut c_void) -> usize;
    static GLIBC: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
    let mut symbol = GLIBC.load(Ordering::Relaxed);
    if symbol.is_null() {
        symbol = libc::dlsym(libc::RTLD_NEXT, c"malloc_usable_size".as_ptr());
        if symbol.is_null() {
            return 0;
        }
        GLIBC.store(symbol, Ordering::Relaxed);
    }
    let glibc: UsableSize = std::mem::transmute::<*mut c_void, UsableSize>(symbol);
    glibc(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test binary runs with this module's `malloc`, in its default (mimalloc) mode.

    #[test]
    fn huge_blocks_come_from_glibc_and_go_back_to_it() {
        unsafe {
            // 2 GiB: more than a mimalloc arena, so mimalloc would map it where its own
            // ownership test cannot see it, and `free` would hand it to glibc.
            let block = libc::malloc(2 << 30);
            assert!(!block.is_null());
            assert!(!owned_by_mimalloc(block));
            libc::free(block);
        }
    }

    #[test]
    fn small_blocks_come_from_mimalloc_and_keep_their_bytes_when_grown_huge() {
        unsafe {
            let block = libc::malloc(64).cast::<u8>();
            assert!(owned_by_mimalloc(block.cast()));
            for i in 0..64 {
                *block.add(i) = i as u8;
            }
            let grown = libc::realloc(block.cast(), HUGE_BLOCK).cast::<u8>();
            assert!(!grown.is_null());
            assert!(!owned_by_mimalloc(grown.cast()));
            assert!((0..64).all(|i| *grown.add(i) == i as u8));
            assert!(malloc_usable_size(grown.cast()) >= HUGE_BLOCK);
            libc::free(grown.cast());
        }
    }

    #[test]
    fn calloc_overflow_is_refused() {
        unsafe {
            assert!(libc::calloc(usize::MAX / 2, 3).is_null());
        }
    }
}
