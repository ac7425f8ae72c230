//! LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and CREATE-SPECIAL-USE (RFC 6154 §3)
//! against the real server: exact exchanges over a raw connection, and Python's imaplib.

use tests::imap::{ImapConn, server};

/// APPEND with LITERAL+ (RFC 7888): `{n+}`, no continuation request.
fn append(c: &mut ImapConn, tag: &str, mailbox: &str, flags: &str, body: &str) {
    c.send(
        format!(
            "{tag} APPEND {mailbox} ({flags}) {{{}+}}\r\n{body}\r\n",
            body.len()
        )
        .as_bytes(),
    );
    let r = c.until(tag);
    assert!(
        r.last()
            .is_some_and(|l| l.starts_with(&format!("{tag} OK"))),
        "{r:?}"
    );
}

#[test]
fn list_status_sends_a_status_after_each_listed_mailbox() {
    let server = server();
    let mut c = ImapConn::login(server.addr("imap"), "alice");
    let caps = c.cmd("c", "CAPABILITY").join("\n");
    tests::assert_contains_all(
        &caps,
        &[
            "LIST-EXTENDED",
            "LIST-STATUS",
            "CREATE-SPECIAL-USE",
            "SPECIAL-USE",
        ],
    );
    append(&mut c, "a1", "INBOX", "\\Seen", "Subject: one\r\n\r\nx");
    append(&mut c, "a2", "INBOX", "", "Subject: two\r\n\r\ny");
    append(&mut c, "a3", "Sent", "\\Seen", "Subject: three\r\n\r\nz");
    let r = c.cmd("l1", "LIST \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN))");
    assert_eq!(
        r,
        [
            "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"",
            "* STATUS \"Drafts\" (MESSAGES 0 UNSEEN 0)",
            "* LIST (\\HasNoChildren) \"/\" \"INBOX\"",
            "* STATUS \"INBOX\" (MESSAGES 2 UNSEEN 1)",
            "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"",
            "* STATUS \"Junk\" (MESSAGES 0 UNSEEN 0)",
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"",
            "* STATUS \"Sent\" (MESSAGES 1 UNSEEN 0)",
            "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"",
            "* STATUS \"Trash\" (MESSAGES 0 UNSEEN 0)",
            "l1 OK LIST completed",
        ]
    );
    // The same through imaplib: the STATUS responses arrive with the LIST ones.
    let out = tests::imap::run_script(&server, "imap_list_status.py");
    assert_eq!(
        out.trim(),
        r#"OK [b'(\\HasNoChildren) "/" "INBOX"'] [b'"INBOX" (MESSAGES 2 UIDNEXT 3 UNSEEN 1)']"#
    );
}

