//! What Dovecot's imaptest compliance suite taught (groups select, copy, search-flags, atoms,
//! id, uidvalidity, sort-addresses, sort-display-to, esearch-condstore, esort), as exact
//! exchanges on raw connections against the real server: \Recent (RFC 3501 §2.3.2, §7.3.2),
//! keyword announcement (§7.2.6), ATOM-CHARs (§9), long ID lines (RFC 2971), UIDVALIDITY of
//! a mailbox created again (§2.3.1.1), SORT (CC) and (DISPLAYTO) of groups (RFC 5256 §3,
//! RFC 5957), ESEARCH's MODSEQ (RFC 7162 §3.1.5) and ESORT's ranges (RFC 5267 §3.2).

use tests::imap::{ImapConn, deliver, message, server};

/// The untagged line of `r` that starts with `prefix`.
fn line<'a>(r: &'a [String], prefix: &str) -> &'a str {
    r.iter()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in {r:?}"))
}

/// Whether `r` holds exactly `want`.
fn has(r: &[String], want: &str) -> bool {
    r.iter().any(|l| l == want)
}

#[test]
fn recent_goes_to_the_first_session_that_sees_the_mail() {
    let server = server();
    for id in ["r1@test", "r2@test"] {
        deliver(&server, "alice@example.test", &message(id));
    }
    let addr = server.addr("imap");
    // RFC 3501 §6.3.2: EXAMINE and STATUS tell the recent count without claiming it.
    let mut watcher = ImapConn::login(addr, "alice");
    let r = watcher.cmd("e", "EXAMINE INBOX");
    assert!(has(&r, "* 2 RECENT"), "{r:?}");
    let r = watcher.cmd("s", "STATUS INBOX (RECENT)");
    assert!(has(&r, "* STATUS \"INBOX\" (RECENT 2)"), "{r:?}");
    // The first SELECT claims them: \Recent in its FETCH and SEARCH RECENT.
    let mut first = ImapConn::login(addr, "alice");
    let r = first.cmd("s", "SELECT INBOX");
    assert!(has(&r, "* 2 RECENT"), "{r:?}");
    let r = first.cmd("f", "FETCH 1:* FLAGS");
    assert_eq!(
        r[..2],
        [
            "* 1 FETCH (FLAGS (\\Recent))",
            "* 2 FETCH (FLAGS (\\Recent))"
        ]
    );
    let r = first.cmd("n", "SEARCH NEW");
    assert!(has(&r, "* SEARCH 1 2"), "{r:?}");
    // RFC 3501 §2.3.2: no other session sees them as recent.
    let mut second = ImapConn::login(addr, "alice");
    let r = second.cmd("s", "SELECT INBOX");
    assert!(has(&r, "* 0 RECENT"), "{r:?}");
    let r = second.cmd("o", "SEARCH OLD");
    assert!(has(&r, "* SEARCH 1 2"), "{r:?}");
    // New mail: the first session to be told claims it (§7.3.2: RECENT with EXISTS).
    deliver(&server, "alice@example.test", &message("r3@test"));
    let r = first.cmd("n1", "NOOP");
    assert!(has(&r, "* 3 EXISTS") && has(&r, "* 3 RECENT"), "{r:?}");
    let r = second.cmd("n2", "NOOP");
    assert!(has(&r, "* 3 EXISTS") && has(&r, "* 0 RECENT"), "{r:?}");
    let r = first.cmd("f3", "FETCH 3 FLAGS");
    assert!(has(&r, "* 3 FETCH (FLAGS (\\Recent))"), "{r:?}");
    let r = watcher.cmd("s2", "STATUS INBOX (RECENT)");
    assert!(has(&r, "* STATUS \"INBOX\" (RECENT 0)"), "{r:?}");
    // COPY makes the copies recent in the target (imaptest's copy group).
    first.cmd("c", "CREATE Kept");
    first.cmd("cp", "COPY 1:2 Kept");
    let r = second.cmd("k", "SELECT Kept");
    assert!(has(&r, "* 2 RECENT"), "{r:?}");
}

