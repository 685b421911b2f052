//! A real `doum serve` process on a loopback port, its log collected.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running `doum serve`; killed when dropped.
pub struct DoumProcess {
    pub child: Child,
    /// `http://127.0.0.1:port`.
    pub base: String,
    log: Arc<Mutex<String>>,
    /// The thread collecting stderr; it ends when the process has exited.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl DoumProcess {
    /// Spawns `cmd` (a `doum … serve --addr 127.0.0.1:0`), collects its stderr and waits
    /// until it says where it listens.
    pub fn start(mut cmd: Command) -> DoumProcess {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("starting doum serve");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = Arc::clone(&log);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("serving on http://") {
                    let addr = line[at + "serving on http://".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let _ = tx.send(addr);
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        // A guard against a server that never starts, not a timing assertion.
        let Ok(addr) = rx.recv_timeout(Duration::from_secs(600)) else {
            let _ = child.kill();
            panic!("doum serve did not start:\n{}", log.lock().unwrap());
        };
        DoumProcess {
            child,
            base: format!("http://{addr}"),
            log,
            reader: Some(reader),
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Everything it logged, once the process has exited (call after
    /// `child.wait()`): waits for the last lines to be collected.
    pub fn whole_log(&mut self) -> String {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.log()
    }

    /// Polls (at most 30 s, a guard, not a timing assertion) until the log contains
    /// `text`.
    pub async fn log_says(&self, text: &str) -> bool {
        for _ in 0..300 {
            if self.log().contains(text) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }
}

impl Drop for DoumProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