#[test]
fn selection_and_return_options_of_list_extended() {
    let server = server();
    let mut c = ImapConn::login(server.addr("imap"), "bob");
    // RFC 5258 §5 example tree: Fruit not subscribed but Fruit/Banana is; Vegetable and
    // Vegetable/Broccoli both subscribed. CREATE does not subscribe (RFC 3501 §6.3.6).
    for name in [
        "Fruit",
        "Fruit/Apple",
        "Fruit/Banana",
        "Vegetable",
        "Vegetable/Broccoli",
    ] {
        let r = c.cmd("c", &format!("CREATE {name}"));
        assert_eq!(r, ["c OK CREATE completed"]);
    }
    for name in ["Fruit/Banana", "Vegetable", "Vegetable/Broccoli"] {
        let r = c.cmd("u", &format!("SUBSCRIBE {name}"));
        assert_eq!(r, ["u OK SUBSCRIBE completed"]);
    }
    // Selection SUBSCRIBED: only subscribed mailboxes, each with \Subscribed.
    let r = c.cmd("l1", "LIST (SUBSCRIBED) \"\" \"F*\"");
    assert_eq!(
        r,
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Fruit/Banana\"",
            "l1 OK LIST completed",
        ]
    );
    // RECURSIVEMATCH (RFC 5258 §3.5): a parent matching "%" whose subscribed child does not
    // match the pattern is listed with CHILDINFO, subscribed or not.
    let r = c.cmd(
        "l2",
        "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)",
    );
    assert_eq!(
        r,
        [
            "* LIST (\\HasNoChildren \\Drafts \\Subscribed) \"/\" \"Drafts\"",
            "* LIST (\\HasChildren) \"/\" \"Fruit\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"INBOX\"",
            "* LIST (\\HasNoChildren \\Junk \\Subscribed) \"/\" \"Junk\"",
            "* LIST (\\HasNoChildren \\Sent \\Subscribed) \"/\" \"Sent\"",
            "* LIST (\\HasNoChildren \\Trash \\Subscribed) \"/\" \"Trash\"",
            "* LIST (\\HasChildren \\Subscribed) \"/\" \"Vegetable\" (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "l2 OK LIST completed",
        ]
    );
    // With "*" every subscribed child matches itself: no CHILDINFO, Fruit not listed.
    let r = c.cmd("l3", "LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*able*\"");
    assert_eq!(
        r,
        [
            "* LIST (\\HasChildren \\Subscribed) \"/\" \"Vegetable\"",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Vegetable/Broccoli\"",
            "l3 OK LIST completed",
        ]
    );
    // Selection SPECIAL-USE (RFC 6154 §5.1): only mailboxes with a special use.
    let r = c.cmd("l4", "LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE)");
    assert_eq!(
        r,
        [
            "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"",
            "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"",
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"",
            "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"",
            "l4 OK LIST completed",
        ]
    );
    // RETURN (SUBSCRIBED) marks subscribed mailboxes without selecting on it; several
    // patterns (RFC 5258 §3) list the union once, in name order.
    let r = c.cmd(
        "l5",
        "LIST \"\" (\"Fruit/*\" \"INBOX\" \"Fruit/B*\") RETURN (SUBSCRIBED)",
    );
    assert_eq!(
        r,
        [
            "* LIST (\\HasNoChildren) \"/\" \"Fruit/Apple\"",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"Fruit/Banana\"",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" \"INBOX\"",
            "l5 OK LIST completed",
        ]
    );
    // LSUB is unchanged: subscribed mailboxes, no \Subscribed attribute.
    let r = c.cmd("l6", "LSUB \"\" \"Fruit/*\"");
    assert_eq!(
        r,
        [
            "* LSUB (\\HasNoChildren) \"/\" \"Fruit/Banana\"",
            "l6 OK LSUB completed",
        ]
    );
    // RECURSIVEMATCH alone is a BAD (RFC 5258 §3.1: it needs another selection option).
    c.expect("b1", "LIST (RECURSIVEMATCH) \"\" \"*\"", "BAD");
    // An unknown selection option is a BAD (RFC 5258 §3).
    c.expect("b2", "LIST (BOGUS) \"\" \"*\"", "BAD");
    // An unknown return option is a BAD too (RFC 5258 §3.2).
    c.expect("b3", "LIST \"\" \"*\" RETURN (BOGUS)", "BAD");
}

#[test]
fn create_special_use_assigns_one_mailbox_per_use() {
    let server = server();
    let mut c = ImapConn::login(server.addr("imap"), "dave");
    let r = c.cmd("c1", "CREATE \"Archive\" (USE (\\Archive))");
    assert_eq!(r, ["c1 OK CREATE completed"]);
    let r = c.cmd("l1", "LIST \"\" \"Arch*\" RETURN (SPECIAL-USE)");
    assert_eq!(
        r,
        [
            "* LIST (\\HasNoChildren \\Archive) \"/\" \"Archive\"",
            "l1 OK LIST completed",
        ]
    );
    // A second \Archive: NO [USEATTR], and the mailbox is not created (RFC 6154 §3).
    c.expect(
        "c2",
        "CREATE \"Old mail\" (USE (\\archive))",
        "NO [USEATTR]",
    );
    // \Sent is taken by the default Sent mailbox.
    c.expect("c3", "CREATE \"Sent 2\" (USE (\\Sent))", "NO [USEATTR]");
    // \All is a virtual mailbox this server does not keep: NO [USEATTR].
    c.expect("c4", "CREATE \"Everything\" (USE (\\All))", "NO [USEATTR]");
    // Two uses for one mailbox are not supported: NO [USEATTR].
    c.expect(
        "c5",
        "CREATE \"Both\" (USE (\\Junk \\Trash))",
        "NO [USEATTR]",
    );
    let r = c.cmd(
        "l2",
        "LIST \"\" (\"Old mail\" \"Sent 2\" \"Everything\" \"Both\")",
    );
    assert_eq!(r, ["l2 OK LIST completed"], "none was created");
    // An existing name with a free use: NO [ALREADYEXISTS] from the create itself.
    c.expect("c6", "CREATE \"Archive\" (USE (\\Drafts))", "NO");
    // After deleting the archive its use is free again.
    assert_eq!(c.cmd("d1", "DELETE Archive"), ["d1 OK DELETE completed"]);
    let r = c.cmd("c7", "CREATE \"Archive/2026\" (USE (\\Archive))");
    assert_eq!(r, ["c7 OK CREATE completed"]);
    // An unknown CREATE parameter is a syntax error (RFC 4466 §2.2).
    c.expect("c8", "CREATE \"X\" (COLOUR (red))", "BAD");
}