#[test]
fn a_keyword_set_by_another_session_is_announced_before_it_is_shown() {
    let server = server();
    deliver(&server, "alice@example.test", &message("k1@test"));
    let addr = server.addr("imap");
    let mut reader = ImapConn::login(addr, "alice");
    let r = reader.cmd("s", "SELECT INBOX");
    assert!(
        has(
            &r,
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"
        ),
        "{r:?}"
    );
    let mut writer = ImapConn::login(addr, "alice");
    writer.cmd("s", "SELECT INBOX");
    let r = writer.cmd("st", "STORE 1 +FLAGS ($Project NIL)");
    assert!(r.last().is_some_and(|l| l.starts_with("st OK")), "{r:?}");
    // RFC 3501 §7.2.6: FLAGS (with the keywords) comes before the FETCH showing them.
    let r = reader.cmd("n", "NOOP");
    let flags = r.iter().position(|l| l.starts_with("* FLAGS ("));
    let fetch = r.iter().position(|l| l.contains(" FETCH ("));
    assert!(flags.is_some() && flags < fetch, "{r:?}");
    assert_eq!(
        line(&r, "* FLAGS ("),
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Project NIL)"
    );
    assert!(
        has(
            &r,
            "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Project NIL \\*)] flags"
        ),
        "{r:?}"
    );
    // A session selecting later learns them in its SELECT.
    let mut late = ImapConn::login(addr, "alice");
    let r = late.cmd("s", "EXAMINE INBOX");
    assert!(
        has(
            &r,
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Project NIL)"
        ),
        "{r:?}"
    );
}

#[test]
fn tilde_atoms_and_an_id_of_thirty_long_fields_are_accepted() {
    let server = server();
    let addr = server.addr("imap");
    // RFC 2971 §3.3: 30 fields, values up to 1024 octets: a 31 KB line of quoted strings,
    // sent before login.
    let (mut c, _) = ImapConn::connect(addr);
    let fields: Vec<String> = (0..30)
        .map(|i| format!("\"field{i:02}\" \"{}\"", "v".repeat(1024)))
        .collect();
    let r = c.cmd("i", &format!("ID ({})", fields.join(" ")));
    assert!(r.last().is_some_and(|l| l.starts_with("i OK")), "{r:?}");
    let r = c.cmd("n", "NOOP");
    assert_eq!(r, ["n OK NOOP completed"]);
    // RFC 3501 §9: `~` is an ATOM-CHAR (only `~{` starts a literal8).
    let mut c = ImapConn::login(addr, "alice");
    let r = c.cmd("l", "LIST \"\" ~foo");
    assert_eq!(r, ["l OK LIST completed"]);
    let r = c.cmd("s", "SELECT ~foo");
    assert_eq!(r, ["s NO [NONEXISTENT] no such mailbox"]);
    let r = c.cmd("c", "CREATE ~foo");
    assert!(r[0].starts_with("c OK"), "{r:?}");
    let r = c.cmd("s2", "SELECT ~foo");
    assert!(r.last().is_some_and(|l| l.starts_with("s2 OK")), "{r:?}");
    // `&` alone is an ATOM-CHAR too, but no valid modified UTF-7: no such mailbox.
    let r = c.cmd("s3", "SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}");
    assert!(r.last().is_some_and(|l| l.starts_with("s3 NO")), "{r:?}");
    let r = c.cmd("l2", "LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%*");
    assert_eq!(r, ["l2 OK LIST completed"]);
}

