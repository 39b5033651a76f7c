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
//! their owner.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};

use libmimalloc_sys as mi;

static FROM_MIMALLOC: AtomicBool = AtomicBool::new(true);

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

fn mimalloc_serves() -> bool {
    FROM_MIMALLOC.load(Ordering::Relaxed)
}

fn owned_by_mimalloc(block: *const c_void) -> bool {
    // SAFETY: a lookup in mimalloc's segment map; it never dereferences a foreign pointer.
    unsafe { mi::mi_is_in_heap_region(block) }
}

/// # Safety
/// The C `malloc` contract.
#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
    if mimalloc_serves() {
        mi::mi_malloc(size)
    } else {
        __libc_malloc(size)
    }
}

/// # Safety
/// The C `calloc` contract.
#[no_mangle]
pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
    if mimalloc_serves() {
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
    } else if owned_by_mimalloc(block) {
        mi::mi_realloc(block, size)
    } else {
        __libc_realloc(block, size)
    }
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

/// glibc's own `malloc_usable_size`, which this module's definition hides.
unsafe fn glibc_usable_size(block: *mut c_void) -> usize {
    type UsableSize = unsafe extern "C" fn(*mut c_void) -> usize;
    let symbol = libc::dlsym(libc::RTLD_NEXT, c"malloc_usable_size".as_ptr());
    if symbol.is_null() {
        return 0;
    }
    let glibc: UsableSize = std::mem::transmute::<*mut c_void, UsableSize>(symbol);
    glibc(block)
}
