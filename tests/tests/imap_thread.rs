//! THREAD (RFC 5256 §3): REFERENCES with a real reply tree (a missing parent, a reply that
//! only has In-Reply-To, replies whose references were dropped, subject merging) and
//! ORDEREDSUBJECT, against the real server with imaplib and IMAPClient (PyPI).

mod imap_support;

use imap_support::server;
use tests::{PASSWORD, python_ok};

/// Twelve messages, appended after one expunged message (UIDs are seq + 1).
const SETUP: &str = r#"
import base64, imaplib, sys
from imapclient import IMAPClient

def msg(mid, subject, date, refs=None, in_reply_to=None):
    head = 'From: a@x.test\r\nTo: b@x.test\r\nMessage-ID: <%s>\r\nDate: %s\r\nSubject: %s\r\n' % (mid, date, subject)
    if refs:
        head += 'References: %s\r\n' % ' '.join('<%s>' % r for r in refs)
    if in_reply_to:
        head += 'In-Reply-To: <%s>\r\n' % in_reply_to
    return (head + '\r\nbody\r\n').encode()

def zh(s):
    return '=?UTF-8?B?' + base64.b64encode(s.encode()).decode() + '?='

port, password = int(sys.argv[1]), sys.argv[2]
c = IMAPClient('127.0.0.1', port=port, ssl=False, use_uid=False)
c.login('bob@example.test', password)
c.append('INBOX', b'Subject: gone\r\n\r\nx\r\n')
c.select_folder('INBOX')
c.set_flags([1], [b'\\Deleted'])
c.expunge()
for m in [
    msg('p1@t', 'Weekend plans', 'Sun, 01 Feb 2026 10:00:00 +0000'),                          # 1
    msg('p2@t', 'Re: Weekend plans', 'Sun, 01 Feb 2026 11:00:00 +0000', ['p1@t']),            # 2
    msg('p3@t', 'Re: Weekend plans', 'Sun, 01 Feb 2026 12:00:00 +0000', ['p1@t', 'p2@t']),    # 3
    # Only In-Reply-To: its first message ID is the parent (RFC 5256 §3 step 1).
    msg('p4@t', 'RE: Weekend plans', 'Sun, 01 Feb 2026 11:30:00 +0000', None, 'p1@t'),        # 4
    # Two replies to a message that is not in the mailbox: a dummy parent (step 1, 3).
    msg('b2@t', 'Re: Budget', 'Mon, 02 Feb 2026 09:00:00 +0000', ['b1@missing']),             # 5
    msg('b3@t', 'Re: Budget', 'Mon, 02 Feb 2026 08:00:00 +0000', ['b1@missing']),             # 6
    # An original with the same base subject joins the dummy's thread (step 5C).
    msg('b0@t', 'Budget', 'Sat, 31 Jan 2026 10:00:00 +0000'),                                 # 7
    # A reply whose client dropped References goes under the original by subject.
    msg('l2@t', 'Re: Lunch?', 'Tue, 03 Feb 2026 12:00:00 +0000'),                             # 8
    msg('l1@t', 'Lunch?', 'Tue, 03 Feb 2026 11:00:00 +0000'),                                 # 9
    msg('f1@t', 'Fwd: Weekend plans', 'Wed, 04 Feb 2026 10:00:00 +0000'),                     # 10
    msg('c1@t', zh('周末计划'), 'Thu, 05 Feb 2026 10:00:00 +0000'),                            # 11
    msg('c2@t', 'Re: ' + zh('周末计划'), 'Thu, 05 Feb 2026 13:00:00 +0000', ['c1@t']),        # 12
]:
    c.append('INBOX', m)
c.select_folder('INBOX')
M = c._imap

def thread(*args):
    typ, data = M._simple_command(*args)
    return typ, M.untagged_responses.pop('THREAD', None)
"#;

#[test]
fn references_threads_a_reply_tree() {
    let server = server();
    let script = format!(
        "{SETUP}{}",
        r#"
print('caps', b'THREAD=REFERENCES' in c.capabilities(), b'THREAD=ORDEREDSUBJECT' in c.capabilities())
print('refs', *thread('THREAD', 'REFERENCES', 'UTF-8', 'ALL'))
print('uid', *thread('UID', 'THREAD', 'REFERENCES', 'US-ASCII', 'ALL'))
# Search criteria first: the Budget messages only.
print('budget', *thread('THREAD', 'REFERENCES', 'UTF-8', 'SUBJECT', 'Budget'))
print('none', *thread('THREAD', 'REFERENCES', 'UTF-8', 'SUBJECT', 'nothing-like-this'))
# IMAPClient parses the nested lists.
print('imapclient', c.thread(algorithm='REFERENCES'))
c.logout()
"#
    );
    let out = python_ok(
        &script,
        &[&server.addr("imap").port().to_string(), PASSWORD],
    );
    // 7 (the oldest) and the replies 6 and 5 under the dummy for <b1@missing>; 1 with the
    // chain 2-3, then 4 (In-Reply-To) and 10 (a forward, by subject); 8 under 9 by subject;
    // the Chinese pair by References.
    let want = "\
caps True True
refs OK [b'((7)(6)(5))(1 (2 3)(4)(10))(9 8)(11 12)']
uid OK [b'((8)(7)(6))(2 (3 4)(5)(11))(10 9)(12 13)']
budget OK [b'((7)(6)(5))']
none OK [b'']
imapclient (((7,), (6,), (5,)), (1, (2, 3), (4,), (10,)), (9, 8), (11, 12))
";
    assert_eq!(out, want, "{}", server.log());
}

#[test]
fn orderedsubject_and_refusals() {
    let server = server();
    let script = format!(
        "{SETUP}{}",
        r#"
print('ordered', *thread('THREAD', 'ORDEREDSUBJECT', 'UTF-8', 'ALL'))
print('imapclient', c.thread(algorithm='ORDEREDSUBJECT'))
# An unsupported charset: NO [BADCHARSET] (RFC 5256 §3).
typ, data = M._simple_command('THREAD', 'REFERENCES', 'KOI8-R', 'ALL')
print('charset', typ, data)
# An unknown algorithm, or no charset: syntax errors, BAD.
for args in (('TANGLED', 'UTF-8', 'ALL'), ('REFERENCES', 'ALL')):
    try:
        M._simple_command('THREAD', *args)
        print('accepted', args)
    except M.error as e:
        print('bad', str(e).startswith('THREAD command error: BAD'))
c.logout()
"#
    );
    let out = python_ok(
        &script,
        &[&server.addr("imap").port().to_string(), PASSWORD],
    );
    // Grouped by base subject, each group's oldest first with the others as its children,
    // groups by their oldest message.
    let want = "\
ordered OK [b'(7 (6)(5))(1 (2)(4)(3)(10))(9 8)(11 12)']
imapclient ((7, (6,), (5,)), (1, (2,), (4,), (3,), (10,)), (9, 8), (11, 12))
charset NO [b'[BADCHARSET (UTF-8 US-ASCII)] unsupported charset']
bad True
bad True
";
    assert_eq!(out, want, "{}", server.log());
}
