//! The integration tests: ONE test binary (`cargo test -p tests --test it`), a module per
//! protocol or area and, inside it, a file per command or topic. Every test runs the real
//! `postroom` binary in a temporary data directory on loopback ports and talks to it through
//! real clients (Python's smtplib/imaplib/poplib, curl, swaks, fetchmail, mbsync ...) and raw
//! sockets. The shared set-up is the harness in `tests/src/` (`tests::Server`,
//! `tests::pop3`, `tests::imap`, `tests::admin`, `tests::peers`, ...); Python that a test
//! runs is a file in `tests/fixtures/`, found with `tests::fixture("name.py")`.
//!
//! # Layout
//! - `smtp/`: `ehlo`, `mail` (SIZE, SMTPUTF8, DSN parameters), `rcpt` (local users,
//!   aliases, lists, catch-all, forwards, refusals), `data` (Received, one stored copy,
//!   size), `bdat`, `auth` (submission: STARTTLS, AUTH, sender rules), `etrn`, `clients`
//!   (swaks, curl), `hostile`; the area file `smtp.rs` holds what several of them share.
//! - `imap/`: `session` (LOGIN, LIST, SELECT, FETCH, STORE, SEARCH, APPEND, COPY, MOVE,
//!   EXPUNGE), `fetch` (BODYSTRUCTURE/ENVELOPE against Dovecot), `summary`, `list`, `idle`,
//!   `condstore`, `qresync`, `quota`, `sort`, `thread`, `starttls`, `clients`, `hostile`.
//! - `pop3/`: `auth` (USER/PASS, AUTH, lockout), `capa`, `list` (STAT, LIST, UIDL), `retr`,
//!   `top`, `update` (DELE, QUIT), `stls`, `clients`, `hostile`.
//! - `queue/`: outbound delivery: `mx`, `retry`, `smarthost`, `dkim`, `kill9`.
//! - `admin/`: the admin API (`api`, `setup`, `live`, `security`), the CLI (`cli`), the data
//!   directory's permissions (`datadir`).
//! - `collect/`, `ddns/`, `etrn/`, `doctor`: the dynamic-IP features against real peers.
//! - `attack/`: attacks performed against the real binary (admin, imap, memory, outbound).
//! - `fault`: SIGKILL and SIGTERM.
//!
//! # Adding tests
//! - A test of an existing command or topic: add a test fn to its file.
//! - A new command or topic `T` of area `A`: create `tests/tests/it/A/T.rs` (start it with a
//!   `//!` line saying what it covers and the RFC section) and add `mod T;` to
//!   `tests/tests/it/A.rs`, keeping the list sorted. A new area: `tests/tests/it/A.rs` with its
//!   `mod` lines, and `mod A;` below.
//! - A file written for the old layout (`tests/tests/<name>.rs`, its own binary): move it to
//!   `tests/tests/it/A/T.rs`, drop its `mod admin_support;`-style lines and import from the
//!   harness instead: `admin_support` → `tests::admin`, `pop3_support` → `tests::pop3`,
//!   `imap_support` → `tests::imap`, `queue_peers` → `tests::peers`, `ddns_support` →
//!   `tests::ddns`, `etrn_support` → `tests::etrn`, `doctor_support` → `tests::doctor`,
//!   `collect_support` → `tests::collect`, `dovecot` → `tests::dovecot`. Python kept in a
//!   Rust string goes to `tests/fixtures/<area>_<topic>.py`: `tests::python(name, args)` and
//!   `tests::python_ok(name, args)` now take a fixture's file NAME, never Python source.
//!   Harness calls that changed: `peers::wait_state(server, rcpt, state, SECS)` takes
//!   seconds; `peers::Peer::messages()` gives `(serde_json::Value, String)`; `etrn::status`
//!   gives a `serde_json::Value`; `admin::listener_entry` is `admin::listener` (a Value);
//!   `peers::wait_until` is `tests::wait_until`.
//! - Assert on JSON parsed: `Reply::json()`, `tests::json(text)`, `admin::find`/`has`.
//! - Wait for a condition with `tests::wait_until(timeout, what, cond)`, `poll_until` or
//!   `wait_for` (a deadline and a poll), never a sleep.
//! - Helpers one file needs stay in it; helpers several files of an area share go in the
//!   area file (`smtp.rs`, reached as `super::name`); helpers of several areas go in the
//!   harness (`tests/src/`).
//! - Run one module: `cargo test -p tests --test it -- smtp::rcpt`.

mod admin;
mod attack;
mod collect;
mod ddns;
mod doctor;
mod etrn;
mod fault;
mod imap;
mod pop3;
mod queue;
mod smtp;
mod trust;
