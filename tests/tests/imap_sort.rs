//! SORT (RFC 5256 §3) with DISPLAYFROM/DISPLAYTO (RFC 5957) and ESORT (RFC 5267) against the
//! real server, driven by IMAPClient (PyPI) and imaplib: every sort key, REVERSE, several
//! keys, Chinese subjects and names, UID SORT, charsets.

mod imap_support;

use imap_support::server;
use tests::{PASSWORD, python_ok};

/// Five messages whose keys each give a different order (seq: arrival, Date, From, To, Cc,
/// size, subject), appended after one expunged message so that UIDs are seq + 1.
const SETUP: &str = r#"
import base64, datetime, sys
from imapclient import IMAPClient

def b(s):
    return '=?UTF-8?B?' + base64.b64encode(s.encode()).decode() + '?='

def msg(frm, to, cc, date, subject, size):
    head = 'From: %s\r\nTo: %s\r\n' % (frm, to)
    if cc:
        head += 'Cc: %s\r\n' % cc
    head += 'Date: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' % (date, subject)
    data = head.encode()
    return data + b'x' * (size - len(data) - 2) + b'\r\n'

def day(d):
    return datetime.datetime(2026, 2, d, 12, 0, tzinfo=datetime.timezone.utc)

port, password = int(sys.argv[1]), sys.argv[2]
c = IMAPClient('127.0.0.1', port=port, ssl=False, use_uid=False)
c.login('alice@example.test', password)
c.append('INBOX', b'Subject: gone\r\n\r\nx\r\n', msg_time=day(1))
c.select_folder('INBOX')
c.set_flags([1], [b'\\Deleted'])
c.expunge()
messages = [
    (msg('"Zed" <carol@x.test>', '"Yan" <bob@x.test>', 'dave@x.test',
         'Mon, 02 Feb 2026 10:00:00 +0000', 'Re: banana', 300), 3),
    (msg('"Amy" <zoe@x.test>', 'alice@x.test', None,
         'Sun, 01 Feb 2026 10:00:00 +0000', 'apple', 200), 1),
    # 08:00 +0500 is 03:00 UTC: before message 4's 04:00 UTC (RFC 5256 §2.2).
    (msg('"Bob" <adam@x.test>', '"Xu" <yuri@x.test>', 'carl@x.test',
         'Tue, 03 Feb 2026 08:00:00 +0500', '[list] Cherry', 900), 2),
    (msg(b('张三') + ' <li@x.test>', b('王五') + ' <wang@x.test>', None,
         'Tue, 03 Feb 2026 04:00:00 +0000', b('中文'), 500), 4),
    (msg('<mike@x.test>', '"Yan" <bob@x.test>', 'dave@x.test',
         'Thu, 05 Feb 2026 09:00:00 +0000', 'Fwd: Apple', 400), 5),
]
for data, d in messages:
    c.append('INBOX', data, msg_time=day(d))
c.select_folder('INBOX')
"#;

