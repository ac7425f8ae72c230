//! SORT (RFC 5256 §3) with DISPLAYFROM/DISPLAYTO (RFC 5957) and ESORT (RFC 5267) against the
//! real server, driven by IMAPClient (PyPI) and imaplib: every sort key, REVERSE, several
//! keys, Chinese subjects and names, UID SORT, charsets.

use super::{as_is, script_prints};

#[test]
fn every_sort_key_reverse_and_several_keys() {
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
    script_prints("imap_sort_keys.py", as_is, want);
}

/// imaplib's tags vary: they are masked as JJJ.
fn mask_tags(out: &str) -> String {
    out.lines()
        .map(|l| match l.find("(TAG \"") {
            Some(i) => {
                let end = l[i + 6..].find('"').map_or(l.len(), |e| i + 6 + e);
                format!("{}JJJ{}\n", &l[..i + 6], &l[end..])
            }
            None => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn uid_sort_esort_and_refusals() {
    let want = "\
uid [3, 4, 2, 5, 6]
uid subject [3, 6, 2, 4, 5]
esort OK [b'(TAG \"JJJ\") MIN 2 MAX 4 COUNT 5 ALL 2,5,1,3:4']
esort empty OK [b'(TAG \"JJJ\") UID COUNT 0']
charset NO True
bad True
bad True
";
    script_prints("imap_sort_uid_esort.py", mask_tags, want);
}
