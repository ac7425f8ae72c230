//! What the ETRN tests share: a backup MX that records every command, and the ETRN status
//! read through the admin API (with `ddns_support`, which each test declares too).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

use tests::Server;

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

/// `GET /api/etrn`: the JSON text.
pub fn status(server: &Server, token: &str) -> String {
    let (code, text) = crate::ddns_support::api(server, token, "GET", "/api/etrn", "");
    assert_eq!(code, 200, "{text}");
    text
}
