//! A mail client's session over IMAP with Python's imaplib (an independent implementation):
//! LOGIN, LIST with special-use, SELECT, FETCH byte-exact, \Seen, STORE, SEARCH (Chinese
//! included), APPEND with APPENDUID, COPY/MOVE with COPYUID, EXPUNGE; and curl imap://.

mod imap_support;

use imap_support::{deliver, message, server, stored};
use tests::{PASSWORD, python_ok};

#[test]
fn login_list_select_fetch_flags_and_search() {
    let server = server();
    deliver(&server, "alice@example.test", &message("one@test"));
    let chinese = "From: =?UTF-8?B?5byg5LiJ?= <zhang@outside.test>\r\nTo: alice@example.test\r\nSubject: =?UTF-8?B?5Lya6K6u6YCa55+l?=\r\nMessage-ID: <two@test>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n5piO5aSp5LiK5Y2I5Y2B54K55byA5LyaCg==\r\n";
    deliver(&server, "alice@example.test", chinese.as_bytes());
    let first = stored(&server, "alice@example.test", 1);
    let script = r#"
import imaplib, sys
port, password, expected = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], 'rb').read()
M = imaplib.IMAP4('127.0.0.1', port)
print('caps', 'IDLE' in M.capabilities and 'MOVE' in M.capabilities and 'AUTH=PLAIN' in M.capabilities)
print(M.login('alice@example.test', password)[0])
typ, boxes = M.list()
print('list', sorted(b.decode() for b in boxes))
typ, data = M.select('INBOX')
print('select', typ, data)
print('uidvalidity', M.untagged_responses.get('UIDVALIDITY') is not None)
# BODY.PEEK does not set \Seen; BODY[] does, and comes back byte-exact.
typ, data = M.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)] FLAGS)')
print('peek', data[0][1], data[1])
typ, data = M.fetch('1', '(BODY[])')
print('exact', data[0][1] == expected)
typ, data = M.fetch('1', '(FLAGS)')
print('flags', data[0])
typ, data = M.fetch('2', '(ENVELOPE RFC822.SIZE INTERNALDATE BODYSTRUCTURE)')
print('envelope', b'ENVELOPE (' in data[0] and b'BODYSTRUCTURE ("text" "plain"' in data[0])
typ, data = M.store('2', '+FLAGS', r'(\Flagged)')
print('store', data)
# SEARCH: flags, a UTF-8 subject sent as a literal, and a body search in base64 text.
print('unseen', M.search(None, 'UNSEEN')[1])
print('flagged', M.uid('SEARCH', 'FLAGGED')[1])
M.literal = '会议'.encode()
print('chinese', M.search('UTF-8', 'SUBJECT')[1])
M.literal = '十点'.encode()
print('body', M.search('UTF-8', 'BODY')[1])
print('from', M.search(None, 'FROM', 'sender@outside.test')[1])
print('none', M.search(None, 'SUBJECT', 'nothing-like-this')[1])
M.logout()
"#;
    let out = python_ok(
        script,
        &[
            &server.addr("imap").port().to_string(),
            PASSWORD,
            write(&server, "expected.eml", &first).as_str(),
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "caps True", "{out}");
    assert_eq!(lines[1], "OK", "{out}");
    assert_eq!(
        lines[2],
        r#"list ['(\\HasNoChildren \\Drafts) "/" "Drafts"', '(\\HasNoChildren \\Junk) "/" "Junk"', '(\\HasNoChildren \\Sent) "/" "Sent"', '(\\HasNoChildren \\Trash) "/" "Trash"', '(\\HasNoChildren) "/" "INBOX"']"#,
        "{out}"
    );
    assert_eq!(lines[3], "select OK [b'2']", "{out}");
    assert_eq!(lines[4], "uidvalidity True", "{out}");
    assert_eq!(
        lines[5], r#"peek b'Subject: one@test\r\n\r\n' b' FLAGS ())'"#,
        "{out}"
    );
    assert_eq!(lines[6], "exact True", "{out}");
    assert_eq!(lines[7], r#"flags b'1 (FLAGS (\\Seen))'"#, "{out}");
    assert_eq!(lines[8], "envelope True", "{out}");
    assert_eq!(lines[9], r#"store [b'2 (FLAGS (\\Flagged))']"#, "{out}");
    assert_eq!(lines[10], "unseen [b'2']", "{out}");
    assert_eq!(lines[11], "flagged [b'2']", "{out}");
    assert_eq!(lines[12], "chinese [b'2']", "{out}");
    assert_eq!(lines[13], "body [b'2']", "{out}");
    assert_eq!(lines[14], "from [b'1']", "{out}");
    assert_eq!(lines[15], "none [b'']", "{out}");
}

#[test]
fn append_copy_move_and_expunge_between_folders() {
    let server = server();
    deliver(&server, "bob@example.test", &message("a@test"));
    deliver(&server, "bob@example.test", &message("b@test"));
    let script = r#"
import imaplib, sys, re
port, password = int(sys.argv[1]), sys.argv[2]
M = imaplib.IMAP4('127.0.0.1', port)
M.login('bob@example.test', password)
# APPEND answers with APPENDUID (RFC 4315); the message is there at once.
msg = b'Subject: appended\r\n\r\nbody\r\n'
typ, data = M.append('Drafts', r'(\Draft)', None, msg)
print('append', typ, re.sub(rb'APPENDUID \d+', b'APPENDUID v', data[0]))
M.select('Drafts')
typ, data = M.uid('FETCH', '1', '(FLAGS BODY.PEEK[])')
print('appended', data[0][1] == msg, b'\\Draft' in data[0][0])
# Appending to a folder that does not exist asks the client to create it.
typ, data = M.append('Nope', None, None, msg)
print('trycreate', typ, data)
# 已发送 in modified UTF-7 (RFC 3501 §5.1.3); it comes back in the same form.
print('create', M.create('Archive/2024')[0], M.create('&XfJT0ZAB-')[0])
typ, boxes = M.list()
print('names', sorted(b.decode().split(' "/" ')[1] for b in boxes))
M.select('INBOX')
typ, data = M.copy('1', 'Archive/2024')
print('copy', typ, re.sub(rb'COPYUID \d+', b'COPYUID v', data[0]))
typ, data = M._simple_command('MOVE', '2', 'Archive/2024')
print('move', typ, re.sub(rb'COPYUID \d+', b'COPYUID v', M.untagged_responses.get('OK', [b''])[-1]))
print('expunged', M.untagged_responses.get('EXPUNGE'))
print('status', M.status('Archive/2024', '(MESSAGES UIDNEXT UNSEEN)')[1])
# EXPUNGE removes only \Deleted messages.
M.select('Archive/2024')
M.store('1', '+FLAGS', r'(\Deleted)')
typ, data = M.expunge()
print('expunge', typ, data)
print('left', M.search(None, 'ALL')[1])
print('inbox', M.status('INBOX', '(MESSAGES)')[1])
M.logout()
"#;
    let out = python_ok(script, &[&server.addr("imap").port().to_string(), PASSWORD]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0], "append OK b'[APPENDUID v 1] APPEND completed'",
        "{out}"
    );
    assert_eq!(lines[1], "appended True True", "{out}");
    // No such folder: NO [TRYCREATE] (RFC 9051 §6.3.12).
    assert_eq!(
        lines[2], "trycreate NO [b'[TRYCREATE] no such mailbox']",
        "{out}"
    );
    assert_eq!(lines[3], "create OK OK", "{out}");
    assert_eq!(
        lines[4],
        "names ['\"&XfJT0ZAB-\"', '\"Archive/2024\"', '\"Drafts\"', '\"INBOX\"', '\"Junk\"', '\"Sent\"', '\"Trash\"']",
        "{out}"
    );
    assert_eq!(
        lines[5], "copy OK b'[COPYUID v 1 1] COPY completed'",
        "{out}"
    );
    assert_eq!(lines[6], "move OK b'[COPYUID v 2 2] moved'", "{out}");
    assert_eq!(lines[7], "expunged [b'2']", "{out}");
    assert_eq!(
        lines[8], "status [b'\"Archive/2024\" (MESSAGES 2 UIDNEXT 3 UNSEEN 2)']",
        "{out}"
    );
    assert_eq!(lines[9], "expunge OK [b'1']", "{out}");
    assert_eq!(lines[10], "left [b'1']", "{out}");
    assert_eq!(lines[11], "inbox [b'\"INBOX\" (MESSAGES 1)']", "{out}");
}

#[test]
fn curl_lists_and_fetches_over_imap() {
    let server = server();
    deliver(&server, "dave@example.test", &message("curl@test"));
    let url = format!(
        "imap://127.0.0.1:{}/INBOX/;UID=1",
        server.addr("imap").port()
    );
    let out = std::process::Command::new("curl")
        .args(["-s", "--max-time", "20", "-u"])
        .arg(format!("dave@example.test:{PASSWORD}"))
        .arg(&url)
        .output()
        .expect("curl");
    assert!(out.status.success(), "{out:?}\n{}", server.log());
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.contains("Message-ID: <curl@test>"), "{body}");
}

/// Writes `data` into the server's directory; returns the path.
fn write(server: &tests::Server, name: &str, data: &[u8]) -> String {
    let path = server.data_dir().join(name);
    std::fs::write(&path, data).expect("write");
    path.to_string_lossy().into_owned()
}