#[test]
fn a_mailbox_deleted_and_created_again_has_a_new_uidvalidity() {
    let server = server();
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    let uidvalidity = |c: &mut ImapConn| {
        let r = c.cmd("st", "STATUS Again (UIDVALIDITY)");
        let l = line(&r, "* STATUS").to_string();
        let n = l
            .split("UIDVALIDITY ")
            .nth(1)
            .and_then(|v| v.trim_end_matches(')').parse::<u32>().ok());
        n.unwrap_or_else(|| panic!("{l}"))
    };
    let mut seen = Vec::new();
    // In one second, several times: the clock alone cannot tell them apart.
    for _ in 0..3 {
        c.cmd("c", "CREATE Again");
        seen.push(uidvalidity(&mut c));
        c.cmd("d", "DELETE Again");
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}

/// A message with these header lines.
fn with_headers(n: u32, headers: &str) -> Vec<u8> {
    format!(
        "From: sender@example.test\r\n{headers}\r\nSubject: {n}\r\nMessage-ID: <s{n}@test>\r\n\r\nbody {n}\r\n"
    )
    .into_bytes()
}

#[test]
fn sort_cc_and_displayto_order_groups_by_their_name() {
    let server = server();
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    // imaptest's sort-addresses and sort-display-to cases, in our own messages.
    for (n, headers) in [
        (1, "To: foo bar <a@b.c>\r\nCc: user2@domain2.org (foo bar)"),
        (2, "To: b@c.d\r\nCc: user2: blah@domain1.org;"),
        (3, "To: d\r\nCc: user1@domain1.org"),
        (4, "To: =?iso-8859-1?q?foo_aar?= <e@f.g>"),
        (5, "To: a: xx@xx.org, yy@yy.org;"),
        (6, "To: z: aa@aa.org, bb@bb.org;"),
        (7, "To: empty:;"),
    ] {
        c.append(&format!("a{n}"), &with_headers(n, headers));
    }
    c.cmd("s", "SELECT INBOX");
    // RFC 5256 §3: the first address's mailbox; a group's is its name ("user2"), as the
    // ENVELOPE's group start; no CC sorts first as the empty string.
    let r = c.cmd("cc", "SORT (CC) US-ASCII 1:3");
    assert!(has(&r, "* SORT 3 1 2"), "{r:?}");
    let r = c.cmd("rc", "SORT (REVERSE CC) US-ASCII 1:3");
    assert!(has(&r, "* SORT 1 2 3"), "{r:?}");
    // RFC 5957: the display name, else the addr-spec; a group by its name.
    let r = c.cmd("dt", "SORT (DISPLAYTO) US-ASCII ALL");
    assert!(has(&r, "* SORT 5 2 3 7 4 1 6"), "{r:?}");
}

#[test]
fn esearch_modseq_follows_min_and_max_and_esort_sends_ranges() {
    let server = server();
    for id in ["m1@test", "m2@test", "m3@test"] {
        deliver(&server, "alice@example.test", &message(id));
    }
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    c.cmd("s", "SELECT INBOX");
    // RFC 7162 §3.1: the first CONDSTORE enabling command, here FETCH MODSEQ, is answered
    // with the mailbox's HIGHESTMODSEQ (three deliveries: 2, 3, 4).
    let r = c.cmd("f", "FETCH 1 MODSEQ");
    assert!(has(&r, "* OK [HIGHESTMODSEQ 4] modseq"), "{r:?}");
    // Stored in the order 1, 3, 2: MODSEQ 5, 6, 7.
    for n in [1, 3, 2] {
        c.cmd("st", &format!("STORE {n} +FLAGS (\\Seen)"));
    }
    let search = |c: &mut ImapConn, ret: &str| {
        let r = c.cmd("t", &format!("SEARCH RETURN ({ret}) 1:3 MODSEQ 1"));
        line(&r, "* ESEARCH").to_string()
    };
    // RFC 7162 §3.1.5: with only MIN or MAX, the MODSEQ of the messages returned.
    assert_eq!(
        search(&mut c, "MIN"),
        "* ESEARCH (TAG \"t\") MIN 1 MODSEQ 5"
    );
    assert_eq!(
        search(&mut c, "MAX"),
        "* ESEARCH (TAG \"t\") MAX 3 MODSEQ 6"
    );
    assert_eq!(search(&mut c, ""), "* ESEARCH (TAG \"t\") ALL 1:3 MODSEQ 7");
    // RFC 5267 §3.2: ESORT's ALL in sort order, ascending runs as ranges.
    let r = c.cmd("so", "SORT RETURN (ALL) (ARRIVAL) US-ASCII 1:3");
    assert!(has(&r, "* ESEARCH (TAG \"so\") ALL 1:3"), "{r:?}");
}

/// Sends `tag command` and asserts the whole answer is `want` (untagged lines, then the
/// tagged one).
fn exchange(c: &mut ImapConn, tag: &str, command: &str, want: &[&str]) {
    let r = c.cmd(tag, command);
    assert_eq!(r, want, "{command}");
}

#[test]
fn subscriptions_outlive_their_mailbox_and_lsub_shows_subscribed_parents() {
    let server = server();
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    for name in ["T", "T/a", "T/b/c", "T/d/e", "T/d/f", "T/gone"] {
        exchange(
            &mut c,
            "c",
            &format!("CREATE {name}"),
            &["c OK CREATE completed"],
        );
    }
    // RFC 3501 §6.3.6: CREATE does not subscribe; SUBSCRIBE does.
    exchange(&mut c, "l0", "LSUB \"\" T/%", &["l0 OK LSUB completed"]);
    for name in ["T/a", "T/b/c", "T/d/e", "T/d/f", "T/gone"] {
        c.cmd("s", &format!("SUBSCRIBE {name}"));
    }
    c.cmd("d", "DELETE T/gone");
    // RFC 3501 §6.3.9: "%" shows T/b and T/d, not subscribed (not even mailboxes), as
    // \Noselect; the deleted but subscribed T/gone too.
    exchange(
        &mut c,
        "l1",
        "LSUB \"\" T/%",
        &[
            "* LSUB (\\HasNoChildren) \"/\" \"T/a\"",
            "* LSUB (\\Noselect) \"/\" \"T/gone\"",
            "* LSUB (\\Noselect) \"/\" \"T/b\"",
            "* LSUB (\\Noselect) \"/\" \"T/d\"",
            "l1 OK LSUB completed",
        ],
    );
    // RFC 5258 §3.4: LIST (SUBSCRIBED) names it \NonExistent.
    exchange(
        &mut c,
        "l2",
        "LIST (SUBSCRIBED) \"\" T/g*",
        &[
            "* LIST (\\NonExistent \\Subscribed) \"/\" \"T/gone\"",
            "l2 OK LIST completed",
        ],
    );
    // RFC 5258 §3.5: T/d is no mailbox; its subscribed T/d/f does not match: CHILDINFO.
    exchange(
        &mut c,
        "l3",
        "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (T/d T/d/e)",
        &[
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"T/d/e\"",
            "* LIST (\\NonExistent \\HasChildren) \"/\" \"T/d\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "l3 OK LIST completed",
        ],
    );
    // Created again, it is subscribed again; UNSUBSCRIBE of a deleted name works too.
    c.cmd("c2", "CREATE T/gone");
    exchange(
        &mut c,
        "l4",
        "LSUB \"\" T/gone",
        &[
            "* LSUB (\\HasNoChildren) \"/\" \"T/gone\"",
            "l4 OK LSUB completed",
        ],
    );
    c.cmd("d2", "DELETE T/gone");
    exchange(
        &mut c,
        "u",
        "UNSUBSCRIBE T/gone",
        &["u OK UNSUBSCRIBE completed"],
    );
    exchange(&mut c, "l5", "LSUB \"\" T/gone", &["l5 OK LSUB completed"]);
}

#[test]
fn the_saved_search_result_without_searchres_is_a_bad() {
    let server = server();
    deliver(&server, "alice@example.test", &message("d1@test"));
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    c.cmd("s", "SELECT INBOX");
    // RFC 5182 §2.1: `$` exists only with SEARCHRES, which is not advertised.
    let want = "BAD syntax error: $ needs SEARCHRES, which this server does not offer";
    exchange(&mut c, "a", "SEARCH $", &[format!("a {want}").as_str()]);
    exchange(
        &mut c,
        "b",
        "UID SEARCH UID $",
        &[format!("b {want}").as_str()],
    );
    exchange(
        &mut c,
        "n",
        "SEARCH ALL",
        &["* SEARCH 1", "n OK SEARCH completed"],
    );
}
