//! The one event channel: terminal input (from the input thread), timer ticks and background
//! results (from the jobs thread) all arrive here, in order, as [`Event`]s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use ratatui::crossterm::event::{self, KeyEvent, KeyEventKind, MouseEvent};

use super::jobs::Reply;

#[derive(Debug)]
pub enum Event {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize,
    Tick,
    /// A background result, with the epoch (cluster switch count) it was asked in.
    Job(u64, Reply),
}

/// Lets the UI stop the input thread from reading while an editor owns the terminal.
#[derive(Debug, Default)]
pub struct InputControl {
    paused: AtomicBool,
    parked: AtomicBool,
}

impl InputControl {
    /// Stops reading and waits until the input thread has let go of the terminal.
    pub fn pause(&self) {
        self.parked.store(false, Ordering::SeqCst);
        self.paused.store(true, Ordering::SeqCst);
        while !self.parked.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
}

/// Reads terminal events until the receiver goes away. It polls briefly so that it notices a
/// pause request: crossterm's reader would otherwise take keys meant for the editor.
pub fn spawn_input(tx: Sender<Event>, control: Arc<InputControl>) {
    let run = move || loop {
        if control.paused.load(Ordering::SeqCst) {
            control.parked.store(true, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        control.parked.store(false, Ordering::SeqCst);
        match event::poll(Duration::from_millis(20)) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(_) => return,
        }
        let ev = match event::read() {
            Ok(event::Event::Key(k)) if k.kind != KeyEventKind::Release => Event::Key(k),
            Ok(event::Event::Mouse(m)) => Event::Mouse(m),
            Ok(event::Event::Resize(..)) => Event::Resize,
            Ok(_) => continue,
            Err(_) => return,
        };
        super::trace::arrived(match ev {
            Event::Mouse(_) => "mouse",
            Event::Resize => "resize",
            _ => "key",
        });
        if tx.send(ev).is_err() {
            return;
        }
    };
    let _ = std::thread::Builder::new()
        .name("kct-tui-input".into())
        .spawn(run);
}
