//! The CLI writes to the database while the server runs: two stores on one file.

mod common;

use common::TestStore;
use store::{Delivery, Store};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_file_write_side_by_side() -> store::Result<()> {
    let (server, id) = TestStore::with_account("a@example.test").await?;
    // The second handle has its own writer thread and connections, like another process.
    let cli = Store::open(&server.path)?;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..100 {
        let store = server.store.clone();
        tasks.spawn(async move {
            let message = format!("Subject: {i}\r\n\r\nbody\r\n").into_bytes();
            store
                .deliver(Delivery::inbound("x@remote.test", message, vec![id]))
                .await
        });
    }
    for i in 0..20 {
        let store = cli.clone();
        tasks.spawn(async move { store.add_domain(&format!("d{i}.test")).await });
    }
    while let Some(result) = tasks.join_next().await {
        result.map_err(|e| std::io::Error::other(e.to_string()))??;
    }

    // Each sees the other's writes.
    assert_eq!(server.store.list_domains().await?.len(), 21);
    assert_eq!(server.query_i64("SELECT count(*) FROM messages", [])?, 100);
    assert!(cli.resolve("a@example.test").await.is_ok());
    Ok(())
}