#[test]
fn every_sort_key_reverse_and_several_keys() {
    let server = server();
    let script = format!(
        "{SETUP}{}",
        r#"
print('caps', all(x in c.capabilities() for x in (b'SORT', b'SORT=DISPLAY', b'ESORT')))
for key in ['ARRIVAL', 'DATE', 'FROM', 'DISPLAYFROM', 'TO', 'DISPLAYTO', 'CC', 'SIZE',
            'SUBJECT', 'REVERSE SUBJECT', 'REVERSE ARRIVAL']:
    print(key, c.sort([key]))
# Several keys: the subject groups "apple" and "Fwd: Apple", newest first inside it.
print('SUBJECT REVERSE DATE', c.sort(['SUBJECT', 'REVERSE DATE']))
print('TO SIZE', c.sort(['TO', 'SIZE']))
print('REVERSE CC REVERSE SIZE', c.sort(['REVERSE CC', 'REVERSE SIZE']))
# Search criteria narrow the set; a Chinese subject searched in UTF-8.
print('larger', c.sort(['REVERSE SIZE'], ['LARGER', '350']))
print('chinese', c.sort(['DATE'], ['SUBJECT', '中文'], charset='UTF-8'))
print('ascii', c.sort(['DATE'], ['FROM', 'x.test'], charset='US-ASCII'))
c.logout()
"#
    );
    let out = python_ok(
        &script,
        &[&server.addr("imap").port().to_string(), PASSWORD],
    );
    let want = "\
caps True
ARRIVAL [2, 3, 1, 4, 5]
DATE [2, 1, 3, 4, 5]
FROM [3, 1, 4, 5, 2]
DISPLAYFROM [2, 3, 5, 1, 4]
TO [2, 1, 5, 4, 3]
DISPLAYTO [2, 3, 1, 5, 4]
CC [2, 4, 3, 1, 5]
SIZE [2, 1, 5, 4, 3]
SUBJECT [2, 5, 1, 3, 4]
REVERSE SUBJECT [4, 3, 1, 2, 5]
REVERSE ARRIVAL [5, 4, 1, 3, 2]
SUBJECT REVERSE DATE [5, 2, 1, 3, 4]
TO SIZE [2, 1, 5, 4, 3]
REVERSE CC REVERSE SIZE [5, 1, 3, 4, 2]
larger [3, 4, 5]
chinese [4]
ascii [2, 1, 3, 4, 5]
";
    assert_eq!(out, want, "{}", server.log());
}

#[test]
fn uid_sort_esort_and_refusals() {
    let server = server();
    let script = format!(
        "{SETUP}{}",
        r#"
c.use_uid = True
print('uid', c.sort(['ARRIVAL']))
print('uid subject', c.sort(['SUBJECT']))
M = c._imap
# ESORT (RFC 5267): MIN and MAX are the first and last in sort order; ALL keeps the order.
typ, data = M._simple_command('SORT', 'RETURN (MIN MAX COUNT ALL)', '(SUBJECT)', 'UTF-8', 'ALL')
print('esort', typ, M.untagged_responses.pop('ESEARCH', None))
typ, data = M._simple_command('UID', 'SORT', 'RETURN (COUNT)', '(DATE)', 'UTF-8', 'SMALLER', '1')
print('esort empty', typ, M.untagged_responses.pop('ESEARCH', None))
# An unsupported charset: NO [BADCHARSET] listing the supported ones (RFC 5256 §3).
typ, data = M._simple_command('SORT', '(DATE)', 'KOI8-R', 'ALL')
print('charset', typ, data)
# The charset is not optional, and an unknown key is a syntax error: BAD.
for args in (('(DATE)', 'ALL'), ('(COLOUR)', 'UTF-8', 'ALL')):
    try:
        M._simple_command('SORT', *args)
        print('accepted', args)
    except M.error as e:
        print('bad', str(e).startswith('SORT command error: BAD'))
c.logout()
"#
    );
    let out = python_ok(
        &script,
        &[&server.addr("imap").port().to_string(), PASSWORD],
    );
    let want = "\
uid [3, 4, 2, 5, 6]
uid subject [3, 6, 2, 4, 5]
esort OK [b'(TAG \"JJJ\") MIN 2 MAX 4 COUNT 5 ALL 2,5,1,3,4']
esort empty OK [b'(TAG \"JJJ\") UID COUNT 0']
charset NO [b'[BADCHARSET (UTF-8 US-ASCII)] unsupported charset']
bad True
bad True
";
    // imaplib's tags vary: compare with them masked.
    let masked: String = out
        .lines()
        .map(|l| match l.find("(TAG \"") {
            Some(i) => {
                let end = l[i + 6..].find('"').map_or(l.len(), |e| i + 6 + e);
                format!("{}JJJ{}\n", &l[..i + 6], &l[end..])
            }
            None => format!("{l}\n"),
        })
        .collect();
    assert_eq!(masked, want, "{}", server.log());
}
