//! What the ETRN tests share: a backup MX that records every command, and the ETRN status
//! read through the admin API (with `ddns_support`, which each test declares too).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::Server;

/// A backup MX speaking just enough SMTP: EHLO lists ETRN; `ETRN example.test` gets 250,
/// any other domain 458 (RFC 1985 §5). Every command line is recorded.
pub struct BackupMx {
    pub addr: SocketAddr,
    commands: Arc<Mutex<Vec<String>>>,
}

impl BackupMx {
    pub fn start() -> BackupMx {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let commands = Arc::new(Mutex::new(Vec::new()));
        let seen = commands.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Ok(reader) = stream.try_clone() else {
                    continue;
                };
                let _ = stream.write_all(b"220 backup.test ESMTP\r\n");
                for line in BufReader::new(reader).lines() {
                    let Ok(line) = line else { break };
                    seen.lock().expect("lock").push(line.clone());
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-backup.test\r\n250-PIPELINING\r\n250 ETRN\r\n"
                    } else if upper == "ETRN EXAMPLE.TEST" {
                        b"250 2.0.0 Queuing for node example.test started\r\n"
                    } else if upper.starts_with("ETRN ") {
                        b"458 4.0.0 Unable to queue messages for node\r\n"
                    } else if upper == "QUIT" {
                        let _ = stream.write_all(b"221 2.0.0 Bye\r\n");
                        break;
                    } else {
                        b"502 5.5.1 Not implemented\r\n"
                    };
                    if stream.write_all(reply).is_err() {
                        break;
                    }
                }
            }
        });
        BackupMx { addr, commands }
    }

    pub fn count(&self, line: &str) -> usize {
        let commands = self.commands.lock().expect("lock");
        commands.iter().filter(|l| l.as_str() == line).count()
    }

    pub fn dump(&self) -> String {
        self.commands.lock().expect("lock").join("\n")
    }
}

/// `GET /api/etrn`: the entries' status, parsed.
pub fn status(server: &Server, token: &str) -> Value {
    let (code, text) = crate::ddns::api(server, token, "GET", "/api/etrn", "");
    assert_eq!(code, 200, "{text}");
    crate::json(&text)
}

/// Whether some entry of `status` has `key` = `value`.
pub fn any_entry(status: &Value, key: &str, value: impl Into<Value>) -> bool {
    let value = value.into();
    entries(status).iter().any(|entry| entry[key] == value)
}

/// Whether some domain answer of some entry has `key` = `value`.
pub fn any_answer(status: &Value, key: &str, value: &str) -> bool {
    answers(status).any(|answer| answer[key] == value)
}

/// Whether some domain answer's reply starts with `prefix` (e.g. `"250"`).
pub fn any_reply(status: &Value, prefix: &str) -> bool {
    answers(status).any(|answer| {
        answer["reply"]
            .as_str()
            .is_some_and(|r| r.starts_with(prefix))
    })
}

fn answers(status: &Value) -> impl Iterator<Item = &Value> {
    entries(status)
        .iter()
        .filter_map(|entry| entry["domains"].as_array())
        .flatten()
}

/// The entry at `index` asking `mx`, if `status` has it.
pub fn entry_at<'a>(status: &'a Value, index: usize, mx: &BackupMx) -> Option<&'a Value> {
    entries(status).iter().find(|entry| {
        entry["index"] == index && entry["host"] == "127.0.0.1" && entry["port"] == mx.addr.port()
    })
}

fn entries(status: &Value) -> &[Value] {
    status.as_array().map_or(&[], Vec::as_slice)
}
