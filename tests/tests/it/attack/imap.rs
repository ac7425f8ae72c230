//! Attacks on IMAP's CPU and stack (issue 13, items 1 and 7), each against the real server:
//! a LIST pattern of 200,000 `*` (it overflowed the stack and ended every service), a pattern
//! that made the recursive matcher exponential, SEARCH keys nested or repeated without end,
//! an outside sender's message with 50,000 References (THREAD was quadratic), and messages
//! nested 5,000 multiparts or 20,000 message/rfc822 parts deep (BODYSTRUCTURE). Each must get
//! a tagged answer, and afterwards every listener must still answer.

use std::net::TcpStream;
use std::time::Duration;

use tests::imap::{ImapConn, deliver, server};
use tests::{Server, SmtpConn};

/// Every plain listener greets a new connection (SMTP 220, IMAP `* OK`, POP3 `+OK`) and
/// every TLS one accepts a connection: the process and its services are alive.
fn every_listener_answers(server: &mut Server) {
    assert!(server.is_running(), "the server process ended");
    for (service, &addr) in &server.listeners.clone() {
        match service.as_str() {
            "smtp" | "submission" => {
                let mut c = SmtpConn::connect(addr);
                assert!(c.cmd("NOOP").starts_with("250"), "{service}");
            }
            "imap" => {
                let (mut c, greeting) = ImapConn::connect(addr);
                assert!(greeting.starts_with("* OK"), "{service}: {greeting}");
                assert_eq!(c.cmd("n", "NOOP"), vec!["n OK NOOP completed"]);
            }
            "pop3" => {
                let (_, greeting) = ImapConn::connect(addr);
                assert!(greeting.starts_with("+OK"), "{service}: {greeting}");
            }
            _ => {
                TcpStream::connect_timeout(&addr, Duration::from_secs(10))
                    .unwrap_or_else(|e| panic!("{service} at {addr}: {e}"));
            }
        }
    }
    assert!(server.is_running(), "the server process ended");
}

/// Whether a LIST response names `name` (quoted or as an atom).
fn listed(lines: &[String], name: &str) -> bool {
    lines
        .iter()
        .any(|l| l.ends_with(&format!(" {name}")) || l.ends_with(&format!(" \"{name}\"")))
}

/// The tagged line of a response (the last one), which must not be end of file.
fn tagged(lines: &[String]) -> &str {
    let last = lines.last().map_or("<EOF>", String::as_str);
    assert_ne!(last, "<EOF>", "no tagged answer: {lines:?}");
    last
}

#[test]
fn list_with_a_200000_star_literal_is_refused_and_every_service_stays_up() {
    let mut server = server();
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    // RFC 9051 §4.3: the pattern as a synchronizing literal, as large as a message may be.
    c.send(b"a LIST \"\" {200000}\r\n");
    let go = c.line();
    assert!(go.starts_with('+'), "{go}");
    let mut stars = vec![b'*'; 200_000];
    stars.extend_from_slice(b"\r\n");
    c.send(&stars);
    let r = c.until("a");
    assert_eq!(
        tagged(&r),
        "a NO [LIMIT] mailbox pattern longer than 1000 octets"
    );
    // The same through LSUB and the LIST-EXTENDED pattern list.
    c.send(b"b LSUB \"\" {5000}\r\n");
    assert!(c.line().starts_with('+'));
    c.send(&[&[b'%'; 5000][..], b"\r\n"].concat());
    assert!(tagged(&c.until("b")).starts_with("b NO [LIMIT]"));
    let r = c.cmd(
        "c",
        "LIST (SUBSCRIBED) \"\" (INBOX \"*%*%*\") RETURN (STATUS (MESSAGES))",
    );
    assert_eq!(tagged(&r), "c OK LIST completed", "{r:?}");
    // The session goes on.
    let r = c.cmd("d", "LIST \"\" *");
    assert!(listed(&r, "INBOX"), "{r:?}");
    assert_eq!(tagged(&r), "d OK LIST completed");
    every_listener_answers(&mut server);
}

