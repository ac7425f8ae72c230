//! Durability: a `250` after DATA means the message is on stable storage. Parallel clients
//! send while the server is killed with SIGKILL; after a restart every acknowledged message is
//! in the export, and the database passes `PRAGMA integrity_check`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use tests::Server;

/// 8 threads send messages in a loop; each Message-ID is printed only after its 250. A thread
/// stops at the first failure (the server is gone).
const LOAD: &str = r#"
import smtplib, sys, threading, uuid
port = int(sys.argv[1])
lock = threading.Lock()
def worker(n):
    try:
        s = smtplib.SMTP('127.0.0.1', port, timeout=10)
        s.ehlo('load.test')
        i = 0
        while True:
            i += 1
            mid = f'{n}.{i}.{uuid.uuid4().hex}@load.test'
            msg = f'Subject: load {n} {i}\r\nMessage-ID: <{mid}>\r\n\r\n' + 'x' * 2000 + '\r\n'
            rcpts = ['alice@example.test', 'sales@example.test'] if i % 3 == 0 else ['alice@example.test']
            s.sendmail('load@outside.test', rcpts, msg.encode())
            with lock:
                print(mid, flush=True)
    except Exception:
        pass
threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join()
"#;

#[test]
fn every_acknowledged_message_survives_sigkill() {
    let mut server = Server::start();
    let mut load = Command::new("python3")
        .arg("-c")
        .arg(LOAD)
        .arg(server.smtp.port().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let stdout = load.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    std::thread::sleep(Duration::from_millis(2500));
    server.kill9();
    let status = load.wait().expect("load generator");
    assert!(status.success());
    let acknowledged = reader.join().expect("reader");
    assert!(
        acknowledged.len() > 20,
        "only {} messages were sent before the kill",
        acknowledged.len()
    );

    server.spawn();
    let stored = server.message_ids("alice@example.test");
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(&format!("<{id}>")))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged messages lost, e.g. {:?}",
        lost.len(),
        acknowledged.len(),
        lost.first()
    );
    assert_eq!(server.sql("PRAGMA integrity_check"), "ok");
    // Refcounts still match the rows that use each blob.
    let mismatched = server.sql(
        "SELECT count(*) FROM blobs b WHERE refcount != (SELECT count(*) FROM messages m WHERE m.blob_id = b.id) + (SELECT count(*) FROM queue q WHERE q.blob_id = b.id)",
    );
    assert_eq!(mismatched, "0");
    eprintln!(
        "{} acknowledged messages, all present after SIGKILL and restart",
        acknowledged.len()
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = Server::start();
    let status = server.stop().expect("was running");
    assert!(status.success(), "{status:?}");
    server.spawn();
    assert!(server.is_running());
}
