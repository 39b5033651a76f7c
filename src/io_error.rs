//! I/O errors as C programs print them: the OS's wording (`strerror`), without Rust's
//! " (os error N)" suffix, so messages match kcat's.

pub fn io_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
