//! SEARCH CHARSET (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 5256 §3): the charsets a search
//! string may be sent in, and their decoding to UTF-8 with encoding_rs.
//!
//! A charset is known when encoding_rs knows its name or one of its WHATWG labels (`GB2312`
//! decodes as GBK, its superset; `ISO-8859-1` and `US-ASCII` as windows-1252), except the
//! UTF-16 pair (a search string is octets, not 16-bit units) and the WHATWG-only
//! `replacement` and `x-user-defined`. Any other name gets `NO [BADCHARSET (...)]` with
//! [`SEARCH_CHARSETS`].

use encoding_rs::Encoding;

/// The charsets listed in `NO [BADCHARSET (...)]`: the usual names of those known.
pub const SEARCH_CHARSETS: &[&str] = &[
    "UTF-8",
    "US-ASCII",
    "GB2312",
    "GBK",
    "GB18030",
    "BIG5",
    "ISO-2022-JP",
    "EUC-JP",
    "SHIFT_JIS",
    "EUC-KR",
    "KOI8-R",
    "KOI8-U",
    "ISO-8859-1",
    "ISO-8859-2",
    "ISO-8859-3",
    "ISO-8859-4",
    "ISO-8859-5",
    "ISO-8859-6",
    "ISO-8859-7",
    "ISO-8859-8",
    "ISO-8859-9",
    "ISO-8859-10",
    "ISO-8859-13",
    "ISO-8859-14",
    "ISO-8859-15",
    "ISO-8859-16",
    "WINDOWS-874",
    "WINDOWS-1250",
    "WINDOWS-1251",
    "WINDOWS-1252",
    "WINDOWS-1253",
    "WINDOWS-1254",
    "WINDOWS-1255",
    "WINDOWS-1256",
    "WINDOWS-1257",
    "WINDOWS-1258",
];

/// The decoder for a charset name as a client sends it (any case), if known.
pub fn lookup(name: &str) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(name.as_bytes())?;
    let usable = encoding != encoding_rs::UTF_16LE
        && encoding != encoding_rs::UTF_16BE
        && encoding != encoding_rs::REPLACEMENT
        && encoding != encoding_rs::X_USER_DEFINED;
    usable.then_some(encoding)
}

/// `bytes` in `encoding` as UTF-8; `None` when they are not valid in it (a malformed
/// sequence is an error, as in Dovecot, never a replacement character that matches nothing).
pub fn decode(encoding: &'static Encoding, bytes: &[u8]) -> Option<String> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_charset_is_known_and_the_others_are_not() {
        for name in SEARCH_CHARSETS {
            assert!(lookup(name).is_some(), "{name}");
            assert!(lookup(&name.to_lowercase()).is_some(), "{name}");
        }
        for name in [
            "UTF-16",
            "UTF-16LE",
            "replacement",
            "x-user-defined",
            "X-FOO",
            "",
        ] {
            assert!(lookup(name).is_none(), "{name}");
        }
    }

    #[test]
    fn chinese_search_strings_decode_from_each_charset() {
        // 请假 in GB2312 (= GBK = GB18030 for these), 會議 in Big5, 𠮷 (U+20BB7) in GB18030.
        let cases: [(&str, &[u8], &str); 5] = [
            ("GB2312", &[0xC7, 0xEB, 0xBC, 0xD9], "请假"),
            ("GBK", &[0xC7, 0xEB, 0xBC, 0xD9], "请假"),
            ("GB18030", &[0x95, 0x34, 0xB2, 0x35], "\u{20BB7}"),
            ("BIG5", &[0xB7, 0x7C, 0xC4, 0xB3], "會議"),
            ("ISO-2022-JP", b"\x1b$B2q5D\x1b(B", "会議"),
        ];
        for (name, bytes, want) in cases {
            let encoding = lookup(name).expect(name);
            assert_eq!(decode(encoding, bytes).as_deref(), Some(want), "{name}");
        }
        // A lone lead byte is not GBK.
        assert_eq!(decode(lookup("GBK").expect("GBK"), &[0xC7]), None);
    }
}