#[test]
fn list_patterns_that_made_the_matcher_exponential_are_answered() {
    let mut server = server();
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    // Mailbox names of 250 `a` (under the 255-octet limit), one level and two deep.
    let long = "a".repeat(250);
    assert_eq!(
        tagged(&c.cmd("c1", &format!("CREATE {long}"))),
        "c1 OK CREATE completed"
    );
    let nested = format!("{}/{}", "a".repeat(120), "a".repeat(120));
    assert_eq!(
        tagged(&c.cmd("c2", &format!("CREATE {nested}"))),
        "c2 OK CREATE completed"
    );
    // `*a*a...*a` then a letter no name has: the recursive matcher tried every way of
    // placing 40 stars in 250 characters before saying no.
    let pattern = format!("{}b", "*a".repeat(40));
    let r = c.cmd("l1", &format!("LIST \"\" \"{pattern}\""));
    assert_eq!(r, vec!["l1 OK LIST completed"]);
    let pattern = format!("{}b", "%a".repeat(40));
    let r = c.cmd("l2", &format!("LIST \"\" \"{pattern}\""));
    assert_eq!(r, vec!["l2 OK LIST completed"]);
    // The same shapes that do match are listed.
    let r = c.cmd("l3", &format!("LIST \"\" \"{}\"", "*a".repeat(40)));
    assert_eq!(tagged(&r), "l3 OK LIST completed");
    assert!(listed(&r, &long), "{r:?}");
    assert!(listed(&r, &nested), "{r:?}");
    let r = c.cmd("l4", &format!("LIST \"\" \"{}\"", "%a".repeat(40)));
    assert!(listed(&r, &long), "{r:?}");
    assert!(!listed(&r, &nested), "{r:?}");
    // More wildcards than the matcher accepts: refused, not run.
    let pattern = "*%".repeat(300);
    let r = c.cmd("l5", &format!("LIST \"\" \"{pattern}\""));
    assert_eq!(
        r,
        vec!["l5 NO [LIMIT] mailbox pattern has more than 100 wildcards"]
    );
    every_listener_answers(&mut server);
}

#[test]
fn search_keys_nested_or_repeated_without_end_are_refused() {
    let mut server = server();
    deliver(&server, "alice@example.test", &tests::imap::message("s1"));
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    c.cmd("s", "SELECT INBOX");
    // A NOT chain and an OR chain recurse without parentheses (each under the 64 KiB line
    // limit that applies after login).
    let not = format!("SEARCH {}ALL", "NOT ".repeat(10_000));
    assert_eq!(c.cmd("a", &not), vec!["a BAD nested too deeply"]);
    let or = format!("SEARCH {}ALL{}", "OR ".repeat(5_000), " ALL".repeat(5_000));
    assert_eq!(c.cmd("b", &or), vec!["b BAD nested too deeply"]);
    let parens = format!(
        "SEARCH {}BODY x{}",
        "(NOT ".repeat(5_000),
        ")".repeat(5_000)
    );
    assert_eq!(c.cmd("c", &parens), vec!["c BAD nested too deeply"]);
    // 5,000 body keys (within the 64 KiB line): each parsed every message again.
    let many = format!("SEARCH{}", " BODY x".repeat(5_000));
    assert_eq!(
        c.cmd("d", &many),
        vec!["d BAD syntax error: more than 256 search keys"]
    );
    // Within the limits the search runs (one message, parsed once for all its keys).
    let ok = format!(
        "SEARCH{} NOT (OR BODY zz9 TEXT zz9)",
        " TEXT s1".repeat(200)
    );
    assert_eq!(c.cmd("e", &ok), vec!["* SEARCH 1", "e OK SEARCH completed"]);
    every_listener_answers(&mut server);
}

