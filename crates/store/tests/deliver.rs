//! Delivery: one blob per message, UIDs, queue rows, change notifications, group commit.

mod common;

use std::time::{Duration, Instant};

use common::{PASSWORD, TestStore};
use store::{AccountId, Change, Delivery, RemoteRecipient, Store};

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: sender@remote.test\r\nTo: someone@example.test\r\nSubject: {subject}\r\n\r\nHello.\r\n"
    )
    .into_bytes()
}

/// [`Delivery::inbound`] with `remote` recipients too (asking for failure notices).
fn delivery(body: Vec<u8>, accounts: Vec<AccountId>, remote: &[&str]) -> Delivery {
    let remote = remote
        .iter()
        .map(|address| RemoteRecipient {
            address: address.to_string(),
            notify: Some("FAILURE".into()),
            orcpt: None,
        })
        .collect();
    Delivery {
        remote,
        ..Delivery::inbound("sender@remote.test", body, accounts)
    }
}

/// `n` accounts u0..u(n-1)@example.test (ids in that order), created concurrently (argon2 is slow in debug builds).
async fn accounts(store: &Store, n: usize) -> store::Result<Vec<AccountId>> {
    store.add_domain("example.test").await?;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let store = store.clone();
        tasks.spawn(async move {
            let id = store
                .add_account(&format!("u{i}@example.test"), PASSWORD)
                .await;
            (i, id)
        });
    }
    let mut ids = vec![0; n];
    while let Some(joined) = tasks.join_next().await {
        let (i, id) = joined.map_err(|e| std::io::Error::other(e.to_string()))?;
        ids[i] = id?;
    }
    Ok(ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_to_twenty_accounts_is_one_blob() -> store::Result<()> {
    let t = TestStore::new()?;
    let ids = accounts(&t.store, 20).await?;
    let mut changes = t.store.subscribe();

    // A duplicate recipient is delivered once.
    let mut recipients = ids.clone();
    recipients.push(ids[0]);
    t.store
        .deliver(delivery(message("one"), recipients, &[]))
        .await?;
    assert_eq!(t.query_i64("SELECT count(*) FROM blobs", [])?, 1);
    assert_eq!(t.query_i64("SELECT refcount FROM blobs", [])?, 20);
    assert_eq!(t.query_i64("SELECT count(*) FROM messages", [])?, 20);

    let mut added = Vec::new();
    while let Ok(change) = changes.try_recv() {
        added.push(change);
    }
    assert_eq!(added.len(), 20);
    assert!(added.iter().all(|c| matches!(
        c,
        Change::MessageAdded {
            uid: 1,
            modseq: 2,
            ..
        }
    )));

    // The same content again: still one blob; UIDs go on.
    t.store
        .deliver(delivery(message("one"), ids.clone(), &[]))
        .await?;
    t.store
        .deliver(delivery(message("two"), vec![ids[0]], &[]))
        .await?;
    assert_eq!(t.query_i64("SELECT count(*) FROM blobs", [])?, 2);
    assert_eq!(
        t.query_i64(
            "SELECT refcount FROM blobs WHERE hash = (SELECT hash FROM blobs ORDER BY id LIMIT 1)",
            []
        )?,
        40
    );
    let uids: Vec<i64> = {
        let conn = t.sql()?;
        let mut stmt = conn.prepare(
            "SELECT m.uid FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
             WHERE b.account_id = ?1 AND b.name = 'INBOX' ORDER BY m.uid",
        )?;
        stmt.query_map([ids[0]], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    assert_eq!(uids, [1, 2, 3]);
    assert_eq!(
        t.query_i64(
            "SELECT uid_next FROM mailboxes WHERE account_id = ?1 AND name = 'INBOX'",
            [ids[0]]
        )?,
        4
    );

    // Removing accounts drops their references; the last one removes the blob.
    t.store.remove_account("u0@example.test").await?;
    assert_eq!(
        t.query_i64("SELECT count(*) FROM blobs", [])?,
        1,
        "message two was u0's alone"
    );
    assert_eq!(t.query_i64("SELECT refcount FROM blobs", [])?, 38);
    for i in 1..20 {
        t.store
            .remove_account(&format!("u{i}@example.test"))
            .await?;
    }
    assert_eq!(t.query_i64("SELECT count(*) FROM blobs", [])?, 0);
    assert_eq!(t.query_i64("SELECT count(*) FROM messages", [])?, 0);
    assert!(t.store.integrity_check().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn remote_recipients_become_queue_rows_sharing_the_blob() -> store::Result<()> {
    let t = TestStore::new()?;
    let ids = accounts(&t.store, 1).await?;
    let mut changes = t.store.subscribe();
    let mut d = delivery(
        message("out"),
        ids.clone(),
        &["x@remote.test", "y@remote.test"],
    );
    d.envid = Some("ENV1".into());
    d.ret = Some("HDRS".into());
    t.store.deliver(d).await?;

    assert_eq!(t.query_i64("SELECT refcount FROM blobs", [])?, 3);
    assert_eq!(
        t.query_i64(
            "SELECT count(*) FROM queue WHERE state = 'queued' AND attempts = 0 AND envid = 'ENV1'
             AND ret = 'HDRS' AND notify = 'FAILURE' AND sender = 'sender@remote.test'",
            []
        )?,
        2
    );
    let mut queued = None;
    while let Ok(change) = changes.try_recv() {
        if let Change::QueueAdded { ids } = change {
            queued = Some(ids);
        }
    }
    assert_eq!(queued.map(|ids| ids.len()), Some(2));

    // Queue rows hold their own reference: the account's removal keeps the blob.
    t.store.remove_account("u0@example.test").await?;
    assert_eq!(t.query_i64("SELECT refcount FROM blobs", [])?, 2);
    t.sql()?.execute("DELETE FROM queue", [])?;
    assert_eq!(t.query_i64("SELECT count(*) FROM blobs", [])?, 0);
    Ok(())
}

#[tokio::test]
async fn an_account_that_vanished_is_skipped_and_leaves_no_blob() -> store::Result<()> {
    let t = TestStore::new()?;
    let ids = accounts(&t.store, 1).await?;
    t.store.remove_account("u0@example.test").await?;
    t.store.deliver(delivery(message("late"), ids, &[])).await?;
    assert_eq!(t.query_i64("SELECT count(*) FROM messages", [])?, 0);
    assert_eq!(t.query_i64("SELECT count(*) FROM blobs", [])?, 0);
    Ok(())
}

/// A message spooled in pieces is stored byte for byte, one blob shared with an identical
/// message delivered from memory, with the same rows as `deliver` makes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spooled_message_is_stored_from_its_file_in_pieces() -> store::Result<()> {
    let t = TestStore::new()?;
    let ids = accounts(&t.store, 2).await?;
    // 3 MiB and a bit: several of the store's 64 KiB pieces, and a partial last one.
    let mut body = message("big");
    while body.len() < 3 * 1024 * 1024 + 17 {
        body.extend_from_slice(
            b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n",
        );
    }
    let mut spool = t.store.spool().await?;
    for piece in body.chunks(100_000) {
        spool.write(piece.to_vec()).await?;
    }
    assert_eq!(spool.len(), body.len() as u64);
    t.store
        .deliver_spooled(
            delivery(Vec::new(), vec![ids[0]], &["x@remote.test"]),
            spool,
        )
        .await?;
    let stored: Vec<u8> = t
        .sql()?
        .query_row("SELECT data FROM blobs", [], |row| row.get(0))?;
    assert!(stored == body, "the stored blob differs from the message");
    assert_eq!(
        t.query_i64("SELECT size FROM messages", [])?,
        body.len() as i64
    );
    assert_eq!(t.query_i64("SELECT count(*) FROM queue", [])?, 1);

    // The same message again, from memory: found by its hash, not stored twice.
    t.store
        .deliver(delivery(body.clone(), vec![ids[1]], &[]))
        .await?;
    assert_eq!(t.query_i64("SELECT count(*) FROM blobs", [])?, 1);
    assert_eq!(t.query_i64("SELECT refcount FROM blobs", [])?, 3);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_share_commits_and_all_land() -> store::Result<()> {
    let t = TestStore::new()?;
    let ids = accounts(&t.store, 2).await?;
    let before = t.store.commits();
    let jobs = 400;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..jobs {
        let store = t.store.clone();
        let d = delivery(message(&format!("m{i}")), vec![ids[i % 2]], &[]);
        tasks.spawn(async move { store.deliver(d).await });
    }
    while let Some(result) = tasks.join_next().await {
        result.map_err(|e| std::io::Error::other(e.to_string()))??;
    }
    let commits = t.store.commits() - before;
    assert!(
        commits < jobs as u64,
        "{commits} commits for {jobs} deliveries"
    );
    assert_eq!(
        t.query_i64("SELECT count(*) FROM messages", [])?,
        jobs as i64
    );
    // Each INBOX numbered its messages 1..=200 without gaps.
    assert_eq!(
        t.query_i64("SELECT count(DISTINCT uid) FROM messages", [])?,
        jobs as i64 / 2
    );
    assert_eq!(
        t.query_i64("SELECT max(uid) FROM messages", [])?,
        jobs as i64 / 2
    );
    Ok(())
}

/// Run with `cargo test --release -p store --test deliver -- --ignored --nocapture`;
/// `SENDERS=200` for more concurrency. One fsync per commit bounds it: with N senders at
/// most N deliveries share a commit.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "throughput measurement"]
async fn throughput_with_twenty_concurrent_senders() -> store::Result<()> {
    let t = TestStore::new()?;
    let ids = accounts(&t.store, 20).await?;
    let senders: usize = std::env::var("SENDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let duration = Duration::from_secs(3);
    let before = t.store.commits();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for s in 0..senders {
        let store = t.store.clone();
        let account = ids[s % ids.len()];
        tasks.spawn(async move {
            let mut n = 0u64;
            let mut slowest = Duration::ZERO;
            while start.elapsed() < duration {
                let mut body = message(&format!("sender {s} message {n}"));
                body.extend(std::iter::repeat_n(b'x', 2000));
                body.extend_from_slice(b"\r\n");
                let sent = Instant::now();
                store.deliver(delivery(body, vec![account], &[])).await?;
                slowest = slowest.max(sent.elapsed());
                n += 1;
            }
            store::Result::Ok((n, slowest))
        });
    }
    let mut total = 0;
    let mut slowest = Duration::ZERO;
    while let Some(result) = tasks.join_next().await {
        let (n, slow) = result.map_err(|e| std::io::Error::other(e.to_string()))??;
        total += n;
        slowest = slowest.max(slow);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let commits = t.store.commits() - before;
    println!(
        "{senders} senders: {total} deliveries in {elapsed:.2}s: {:.0} deliveries/s, \
         {commits} commits ({:.1} per commit), slowest delivery {slowest:?}",
        total as f64 / elapsed,
        total as f64 / commits.max(1) as f64
    );
    assert_eq!(
        t.query_i64("SELECT count(*) FROM messages", [])?,
        total as i64
    );
    let TestStore { store, dir, .. } = t;
    store.close().await;
    drop(dir);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junk_goes_to_the_junk_special_use_or_inbox_without_one() -> store::Result<()> {
    let t = TestStore::new()?;
    let ids = accounts(&t.store, 2).await?;
    // The second account has lost its \Junk mailbox.
    t.sql()?.execute(
        "DELETE FROM mailboxes WHERE account_id = ?1 AND special_use = '\\Junk'",
        [ids[1]],
    )?;
    t.store
        .deliver(Delivery {
            junk: true,
            ..delivery(message("spam"), ids.clone(), &[])
        })
        .await?;
    let place = |account: AccountId| -> store::Result<String> {
        Ok(t.sql()?.query_row(
            "SELECT b.name FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
             WHERE b.account_id = ?1",
            [account],
            |row| row.get(0),
        )?)
    };
    assert_eq!(place(ids[0])?, "Junk");
    assert_eq!(place(ids[1])?, "INBOX");
    Ok(())
}
