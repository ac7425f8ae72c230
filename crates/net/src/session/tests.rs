use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, duplex};

use super::*;

const LONG: Duration = Duration::from_secs(3600);

fn shell(max_errors: u32) -> (Shell<DuplexStream>, DuplexStream, CancellationToken) {
    let (server, client) = duplex(64 * 1024);
    let shutdown = CancellationToken::new();
    (
        Shell::new(server, LONG, max_errors, shutdown.clone()),
        client,
        shutdown,
    )
}

#[tokio::test]
async fn pipelined_lines_come_out_one_by_one_then_incomplete() {
    let (mut shell, mut client, _) = shell(5);
    client
        .write_all(b"NOOP\r\nRSET\r\nQU")
        .await
        .expect("write");
    shell.read(LONG).await.expect("read");
    let mut splitter = LineSplitter::new(512);
    assert_eq!(shell.next_line(&mut splitter), NextLine::Line(b"NOOP"));
    assert_eq!(shell.next_line(&mut splitter), NextLine::Line(b"RSET"));
    assert_eq!(shell.next_line(&mut splitter), NextLine::Incomplete);
    client.write_all(b"IT\r\n").await.expect("write");
    shell.read(LONG).await.expect("read");
    assert_eq!(shell.next_line(&mut splitter), NextLine::Line(b"QUIT"));
    // Only the unfinished line survived the trim before the read.
    assert!(shell.rbuf.len() <= b"QUIT\r\n".len());
}

#[tokio::test]
async fn an_over_long_line_is_refused_once_and_never_buffered_whole() {
    let (mut shell, mut client, _) = shell(5);
    let mut splitter = LineSplitter::new(16);
    client.write_all(&[b'x'; 40]).await.expect("write");
    shell.read(LONG).await.expect("read");
    assert_eq!(shell.next_line(&mut splitter), NextLine::Incomplete);
    client.write_all(b"xx\r\nNOOP\r\n").await.expect("write");
    shell.read(LONG).await.expect("read");
    assert!(shell.rbuf.len() < 40, "the discarded part was dropped");
    assert_eq!(shell.next_line(&mut splitter), NextLine::TooLong);
    assert_eq!(shell.next_line(&mut splitter), NextLine::Line(b"NOOP"));
}

#[tokio::test]
async fn replies_are_sent_on_flush_and_the_buffer_is_emptied() {
    let (mut shell, mut client, _) = shell(5);
    shell.wbuf.extend_from_slice(b"250 OK\r\n");
    shell.flush().await.expect("flush");
    assert!(shell.wbuf.is_empty());
    let mut got = [0u8; 8];
    client.read_exact(&mut got).await.expect("read");
    assert_eq!(&got, b"250 OK\r\n");
}

#[tokio::test]
async fn a_failed_write_ends_the_session_and_is_not_retried() {
    let (mut shell, client, _) = shell(5);
    drop(client);
    shell.wbuf.extend_from_slice(b"250 OK\r\n");
    assert_eq!(shell.flush().await, Err(End::Aborted));
    // The queue is gone with the stream: a later flush fails at once, sends nothing twice.
    assert!(shell.wbuf.is_empty());
    shell.wbuf.extend_from_slice(b"421 bye\r\n");
    assert_eq!(shell.flush().await, Err(End::Aborted));
}

#[tokio::test]
async fn a_silent_client_times_out_and_a_closed_one_is_closed() {
    let (mut shell, client, _) = shell(5);
    let read = shell.read(Duration::from_millis(10)).await;
    assert!(matches!(read, Err(Stop::TimedOut)), "{read:?}");
    drop(client);
    let read = shell.read(LONG).await;
    assert!(matches!(read, Err(Stop::Closed)), "{read:?}");
}

#[tokio::test]
async fn shutdown_interrupts_a_command_wait_but_not_a_data_read() {
    let (mut shell, mut client, shutdown) = shell(5);
    shutdown.cancel();
    let read = shell.read(LONG).await;
    assert!(matches!(read, Err(Stop::Shutdown)), "{read:?}");
    client.write_all(b"message data").await.expect("write");
    assert_eq!(shell.read_data(LONG).await.expect("data"), 12);
    assert_eq!(shell.input(), b"message data");
}

#[tokio::test]
async fn read_or_returns_whichever_comes_first() {
    let (mut shell, mut client, _) = shell(5);
    let got = shell.read_or(LONG, async { 7 }).await.expect("other");
    assert!(matches!(got, Read::Other(7)), "{got:?}");
    client.write_all(b"DONE\r\n").await.expect("write");
    let got = shell
        .read_or(LONG, std::future::pending::<()>())
        .await
        .expect("input");
    assert!(matches!(got, Read::Input(6)), "{got:?}");
}

#[tokio::test]
async fn the_error_count_allows_max_errors_then_says_end() {
    let (mut shell, _client, _) = shell(2);
    assert!(!shell.count_error());
    assert!(!shell.count_error());
    assert!(shell.count_error());
}

#[tokio::test]
async fn consumed_input_is_dropped_before_the_next_read_and_discard_empties_all() {
    let (mut shell, mut client, _) = shell(5);
    client.write_all(b"abcdef").await.expect("write");
    shell.read(LONG).await.expect("read");
    shell.consume(4);
    assert_eq!(shell.input(), b"ef");
    client.write_all(b"gh").await.expect("write");
    shell.read(LONG).await.expect("read");
    assert_eq!(shell.input(), b"efgh");
    assert_eq!(shell.rbuf.len(), 4);
    assert!(!shell.has_line());
    assert_eq!(shell.discard_input(), 4);
    assert!(shell.input().is_empty());
}

#[test]
fn sanitize_keeps_text_printable_and_short() {
    assert_eq!(sanitize("a\r\nb\0c"), "abc");
    assert_eq!(sanitize(&"x".repeat(100)).len(), 64);
}
