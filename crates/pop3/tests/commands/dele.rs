//! DELE beyond its transcript (`dele.txt`): what needs a loop.

use testbed::Bench;

use crate::{Pop3, login};

/// RFC 1939 §6: a connection that ends without QUIT does not enter UPDATE. The maildrop is
/// free again once the session has ended: poll the lock instead of sleeping.
#[tokio::test]
async fn dele_without_quit_deletes_nothing() {
    let pop3 = Bench::<Pop3>::new("").await;
    pop3.mail(&[]).await;
    let mut client = pop3.open("alice").await;
    client.send("DELE 1").await;
    assert_eq!(client.line().await, "+OK message 1 deleted");
    drop(client);
    let mut client = loop {
        let mut client = pop3.open("anonymous").await;
        if login(&mut client).await {
            break client;
        }
        tokio::task::yield_now().await;
    };
    client.send("STAT").await;
    assert!(client.line().await.starts_with("+OK 2 "));
}
