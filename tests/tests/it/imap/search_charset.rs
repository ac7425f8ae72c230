//! SEARCH with CHARSET (RFC 3501 §6.4.4, RFC 9051 §6.4.4): imaplib sends each search string
//! as a literal in GB2312, GBK, GB18030, BIG5, ISO-2022-JP, EUC-KR, KOI8-R, windows-1251 or
//! ISO-8859-5 over a corpus of Chinese, Japanese, Korean and Russian mail; a charset we
//! cannot decode gets `NO [BADCHARSET (...)]`, never BAD. Also what the text keys read: a CC
//! group's name, attached message/rfc822 parts (BODY their text, TEXT their header too),
//! header field names for TEXT, decoded (not encoded) words, and SENT* on a message without
//! a readable Date (1 January 1970, as Dovecot). Every answer is compared with Dovecot 2.3's.

use tests::dovecot::{self, Dovecot};
use tests::{PASSWORD, python_ok};

const SCRIPT: &str = "imap_search_charset.py";

#[test]
fn search_in_every_charset_answers_as_dovecot() {
    let ours = tests::imap::server();
    let theirs = Dovecot::start(&["isp"], false);
    let port = ours.addr("imap").port().to_string();
    let mine = python_ok(SCRIPT, &[&port, "alice@example.test", PASSWORD]);
    let dovecots = python_ok(
        SCRIPT,
        &[&theirs.imap.to_string(), "isp", dovecot::PASSWORD],
    );
    let differ: Vec<String> = mine
        .lines()
        .zip(dovecots.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("  postroom {a}\n  dovecot  {b}"))
        .collect();
    assert!(
        differ.is_empty(),
        "differ from Dovecot:\n{}",
        differ.join("\n")
    );
    assert_eq!(mine.lines().count(), dovecots.lines().count(), "{mine}");
    // What the comparison rests on, stated without Dovecot.
    tests::assert_contains_all(
        &mine,
        &[
            "GB2312 subject 请假: OK 1\n",
            "GBK body 增值税: OK 1\n",
            "GB18030 body 𠮷野家: OK 5\n",
            "BIG5 body 開會: OK 4\n",
            "ISO-2022-JP subject 会議: OK 6\n",
            "UTF-8 cc 财务部: OK 1\n",
            "BODY innerbodyword: OK 2\n",
            "TEXT x-lang: OK 1\n",
            "SENTBEFORE 2-Jan-1970: OK 3 8\n",
            "CHARSET X-UNKNOWN ALL: NO BADCHARSET\n",
        ],
    );
}
