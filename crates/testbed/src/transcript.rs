//! Transcripts: a command's tests written as the dialogue they are, one file per command
//! (`crates/<protocol>/tests/commands/<command>.txt`), run by [`run`] against whole sessions
//! in memory, as Dovecot's imaptest scripts and Postfix's smtpd_check tests are.
//!
//! # Format
//! One directive a line; blank lines are ignored.
//!
//! | line | meaning |
//! | --- | --- |
//! | `# text` | a comment: the RFC section a case follows, why it expects what it does |
//! | `== name` | a case: a fresh testbed; the lines up to the next `==` are its steps |
//! | `% toml` | a line added to the case's `postroom.toml` (before its first `@`) |
//! | `@ setup` | a new session the protocol names `setup` (IMAP `inbox`, SMTP `mx`, ...), greeting and login read and checked by [`Bench::open`]; the lines after it talk to it, the older ones stay open |
//! | `@ N` | the lines after it talk to the case's Nth session (from 1) again |
//! | `C: line` | sends `line` and CRLF; consecutive `C:`/`C~` lines go in one write (pipelined) |
//! | `C~ text` | sends `text` without a line end (a BDAT chunk) |
//! | `S: line` | the next line the session sends (without its CRLF) is exactly `line`; `<*>` in it stands for any text |
//! | `TLS` | the client's TLS handshake, after the session said to go ahead (nothing else may have come) |
//! | `CLOSED` | the session has closed the connection with nothing more to say |
//! | `! action` | acts beside the session: `mail` (the protocol's test messages, [`Protocol::mail`], into Alice's INBOX), `mail N...` (only those), `quota ADDRESS BYTES`, `alias ADDRESS TARGET...`, `shutdown`, `delete MAILBOX N` (Alice's message N, as another session would) |
//! | `? left = right` | after substitution, `left` and `right` are the same text |
//!
//! In `C:`, `C~`, `S:` and `?` lines, `${MAILBOX.field}` is Alice's `MAILBOX` as the store has
//! it when the line runs: `count`, `uidvalidity`, `uidvalidity-hex`, `uidnext`,
//! `highestmodseq`, `octets` (all sizes added), and of message N (from 1) `uidN`, `sizeN`,
//! `flagsN` (space-separated); `${quota.used-kib}` and `${quota.limit}` (bytes or `none`) are
//! Alice's storage quota; `${tls}` is `yes` or `no` for the current session. In `C:` and
//! `C~` lines `\xHH` is the byte HH (`\x00`: NUL, `\x0a`: a bare LF).
//!
//! Trailing spaces count (`S: + ` is a plus and a space), and a directive's text starts after
//! its one space (`C:` alone sends an empty line).
//!
//! Every failure names the file, the line and the case. To see what a session really says
//! (a start for a new case), run a test with `TESTBED_RECORD=1` and `-- --nocapture`: the
//! client prints every line both ways as `C:`/`S:` lines.

use std::future::Future;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;

use net::SessionStream;

use crate::{Client, LOOPBACK, REMOTE, Testbed};

/// One session: a protocol's `run_session`.
pub type Session = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How sessions start on one testbed: given the `@` line's setup (which may name the port),
/// the stream and the peer, the session.
pub type Sessions = Box<dyn Fn(&str, SessionStream, SocketAddr) -> Session>;

/// A protocol the transcripts of its commands run against: its sessions and what an
/// `@ setup` line does after the greeting.
pub trait Protocol {
    /// The line every session starts with, as an `S:` line matches it (`<*>`: any text).
    const GREETING: &'static str;
    /// Sessions on `bed` with the protocol's context as the engine builds it, one for all of
    /// them (see [`crate::context!`]).
    fn sessions(bed: &Testbed) -> Sessions;
    /// What `setup` asks for after the greeting (log in, select a mailbox), each reply
    /// checked; panics on a word it does not know.
    fn setup(client: &mut Client, setup: &str) -> impl Future<Output = ()>;
    /// The protocol's test messages (CRLF line ends), for `! mail`; none by default.
    fn mail() -> Vec<String> {
        Vec::new()
    }
}

/// A testbed and the sessions of a protocol on it: what a case runs on.
pub struct Bench<P> {
    pub bed: Testbed,
    sessions: Sessions,
    protocol: PhantomData<P>,
}

