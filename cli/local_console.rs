//! `kct local` on a terminal: the worker runs on a background thread with its log in the data
//! directory (it would scribble over the screen otherwise), the console runs in front, and
//! quitting the console stops the worker, which commits its offsets.

use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kct::worker::error::WorkerError;
use kct::worker::local::{prepare, LocalArgs};

/// How long the worker may take to answer on its REST port.
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub fn run(args: LocalArgs) -> i32 {
    let local = match prepare(args) {
        Ok(l) => l,
        Err(e) => {
            kct::say!("kct local: {e}");
            return 1;
        }
    };
    let log = local.dir.join("worker.log");
    let url = format!("http://127.0.0.1:{}", local.port);
    let saved = match StderrToFile::open(&log) {
        Ok(s) => s,
        Err(e) => {
            kct::say!("kct local: cannot write {}: {e}", log.display());
            return 1;
        }
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let worker_args = local.worker;
    let worker = std::thread::spawn(move || {
        kct::worker::run_until(worker_args, async {
            let _ = stop_rx.await;
        })
    });
    let code = match wait_for_rest(local.port, &worker) {
        Ok(()) => open_console(&url),
        Err(why) => {
            drop(saved);
            kct::say!("kct local: {why}; see {}", log.display());
            return 1;
        }
    };
    let _ = stop_tx.send(());
    let result = worker.join();
    drop(saved);
    println!("{}\n  worker log  {}", local.summary, log.display());
    match result {
        Ok(Ok(())) => code,
        Ok(Err(e)) => {
            kct::say!("kct local: {e}");
            1
        }
        Err(_) => {
            kct::say!(
                "kct local: the worker thread panicked; see {}",
                log.display()
            );
            1
        }
    }
}

fn open_console(url: &str) -> i32 {
    match crate::tui::command().try_get_matches_from(["tui", "--connect", url]) {
        Ok(m) => crate::tui::run(&m),
        Err(e) => {
            kct::say!("kct local: {e}");
            1
        }
    }
}

/// Waits until the REST port accepts connections, or the worker thread ended (an error).
fn wait_for_rest(port: u16, worker: &JoinHandle<Result<(), WorkerError>>) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if worker.is_finished() {
            return Err("the worker stopped before its REST API answered".into());
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the worker's REST API did not answer on {addr} within {} s",
                START_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Standard error sent to a file until dropped, then restored.
struct StderrToFile {
    saved: libc::c_int,
}

impl StderrToFile {
    fn open(path: &Path) -> std::io::Result<StderrToFile> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        // SAFETY: dup/dup2 on valid descriptors; fd 2 is restored from `saved` on drop.
        let saved = unsafe { libc::dup(2) };
        if saved < 0 || unsafe { libc::dup2(file.as_raw_fd(), 2) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(StderrToFile { saved })
    }
}

impl Drop for StderrToFile {
    fn drop(&mut self) {
        // SAFETY: `saved` is the descriptor dup'ed from fd 2 in `open`.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}
