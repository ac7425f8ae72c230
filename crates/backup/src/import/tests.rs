//! The three sources read from files made here: quoting, flags, dates, folders.

use std::fs;

use super::*;

#[test]
fn line_ends_become_crlf_whatever_they_were() {
    assert_eq!(crlf(b"a\nb\r\nc\rd"), b"a\r\nb\r\nc\r\nd");
    assert_eq!(crlf(b"\r\n\n"), b"\r\n\r\n");
}

#[test]
fn an_mbox_gives_its_messages_with_quoting_undone_flags_and_dates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("Inbox.mbox");
    fs::write(
        &path,
        "From alice@example.test Mon Dec  7 10:00:00 2026\n\
         Subject: one\n\
         Status: RO\n\
         X-Status: AF\n\
         \n\
         >From the start\n\
         >>From quoted twice\n\
         From inside a line is kept\n\
         \n\
         From bob@example.test Tue Jan  5 08:30:15 2027\n\
         Subject: two\n\
         X-Mozilla-Status: 1005\n\
         X-Mozilla-Status2: 00000000\n\
         X-Keywords: $Invoice urgent\n\
         Content-Length: 4\n\
         \n\
         body\n",
    )
    .expect("write");
    let messages: Vec<Imported> = Mbox::open(&path)
        .expect("an mbox")
        .collect::<Result<_, _>>()
        .expect("readable");
    assert_eq!(messages.len(), 2);
    assert_eq!(
        String::from_utf8_lossy(&messages[0].message),
        "Subject: one\r\n\r\nFrom the start\r\n>From quoted twice\r\nFrom inside a line is kept\r\n"
    );
    assert_eq!(messages[0].flags, ["\\Answered", "\\Flagged", "\\Seen"]);
    // 2026-12-07T10:00:00Z
    assert_eq!(messages[0].internal_date, Some(1_796_637_600));
    assert_eq!(
        String::from_utf8_lossy(&messages[1].message),
        "Subject: two\r\n\r\nbody\r\n"
    );
    assert_eq!(
        messages[1].flags,
        ["$Forwarded", "$Invoice", "\\Flagged", "\\Seen", "urgent"]
    );
}

#[test]
fn a_file_that_does_not_start_with_a_from_line_is_not_an_mbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("x.mbox");
    fs::write(&path, "Subject: hi\n\nbody\n").expect("write");
    assert!(matches!(Mbox::open(&path), Err(ImportError::NotA { .. })));
    let empty = dir.path().join("empty.mbox");
    fs::write(&empty, "").expect("write");
    assert_eq!(Mbox::open(&empty).expect("an empty mbox").count(), 0);
}

#[test]
fn a_maildir_gives_its_folders_and_the_flags_in_file_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for sub in [
        "cur",
        "new",
        "tmp",
        ".Sent/cur",
        ".Work.2026/cur",
        ".Work.2026/new",
        ".&mHl27g-/cur",
    ] {
        fs::create_dir_all(root.join(sub)).expect("mkdir");
    }
    fs::write(root.join("new/1.host"), "Subject: new\n\nx\n").expect("write");
    fs::write(root.join("cur/2.host:2,FRS"), "Subject: read\n\nx\n").expect("write");
    fs::write(root.join("tmp/3.host"), "half written").expect("write");
    fs::write(root.join(".Sent/cur/4.host:2,S"), "Subject: sent\n\nx\n").expect("write");
    fs::write(root.join(".Work.2026/new/5.host"), "Subject: work\n\nx\n").expect("write");
    fs::write(root.join(".&mHl27g-/cur/6.host:2,"), "Subject: cn\n\nx\n").expect("write");
    let found: Vec<(String, Vec<String>, String)> = maildir(root)
        .expect("a maildir")
        .map(|m| {
            let m = m.expect("readable");
            let subject = String::from_utf8_lossy(&m.message)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            assert!(m.internal_date.is_some());
            (m.folder, m.flags, subject)
        })
        .collect();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        found,
        [
            (String::new(), vec![], "Subject: new".to_string()),
            (
                String::new(),
                strings(&["\\Flagged", "\\Answered", "\\Seen"]),
                "Subject: read".to_string()
            ),
            (
                "Sent".to_string(),
                strings(&["\\Seen"]),
                "Subject: sent".to_string()
            ),
            ("Work/2026".to_string(), vec![], "Subject: work".to_string()),
            ("项目".to_string(), vec![], "Subject: cn".to_string()),
        ]
    );
    assert!(matches!(
        maildir(&root.join("cur")),
        Err(ImportError::NotA { .. })
    ));
}

#[test]
fn eml_files_are_found_in_sub_folders_into_one_mailbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("A1")).expect("mkdir");
    fs::write(dir.path().join("A1/{1}.eml"), "Subject: a\n\nx\n").expect("write");
    fs::write(dir.path().join("B.EML"), "Subject: b\r\n\r\nx\r\n").expect("write");
    fs::write(dir.path().join("notes.txt"), "not mail").expect("write");
    let found: Vec<Imported> = eml(dir.path())
        .expect("a folder")
        .collect::<Result<_, _>>()
        .expect("readable");
    assert_eq!(found.len(), 2);
    assert!(
        found
            .iter()
            .all(|m| m.folder.is_empty() && m.message.ends_with(b"x\r\n"))
    );
}