#[test]
fn thread_over_a_message_with_50000_references_is_answered() {
    let mut server = server();
    // An outside sender controls References: 50,000 IDs, folded one per line.
    let mut refs = String::from("References:");
    for i in 0..50_000 {
        refs.push_str(&format!(" <r{i}@outside.test>\r\n"));
    }
    let message = |id: &str, subject: &str| {
        format!(
            "From: x@outside.test\r\nTo: alice@example.test\r\nMessage-ID: <{id}@outside.test>\r\n\
             Subject: {subject}\r\nDate: Mon, 02 Feb 2026 09:00:00 +0000\r\n{refs}\r\nbody\r\n"
        )
    };
    deliver(
        &server,
        "alice@example.test",
        message("m1", "long").as_bytes(),
    );
    deliver(
        &server,
        "alice@example.test",
        message("m2", "Re: long").as_bytes(),
    );
    // A reply to the first, with a short References.
    deliver(
        &server,
        "alice@example.test",
        b"From: y@outside.test\r\nMessage-ID: <m3@outside.test>\r\nSubject: Re: long\r\n\
          References: <m1@outside.test>\r\n\r\nreply\r\n",
    );
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    c.cmd("s", "SELECT INBOX");
    let r = c.cmd("t", "THREAD REFERENCES UTF-8 ALL");
    assert_eq!(tagged(&r), "t OK THREAD completed", "{r:?}");
    // Both long messages share their last reference: one dummy parent holds them; the
    // short reply sits under the first.
    assert_eq!(r[0], "* THREAD ((1 3)(2))", "{r:?}");
    let r = c.cmd("o", "SORT (SUBJECT) UTF-8 ALL");
    assert_eq!(r, vec!["* SORT 1 2 3", "o OK SORT completed"]);
    every_listener_answers(&mut server);
}

/// `depth` multiparts, each holding the next and a text part.
fn nested_multiparts(depth: usize) -> Vec<u8> {
    let mut m = String::from("From: x@outside.test\r\nSubject: nested\r\nMIME-Version: 1.0\r\n");
    for i in 0..depth {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    m.push_str("Content-Type: text/plain\r\n\r\ninnermost\r\n");
    for i in (0..depth).rev() {
        m.push_str(&format!("--b{i}--\r\n"));
    }
    m.into_bytes()
}

/// Counts `(` and `)` outside quoted strings: a well-formed response has as many of each.
fn balanced(line: &str) -> bool {
    let (mut depth, mut quoted, mut escaped) = (0i64, false, false);
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0 && !quoted
}

#[test]
fn bodystructure_of_hostile_nesting_is_answered_and_well_formed() {
    let mut server = server();
    deliver(&server, "alice@example.test", &nested_multiparts(5_000));
    // message/rfc822 inside message/rfc822, 20,000 deep.
    let mut m = String::from("From: x@outside.test\r\nSubject: rfc822\r\n");
    for _ in 0..20_000 {
        m.push_str("Content-Type: message/rfc822\r\n\r\n");
    }
    m.push_str("Subject: innermost\r\n\r\nbody\r\n");
    deliver(&server, "alice@example.test", m.as_bytes());
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    c.cmd("s", "SELECT INBOX");
    for (tag, item) in [
        ("f1", "BODYSTRUCTURE"),
        ("f2", "BODY"),
        // Five octets of a part 30 levels down: a literal without line ends, so that the
        // line reader here can read it.
        (
            "f3",
            "(ENVELOPE BODY.PEEK[1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1]<0.5>)",
        ),
        ("f4", "(RFC822.SIZE FLAGS)"),
    ] {
        let r = c.cmd(tag, &format!("FETCH 1:2 {item}"));
        assert_eq!(tagged(&r), format!("{tag} OK FETCH completed"), "{item}");
        let fetched: Vec<&String> = r.iter().filter(|l| l.starts_with("* ")).collect();
        assert!(fetched.len() >= 2, "{item}: {r:?}");
        if !item.contains("PEEK") {
            for line in fetched {
                assert!(balanced(line), "{item}: {}", &line[..line.len().min(300)]);
            }
        }
    }
    let r = c.cmd("x", "SEARCH TEXT innermost");
    assert_eq!(tagged(&r), "x OK SEARCH completed", "{r:?}");
    every_listener_answers(&mut server);
}