impl<P: Protocol> Bench<P> {
    /// A testbed whose `postroom.toml` adds `toml`, with the protocol's context.
    pub async fn new(toml: &str) -> Bench<P> {
        let bed = Testbed::with_config(toml).await;
        let sessions = P::sessions(&bed);
        Bench {
            bed,
            sessions,
            protocol: PhantomData,
        }
    }

    /// A new session that `setup` names (an `@` line): from [`REMOTE`] if one of its words is
    /// `remote`, else from loopback; its greeting and [`Protocol::setup`] read and checked.
    pub async fn open(&self, setup: &str) -> Client {
        let remote = setup.split(' ').any(|word| word == "remote");
        let peer = if remote { REMOTE } else { LOOPBACK };
        let mut client = self
            .bed
            .connect(peer, |stream, peer| (self.sessions)(setup, stream, peer));
        let greeting = client.line().await;
        assert!(
            matches(P::GREETING, &greeting),
            "greeting {greeting:?}, expected {:?}",
            P::GREETING
        );
        P::setup(&mut client, setup).await;
        client
    }

    /// Delivers the protocol's test messages (all, or those numbered in `which`, from 1) to
    /// Alice's INBOX.
    pub async fn mail(&self, which: &[usize]) {
        for (n, message) in P::mail().iter().enumerate() {
            if which.is_empty() || which.contains(&(n + 1)) {
                self.bed.deliver(&[self.bed.alice], message).await;
            }
        }
    }

    /// Runs `text`, the steps of one case (no `==` or `%` lines), on this testbed: for a
    /// Rust test that checks more than a transcript can (a stored message's text) after
    /// them. Failures name the test `name`.
    pub async fn steps(&self, name: &str, text: &str) {
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        let case = Step {
            file: name,
            line: 0,
            case: name,
        };
        run_steps(self, &case, &lines).await;
    }
}

/// `transcripts!(crate::Imap: append, fetch, ...)`: a module `transcript` with one test per
/// command that runs `tests/commands/<command>.txt` of the calling crate with [`run_file`].
#[macro_export]
macro_rules! transcripts {
    ($protocol:ty: $($command:ident),* $(,)?) => {
        /// One test per command: its transcript `tests/commands/<command>.txt`.
        mod transcript {
            $(
                #[tokio::test]
                async fn $command() {
                    let dir = env!("CARGO_MANIFEST_DIR");
                    $crate::transcript::run_file::<$protocol>(dir, stringify!($command)).await;
                }
            )*
        }
    };
}

/// Runs `tests/commands/<command>.txt` below `crate_dir` (`r#move`: `move.txt`).
pub async fn run_file<P: Protocol>(crate_dir: &str, command: &str) {
    let name = command.trim_start_matches("r#");
    let path = Path::new(crate_dir)
        .join("tests")
        .join("commands")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    run::<P>(&path.display().to_string(), &text).await;
}

/// Runs the transcript `file` (its path, for the messages) whose text is `text`: each case
/// on a fresh testbed of `P`, its steps in order. Panics at the first step that fails.
pub async fn run<P: Protocol>(file: &str, text: &str) {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].1.starts_with("== "))
        .collect();
    assert!(
        starts.first() == Some(&0),
        "{file}: a transcript starts with a case (`== name`)"
    );
    let ends = starts.iter().skip(1).copied().chain([lines.len()]);
    for (start, end) in starts.iter().copied().zip(ends) {
        let (line, header) = lines[start];
        let case = Step {
            file,
            line,
            case: &header[3..],
        };
        run_case::<P>(&case, &lines[start + 1..end]).await;
    }
}

/// Where a transcript is: named by every failure, and on a panic below it (a session that
/// stops answering).
struct Step<'a> {
    file: &'a str,
    line: usize,
    case: &'a str,
}

impl Step<'_> {
    fn at(&self, line: usize) -> Step<'_> {
        Step {
            file: self.file,
            line,
            case: self.case,
        }
    }

    fn fail(&self, what: impl std::fmt::Display) -> ! {
        panic!("{}:{}: {}: {what}", self.file, self.line, self.case)
    }
}

