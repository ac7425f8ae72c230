//! TOP (RFC 1939 §7): the header and the first n body lines, dot-stuffed.

use tests::pop3::{Pop3, deliver, server, stored};

#[test]
fn top_sends_the_header_and_the_first_n_body_lines() {
    let server = server();
    deliver(
        &server,
        "alice@example.test",
        b"Subject: top\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n",
    );
    let stored = stored(&server, "alice@example.test", 1);
    let header_end = stored
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("blank line")
        + 4;
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    let (_, zero) = c.multi("TOP 1 0");
    assert_eq!(zero, &stored[..header_end]);
    let (_, two) = c.multi("TOP 1 2");
    assert_eq!(
        two,
        [&stored[..header_end], b"line 1\r\n.line 2\r\n"].concat()
    );
    let (_, all) = c.multi("TOP 1 100");
    assert_eq!(all, stored);
    // Message 2 does not exist.
    assert_eq!(c.cmd("TOP 2 1"), "-ERR no such message");
}
