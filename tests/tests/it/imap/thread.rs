//! THREAD (RFC 5256 §3): REFERENCES with a real reply tree (a missing parent, a reply that
//! only has In-Reply-To, replies whose references were dropped, subject merging) and
//! ORDEREDSUBJECT, against the real server with imaplib and IMAPClient (PyPI).

use super::{as_is, script_prints};

#[test]
fn references_threads_a_reply_tree() {
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
    script_prints("imap_thread_references.py", as_is, want);
}

#[test]
fn orderedsubject_and_refusals() {
    // Grouped by base subject, each group's oldest first with the others as its children,
    // groups by their oldest message.
    let want = "\
ordered OK [b'(7 (6)(5))(1 (2)(4)(3)(10))(9 8)(11 12)']
imapclient ((7, (6,), (5,)), (1, (2,), (4,), (3,), (10,)), (9, 8), (11, 12))
charset NO True
bad True
bad True
";
    script_prints("imap_thread_orderedsubject.py", as_is, want);
}