impl Drop for Step<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("  at {}:{} in case {:?}", self.file, self.line, self.case);
        }
    }
}

async fn run_case<P: Protocol>(case: &Step<'_>, lines: &[(usize, &str)]) {
    let toml: String = lines
        .iter()
        .filter_map(|(_, l)| l.strip_prefix("% "))
        .map(|l| format!("{l}\n"))
        .collect();
    let bench = Bench::<P>::new(&toml).await;
    run_steps(&bench, case, lines).await;
}

async fn run_steps<P: Protocol>(bench: &Bench<P>, case: &Step<'_>, lines: &[(usize, &str)]) {
    let mut sessions: Vec<Client> = Vec::new();
    let mut current = 0;
    // `C:` lines not sent yet: consecutive ones go in one write.
    let mut pending: Vec<u8> = Vec::new();
    for &(line, text) in lines {
        let step = case.at(line);
        if text.starts_with("% ") {
            if !sessions.is_empty() {
                step.fail("configuration after the first session");
            }
            continue;
        }
        if let Some(send) = text.strip_prefix("C:").or_else(|| text.strip_prefix("C~")) {
            let Some(client) = sessions.get(current) else {
                step.fail("no session yet (`@ setup` first)")
            };
            let send = substitute(bench, client, trim1(send), &step).await;
            pending.extend(unescape(&send, &step));
            if text.starts_with("C:") {
                pending.extend_from_slice(b"\r\n");
            }
            continue;
        }
        if !pending.is_empty()
            && let Some(client) = sessions.get_mut(current)
        {
            client.send_raw(&std::mem::take(&mut pending)).await;
        }
        if let Some(setup) = text.strip_prefix("@ ") {
            match setup.parse::<usize>() {
                Ok(n) if (1..=sessions.len()).contains(&n) => current = n - 1,
                Ok(n) => step.fail(format!("no session {n}")),
                Err(_) => {
                    sessions.push(bench.open(setup).await);
                    current = sessions.len() - 1;
                }
            }
            continue;
        }
        if let Some(action) = text.strip_prefix("! ") {
            act(bench, action, &step).await;
            continue;
        }
        let Some(client) = sessions.get_mut(current) else {
            step.fail("no session yet (`@ setup` first)")
        };
        if let Some(want) = text.strip_prefix("S:") {
            let got = client.try_line().await;
            let want = substitute(bench, client, trim1(want), &step).await;
            match got {
                Some(got) if matches(&want, &got) => {}
                Some(got) => step.fail(format!("expected {want:?}\n     got {got:?}")),
                None => step.fail(format!("expected {want:?}, the connection ended")),
            }
        } else if text == "TLS" {
            client.start_tls().await;
        } else if text == "CLOSED" {
            if !client.closed().await {
                let more = client.try_line().await;
                step.fail(format!("expected the end of the connection, got {more:?}"));
            }
        } else if let Some(check) = text.strip_prefix("? ") {
            let check = substitute(bench, client, check, &step).await;
            let Some((left, right)) = check.split_once(" = ") else {
                step.fail(format!("a check is `left = right`: {check:?}"))
            };
            if left != right {
                step.fail(format!("{left:?} is not {right:?}"));
            }
        } else {
            step.fail(format!("not a transcript line: {text:?}"));
        }
    }
    if !pending.is_empty()
        && let Some(client) = sessions.get_mut(current)
    {
        client.send_raw(&pending).await;
    }
}

/// `text` without the one space after the directive.
fn trim1(text: &str) -> &str {
    text.strip_prefix(' ').unwrap_or(text)
}

