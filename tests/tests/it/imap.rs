//! IMAP (RFC 9051, RFC 3501 and extensions): a file per command or extension.

mod append_ack;
mod clients;
mod condstore;
mod conformance;
mod fetch;
mod hostile;
mod idle;
mod list;
mod login_cache;
mod qresync;
mod quota;
mod search_charset;
mod session;
mod sort;
mod starttls;
mod summary;
mod thread;

/// Runs the fixture `script` against a fresh server and compares its output, passed through
/// `mask` (which hides what varies from run to run), with `want`; a difference shows the
/// server's log.
fn script_prints(script: &str, mask: fn(&str) -> String, want: &str) {
    let server = tests::imap::server();
    let out = tests::imap::run_script(&server, script);
    assert_eq!(mask(&out), want, "{script}\n{}", server.log());
}

/// The output as it is, for [`script_prints`].
fn as_is(out: &str) -> String {
    out.to_string()
}
