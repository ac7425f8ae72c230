//! mboxrd export: separators, `From ` quoting, CRLF to LF, and a faithful read-back.

mod common;

use std::io::BufRead;

use common::TestStore;
use store::{Delivery, StoreError};

/// Reads mboxrd back into (separator line, message with CRLF line ends).
fn parse_mboxrd(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut messages: Vec<(String, Vec<u8>)> = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        if line.starts_with(b"From ") {
            messages.push((String::from_utf8_lossy(line).into_owned(), Vec::new()));
            continue;
        }
        let Some((_, body)) = messages.last_mut() else {
            continue;
        };
        let quoted_from = line.first() == Some(&b'>')
            && line
                .iter()
                .position(|&b| b != b'>')
                .is_some_and(|i| line[i..].starts_with(b"From "));
        body.extend_from_slice(if quoted_from { &line[1..] } else { line });
        body.extend_from_slice(b"\r\n");
    }
    for (_, body) in &mut messages {
        // Drop the blank line after each message and the split's last empty piece.
        while body.ends_with(b"\r\n\r\n") {
            body.truncate(body.len() - 2);
        }
    }
    messages
}

#[tokio::test]
async fn an_export_reads_back_into_the_same_messages() -> store::Result<()> {
    let (t, id) = TestStore::with_account("a@example.test").await?;

    let tricky = b"From: x@remote.test\r\nSubject: quoting\r\n\r\nFrom the start of a line.\r\n>From already quoted.\r\n>>From twice.\r\nFromage is not a separator.\r\n \r\nFrom \r\n".to_vec();
    let plain = b"Subject: plain\r\n\r\nHello.\r\n".to_vec();
    let bounce = b"Subject: bounce\r\n\r\nNo sender.\r\n".to_vec();
    for (message, from) in [
        (tricky.clone(), "x@remote.test"),
        (plain.clone(), "y@remote.test"),
        (bounce.clone(), ""),
    ] {
        t.store
            .deliver(Delivery::inbound(from, message, vec![id]))
            .await?;
    }

    let out = t.dir.path().join("a.mbox");
    assert_eq!(t.store.export_mbox("A@example.test", &out).await?, 3);
    let data = std::fs::read(&out)?;
    assert!(!data.contains(&b'\r'), "line ends are LF");
    assert!(
        data.lines()
            .any(|l| l.is_ok_and(|l| l == ">>From already quoted."))
    );

    let messages = parse_mboxrd(&data);
    assert_eq!(messages.len(), 3);
    assert!(messages[0].0.starts_with("From x@remote.test "));
    assert!(messages[2].0.starts_with("From MAILER-DAEMON "));
    // `From sender Www Mmm dd hh:mm:ss yyyy`.
    assert_eq!(
        messages[1].0.split(' ').filter(|w| !w.is_empty()).count(),
        7
    );
    assert_eq!(messages[0].1, tricky);
    assert_eq!(messages[1].1, plain);
    assert_eq!(messages[2].1, bounce);

    // Only the finished file is left.
    let names: Vec<_> = std::fs::read_dir(t.dir.path())?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("mbox"))
        .collect();
    assert_eq!(names, ["a.mbox"]);
    Ok(())
}

#[tokio::test]
async fn exporting_an_unknown_account_fails_and_writes_nothing() -> store::Result<()> {
    let t = TestStore::new()?;
    let out = t.dir.path().join("none.mbox");
    let err = t.store.export_mbox("nobody@example.test", &out).await.err();
    assert!(matches!(err, Some(StoreError::NotFound(_))));
    assert!(!out.exists());
    Ok(())
}

#[tokio::test]
async fn an_empty_account_exports_an_empty_file() -> store::Result<()> {
    let (t, _) = TestStore::with_account("a@example.test").await?;
    let out = t.dir.path().join("empty.mbox");
    assert_eq!(t.store.export_mbox("a@example.test", &out).await?, 0);
    assert_eq!(std::fs::read(&out)?.len(), 0);
    Ok(())
}