/// Whether `got` is `want`, where each `<*>` in `want` stands for any text.
fn matches(want: &str, got: &str) -> bool {
    let mut parts = want.split("<*>");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = got.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// `text` with `\xHH` as the byte HH.
fn unescape(text: &str, step: &Step<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\\x") {
        out.extend_from_slice(&rest.as_bytes()[..at]);
        let hex = rest.get(at + 2..at + 4).unwrap_or("");
        let Ok(byte) = u8::from_str_radix(hex, 16) else {
            step.fail(format!("`\\x` needs two hex digits: {text:?}"))
        };
        out.push(byte);
        rest = &rest[at + 4..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

/// `text` with each `${...}` replaced by its value now.
async fn substitute<P: Protocol>(
    bench: &Bench<P>,
    client: &Client,
    text: &str,
    step: &Step<'_>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let Some(len) = rest[at..].find('}') else {
            step.fail(format!("`${{` without `}}`: {text:?}"))
        };
        let name = &rest[at + 2..at + len];
        out.push_str(&value(&bench.bed, client, name, step).await);
        rest = &rest[at + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The value of `${name}`.
async fn value(bed: &Testbed, client: &Client, name: &str, step: &Step<'_>) -> String {
    if name == "tls" {
        return if client.is_tls() { "yes" } else { "no" }.into();
    }
    let Some((mailbox, field)) = name.split_once('.') else {
        step.fail(format!("unknown variable ${{{name}}}"))
    };
    if mailbox == "quota" {
        let quota = match bed.store.quota(crate::ALICE).await {
            Ok(quota) => quota,
            Err(e) => step.fail(format!("${{{name}}}: {e}")),
        };
        return match field {
            "used-kib" => quota.used_bytes.div_ceil(1024).to_string(),
            "limit" => quota.quota_bytes.map_or("none".into(), |b| b.to_string()),
            _ => step.fail(format!("unknown variable ${{{name}}}")),
        };
    }
    let snap = match bed.store.mailbox_snapshot(bed.alice, mailbox).await {
        Ok(snap) => snap,
        Err(e) => step.fail(format!("${{{name}}}: {e}")),
    };
    let message = |prefix: &str| {
        let n: usize = field[prefix.len()..].parse().unwrap_or(0);
        match snap.messages.get(n.wrapping_sub(1)) {
            Some(m) => m,
            None => step.fail(format!(
                "${{{name}}}: no message {n} in {}",
                snap.messages.len()
            )),
        }
    };
    match field {
        "count" => snap.messages.len().to_string(),
        "uidvalidity" => snap.uid_validity.to_string(),
        "uidvalidity-hex" => format!("{:x}", snap.uid_validity),
        "uidnext" => snap.uid_next.to_string(),
        "highestmodseq" => snap.highest_modseq.to_string(),
        "octets" => snap
            .messages
            .iter()
            .map(|m| m.size)
            .sum::<u64>()
            .to_string(),
        f if f.starts_with("uid") => message("uid").uid.to_string(),
        f if f.starts_with("size") => message("size").size.to_string(),
        f if f.starts_with("flags") => message("flags").flags.join(" "),
        _ => step.fail(format!("unknown variable ${{{name}}}")),
    }
}

/// Runs `! action`.
async fn act<P: Protocol>(bench: &Bench<P>, action: &str, step: &Step<'_>) {
    let bed = &bench.bed;
    let words: Vec<&str> = action.split(' ').collect();
    let done = match words.as_slice() {
        ["mail", which @ ..] => {
            let Ok(which) = which
                .iter()
                .map(|n| n.parse())
                .collect::<Result<Vec<_>, _>>()
            else {
                step.fail(format!("message numbers: {action:?}"))
            };
            bench.mail(&which).await;
            Ok(())
        }
        ["quota", address, bytes] => match bytes.parse() {
            Ok(bytes) => bed.store.set_quota(address, Some(bytes)).await,
            Err(_) => step.fail(format!("a quota in bytes: {action:?}")),
        },
        ["alias", address, targets @ ..] if !targets.is_empty() => {
            let targets: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
            bed.store.add_alias(address, &targets).await
        }
        ["shutdown"] => {
            bed.shutdown.cancel();
            Ok(())
        }
        ["delete", mailbox, n] => {
            let snap = match bed.store.mailbox_snapshot(bed.alice, mailbox).await {
                Ok(snap) => snap,
                Err(e) => step.fail(format!("{action}: {e}")),
            };
            let n: usize = n.parse().unwrap_or(0);
            let Some(message) = snap.messages.get(n.wrapping_sub(1)) else {
                step.fail(format!("{action}: no message {n}"))
            };
            bed.store
                .delete_messages(bed.alice, snap.info.id, vec![message.uid])
                .await
                .map(|_| ())
        }
        _ => step.fail(format!("unknown action {action:?}")),
    };
    if let Err(e) = done {
        step.fail(format!("{action}: {e}"));
    }
}
