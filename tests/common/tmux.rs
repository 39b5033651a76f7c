//! A small tmux driver for end-to-end tests of `kct tui`: a real terminal of a fixed size on a
//! private server (`tmux -L <unique>`, no user config), keys in, screens out.
//!
//! * [`Tmux::start`] runs a shell command in a detached session of `cols`×`rows`.
//! * [`Tmux::keys`] sends tmux key names (`Enter`, `Escape`, `Tab`, `q`, `C-c`), [`Tmux::text`]
//!   types a string literally.
//! * [`Tmux::wait_for`] / [`Tmux::wait_until`] poll `capture-pane -p` until the screen holds
//!   what is expected, and fail after a deadline with the last screen in the message.
//! * [`Tmux::display`] reads pane state (`#{alternate_on}`, `#{cursor_flag}`, …).
//! * Dropping it kills the private server (and with it the programs in the pane).
//!
//! tmux is required: without it the test fails with the command that installs it.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use super::scratch_dir;

/// How often the screen is captured while waiting.
const POLL: Duration = Duration::from_millis(100);

/// The tmux binary, or a failure that says how to install it.
pub fn tmux_bin() -> PathBuf {
    static TMUX: OnceLock<PathBuf> = OnceLock::new();
    TMUX.get_or_init(|| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|d| d.join("tmux"))
            .find(|p| p.is_file())
            .unwrap_or_else(|| {
                panic!(
                    "tmux (the terminal the console's end-to-end tests run in) is not installed: \
                     run `bash scripts/test.sh` (installs everything the tests need), or \
                     `sudo apt-get install tmux`"
                )
            })
    })
    .clone()
}

pub struct Tmux {
    /// The private server's socket name (`-L`).
    socket: String,
    /// The session (and target) name.
    target: String,
    /// The screens seen so far, latest last (for failure messages).
    last: std::cell::RefCell<String>,
    /// The server's socket file, removed on drop (`kill-server` leaves it behind).
    socket_path: Option<PathBuf>,
}

impl Tmux {
    /// Runs `command` (a shell command line) in a new detached session of `cols`×`rows`, on a
    /// private tmux server whose environment is this process's plus `env`.
    pub fn start(cols: u16, rows: u16, command: &str, env: &[(&str, &str)]) -> Tmux {
        static N: AtomicU32 = AtomicU32::new(0);
        let socket = format!(
            "kct-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut t = Tmux {
            socket,
            target: "tui".into(),
            last: Default::default(),
            socket_path: None,
        };
        let home = scratch_dir().join("tmux-home");
        std::fs::create_dir_all(&home).expect("tmux home");
        let mut cmd = t.cmd();
        cmd.env_remove("TMUX")
            .env("HOME", &home)
            .env("TERM", "xterm-256color")
            .envs(env.iter().copied())
            .args(["new-session", "-d", "-s", &t.target])
            .args(["-x", &cols.to_string(), "-y", &rows.to_string()])
            .arg(command);
        t.check(cmd, "new-session");
        t.socket_path = Some(PathBuf::from(t.display("#{socket_path}")));
        // The window keeps the size asked for, whatever clients come and go.
        t.run(&["set-option", "-g", "window-size", "manual"]);
        t
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(tmux_bin());
        cmd.args(["-L", &self.socket, "-f", "/dev/null"])
            .stdin(Stdio::null());
        cmd
    }

    fn check(&self, mut cmd: Command, what: &str) -> Output {
        let out = cmd.output().unwrap_or_else(|e| panic!("tmux {what}: {e}"));
        assert!(
            out.status.success(),
            "tmux {what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.cmd();
        cmd.args(args);
        self.check(cmd, &args.join(" "))
    }

    /// Sends tmux key names (`Enter`, `Escape`, `Tab`, `BTab`, `Up`, `q`, `C-c`, …).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.target];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types `text` literally.
    pub fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.target, "-l", text]);
    }

    /// The visible screen, one line per row, trailing blanks trimmed.
    pub fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.target]);
        let s: String = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n");
        *self.last.borrow_mut() = s.clone();
        s
    }

    /// The last screen captured (for messages).
    pub fn last_screen(&self) -> String {
        self.last.borrow().clone()
    }

    /// A pane variable, e.g. `#{alternate_on}`.
    pub fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", &self.target, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Polls the screen until `check` holds; fails after `secs` with `what` and the last screen.
    #[track_caller]
    pub fn wait_until(&self, what: &str, secs: u64, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if check(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!(
                    "the screen never showed {what} within {secs} s; last screen ({}):\n{}\n{}\n{}",
                    self.display("#{pane_width}x#{pane_height}"),
                    "─".repeat(40),
                    s,
                    "─".repeat(40)
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Polls until the screen contains every one of `texts`.
    #[track_caller]
    pub fn wait_for(&self, texts: &[&str], secs: u64) -> String {
        self.wait_until(&format!("{texts:?}"), secs, |s| {
            texts.iter().all(|t| s.contains(t))
        })
    }

    /// Polls until the screen contains none of `texts`.
    #[track_caller]
    pub fn wait_gone(&self, texts: &[&str], secs: u64) -> String {
        self.wait_until(&format!("no {texts:?}"), secs, |s| {
            !texts.iter().any(|t| s.contains(t))
        })
    }

    /// Resizes the window (and the pane in it) to `cols`×`rows`.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.run(&[
            "resize-window",
            "-t",
            &self.target,
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .cmd()
            .arg("kill-server")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(p) = &self.socket_path {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The screen line that contains `needle` (for assertions on one table row).
pub fn line_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

/// Single-quotes `s` for `sh`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
