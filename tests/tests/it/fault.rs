//! Durability: a `250` after DATA means the message is on stable storage. Parallel clients
//! send while the server is killed with SIGKILL; after a restart every acknowledged message is
//! in the export, and the database passes `PRAGMA integrity_check`.

use tests::Server;

#[test]
fn every_acknowledged_message_survives_sigkill() {
    let mut server = Server::start();
    let load = tests::Load::start(server.smtp);
    // The kill comes while the load runs, once enough messages were acknowledged.
    load.wait_past(49);
    server.kill9();
    let (clean, acknowledged) = load.finish();
    assert!(clean);
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
