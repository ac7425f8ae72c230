//! FETCH BODYSTRUCTURE, BODY and ENVELOPE (RFC 9051 §7.5.2, RFC 3501 §7.4.2) compared byte
//! for byte with a private Dovecot 2.3 on loopback: the same messages are APPENDed to both
//! over IMAP, then every response line of each FETCH must be the same. Clients (Thunderbird,
//! Outlook) cache these structures and read the disposition to list attachments.

use std::net::SocketAddr;

use tests::dovecot::Dovecot;
use tests::imap::{ImapConn, server};

/// (name, message): the cases the issue lists, and a few about case and RFC 2231.
const MESSAGES: &[(&str, &[u8])] = &[
    ("plain us-ascii", b"From: Ann Example <ann@example.test>\r\nTo: bob@example.test\r\nSubject: plain\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <p1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\nworld\r\n"),
    ("charset and format=flowed", b"From: ann@example.test\r\nSubject: flowed\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"ISO-8859-1\"; format=flowed; delsp=yes\r\nContent-Transfer-Encoding: 8bit\r\n\r\nline one \r\nline two\r\n"),
    ("quoted-printable UTF-8 Chinese", b"From: =?UTF-8?B?5byg5LiJ?= <zhang@example.test>\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E4=BD=A0=E5=A5=BD=EF=BC=8C=E4=B8=96=E7=95=8C\r\n"),
    ("multipart/alternative", b"From: ann@example.test\r\nSubject: alt\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"alt-b\"\r\n\r\npreamble\r\n--alt-b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain\r\n--alt-b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html</p>\r\n--alt-b--\r\n"),
    ("multipart/mixed with attachments", b"From: ann@example.test\r\nSubject: attach\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=mix\r\n\r\n--mix\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--mix\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"; size=12\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <att1@example.test>\r\nContent-Description: The report\r\n\r\nJVBERi0xLjQK\r\n--mix\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment;\r\n filename*=utf-8''%E6%8A%A5%E5%91%8A.txt\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--mix\r\nContent-Type: text/plain; name*0=\"long\"; name*1=\"name.txt\"\r\nContent-Disposition: INLINE\r\n\r\ninline text\r\n--mix--\r\n"),
    ("related inside mixed", b"From: ann@example.test\r\nSubject: related\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/related; boundary=inner; type=\"text/html\"\r\n\r\n--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<img src=\"cid:img1\">\r\n--inner\r\nContent-Type: image/png\r\nContent-ID: <img1>\r\nContent-Disposition: inline; filename=logo.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--inner--\r\n--outer\r\nContent-Type: text/plain\r\n\r\nfooter\r\n--outer--\r\n"),
    ("message/rfc822 attachment", b"From: ann@example.test\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=fw\r\n\r\n--fw\r\nContent-Type: text/plain\r\n\r\nforwarded\r\n--fw\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"orig.eml\"\r\n\r\nFrom: Carl <carl@example.test>\r\nTo: ann@example.test\r\nSubject: original\r\nContent-Type: multipart/alternative; boundary=in\r\n\r\n--in\r\nContent-Type: text/plain\r\n\r\norig\r\n--in\r\nContent-Type: text/html\r\n\r\n<b>orig</b>\r\n--in--\r\n\r\n--fw--\r\n"),
    ("Content-Language and Content-Location", b"From: ann@example.test\r\nSubject: lang\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=l\r\nContent-Language: en\r\n\r\n--l\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Language: en, de\r\nContent-Location: http://example.test/a.txt\r\n\r\nhallo\r\n--l\r\nContent-Type: text/html\r\nContent-Language: fr\r\nContent-Location: \"b.html\"\r\n\r\n<p>b</p>\r\n--l--\r\n"),
    ("Content-MD5", b"From: ann@example.test\r\nSubject: md5\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\nContent-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\nContent-Disposition: inline\r\n\r\nchecked\r\n"),
    ("missing Content-Type", b"From: ann@example.test\r\nSubject: none\r\n\r\nno content type\r\n"),
    ("missing Content-Type in parts", b"From: ann@example.test\r\nSubject: none mp\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n\r\nbare part\r\n--z\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nbody\r\n--z--\r\n"),
    ("case kept, comments, raw fields", b"Subject: x\r\nContent-Type: Text/HTML; CHARSET=UTF-8; Name*0*=utf-8''%E6%8A; Name*1*=%A5.txt\r\nContent-Transfer-Encoding: Quoted-Printable\r\nContent-ID:   <a@b>  \r\nContent-Description: =?utf-8?q?caf=C3=A9?= (x)\r\nContent-Disposition: Attachment; FileName=\"a b.txt\"\r\nContent-Language: EN-us (comment), de\r\nContent-Location: http://x.test/\r\n very/long\r\n\r\nbody\r\n"),
    ("multipart/digest", b"Subject: d\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: in\r\n\r\nx\r\n--d--\r\n"),
    ("quoted pair, empty value", b"Subject: f\r\nContent-Type: application/x-foo; a=1; b=\"q\\\"x\"; c=\r\nContent-Disposition: attachment; filename=\"=?utf-8?b?5L2g?=.txt\"\r\nContent-Language: \r\n\r\nx\r\n"),
];

/// The untagged lines of `FETCH n (item)`, joined (a literal's lines included).
fn fetch(c: &mut ImapConn, n: usize, item: &str) -> String {
    let r = c.cmd("f", &format!("FETCH {n} ({item})"));
    let (done, lines) = r.split_last().expect("a response");
    assert!(done.starts_with("f OK"), "{r:?}");
    lines.join("\n")
}

fn login_dovecot(port: u16) -> ImapConn {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let (mut c, _) = ImapConn::connect(addr);
    let r = c.cmd("l1", &format!("LOGIN isp {}", tests::dovecot::PASSWORD));
    assert!(r.last().is_some_and(|l| l.starts_with("l1 OK")), "{r:?}");
    c
}

#[test]
fn bodystructure_body_and_envelope_match_dovecot() {
    let ours = server();
    let theirs = Dovecot::start(&["isp"], false);
    let mut a = ImapConn::login(ours.addr("imap"), "alice");
    let mut b = login_dovecot(theirs.imap);
    for c in [&mut a, &mut b] {
        for (i, (_, message)) in MESSAGES.iter().enumerate() {
            c.append(&format!("a{i}"), message);
        }
        let r = c.cmd("s", "SELECT INBOX");
        assert!(r.last().is_some_and(|l| l.starts_with("s OK")), "{r:?}");
    }
    let mut mismatches = Vec::new();
    for (i, (name, _)) in MESSAGES.iter().enumerate() {
        for item in ["BODYSTRUCTURE", "BODY", "ENVELOPE"] {
            let (mine, dovecots) = (fetch(&mut a, i + 1, item), fetch(&mut b, i + 1, item));
            if mine != dovecots {
                mismatches.push(format!(
                    "{name} {item}:\n  postroom {mine}\n  dovecot  {dovecots}"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The extension data clients rely on is there: the attachment's disposition.
    let attach = fetch(&mut a, 5, "BODYSTRUCTURE");
    assert!(
        attach.contains(r#"("attachment" ("filename*" "utf-8''%E6%8A%A5%E5%91%8A.txt"))"#),
        "{attach}"
    );
    assert!(!fetch(&mut a, 5, "BODY").contains("attachment"));
}
