//! Durability: a `250` after DATA means the message is on stable storage. Parallel clients
//! send while the server is killed with SIGKILL; after a restart every acknowledged message is
//! in the export, and the database passes `PRAGMA integrity_check`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tests::{Server, wait_until};

/// 8 threads send messages in a loop; each Message-ID is printed only after its 250. A thread
/// stops at the first failure (the server is gone).
const LOAD: &str = "fault_load.py";

#[test]
fn every_acknowledged_message_survives_sigkill() {
    let mut server = Server::start();
    let mut load = tests::python_command(LOAD)
        .arg(server.smtp.port().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let stdout = load.stdout.take().expect("stdout");
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let seen = acknowledged.clone();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            seen.lock().expect("lock").push(line);
        }
    });
    // The kill comes while the load runs, once enough messages were acknowledged.
    wait_until(Duration::from_secs(120), "50 acknowledged messages", || {
        acknowledged.lock().expect("lock").len() >= 50
    });
    server.kill9();
    let status = load.wait().expect("load generator");
    assert!(status.success());
    reader.join().expect("reader");
    let acknowledged = acknowledged.lock().expect("lock").clone();
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
