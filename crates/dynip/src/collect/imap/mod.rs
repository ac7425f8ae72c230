//! The IMAP client (RFC 9051, and IMAP4rev1 servers): greeting, STARTTLS (§6.2.1), LOGIN
//! (§6.2.3), SELECT INBOX (§6.3.2) for UIDVALIDITY, UID FETCH (§6.4.9) of UID and
//! RFC822.SIZE for the listing and of BODY.PEEK[] (which leaves \Seen alone, §6.4.5) per
//! message, UID STORE +FLAGS.SILENT (\Deleted) (§6.4.6) with UID EXPUNGE (§6.4.9; RFC 4315
//! on IMAP4rev1) or else EXPUNGE (§6.4.3), and LOGOUT (§6.1.3).

mod response;

use std::sync::Arc;

use config::{Collect, CollectTls};
use rustls::ClientConfig;

use self::response::{Response, Token, fetch_items};
use super::conn::Conn;
use super::{CollectError, Remote};

/// How many UIDs one STORE/EXPUNGE names, to keep command lines short.
const UIDS_PER_COMMAND: usize = 200;

pub(crate) struct Imap {
    conn: Conn,
    tag: u32,
    uid_validity: u32,
    exists: u32,
    /// UID EXPUNGE is there (IMAP4rev2, or UIDPLUS on IMAP4rev1).
    uid_expunge: bool,
}

/// An argument of a command.
enum Arg<'a> {
    Atom(&'a str),
    /// Sent quoted, or as a literal when it holds bytes a quoted string cannot (§4.3).
    Str(&'a str),
}

impl Imap {
    /// Connects, secures the connection as configured, logs in and selects INBOX.
    pub(crate) async fn open(
        job: &Collect,
        tls: Option<Arc<ClientConfig>>,
    ) -> Result<Imap, CollectError> {
        let mut imap = Imap {
            conn: Conn::open(job, &tls).await?,
            tag: 0,
            uid_validity: 0,
            exists: 0,
            uid_expunge: false,
        };
        // §7.1.1 / §7.1.4 / §7.1.5: OK, PREAUTH or BYE.
        let greeting = response::read(&mut imap.conn).await?;
        let tokens = greeting.tokens();
        let preauth = match tokens.get(1) {
            Some(Token::Atom(a)) if a.eq_ignore_ascii_case("OK") => false,
            Some(Token::Atom(a)) if a.eq_ignore_ascii_case("PREAUTH") => true,
            _ => {
                return Err(CollectError::Refused(greeting.first_line()));
            }
        };
        if let (CollectTls::Starttls, Some(config)) = (job.tls, tls) {
            imap.command(&[Arg::Atom("STARTTLS")]).await?;
            imap.conn.start_tls(config).await?;
        }
        if !preauth {
            let login = [
                Arg::Atom("LOGIN"),
                Arg::Str(&job.user),
                Arg::Str(&job.password.0),
            ];
            imap.command(&login).await.map_err(|e| match e {
                CollectError::Refused(text) => CollectError::Login(text),
                other => other,
            })?;
        }
        for untagged in imap.command(&[Arg::Atom("CAPABILITY")]).await? {
            let tokens = untagged.tokens();
            if matches!(tokens.get(1), Some(Token::Atom(a)) if a.eq_ignore_ascii_case("CAPABILITY"))
            {
                imap.uid_expunge = tokens.iter().any(|t| {
                    matches!(t, Token::Atom(a) if a.eq_ignore_ascii_case("IMAP4rev2")
                        || a.eq_ignore_ascii_case("UIDPLUS"))
                });
            }
        }
        for untagged in imap
            .command(&[Arg::Atom("SELECT"), Arg::Atom("INBOX")])
            .await?
        {
            match &untagged.tokens()[..] {
                [_, Token::Atom(n), Token::Atom(exists), ..]
                    if exists.eq_ignore_ascii_case("EXISTS") =>
                {
                    imap.exists = n.parse().unwrap_or(0);
                }
                [_, Token::Atom(ok), Token::Atom(code), ..] if ok.eq_ignore_ascii_case("OK") => {
                    if let Some(n) = code
                        .strip_prefix("[UIDVALIDITY ")
                        .and_then(|rest| rest.strip_suffix(']'))
                    {
                        imap.uid_validity = n.trim().parse().unwrap_or(0);
                    }
                }
                _ => {}
            }
        }
        if imap.uid_validity == 0 {
            return Err(CollectError::Protocol(
                "the server sent no UIDVALIDITY for INBOX".into(),
            ));
        }
        Ok(imap)
    }

    /// Every message of INBOX: id `UIDVALIDITY:UID`, handle the UID, and its size.
    pub(crate) async fn list(&mut self) -> Result<Vec<Remote>, CollectError> {
        if self.exists == 0 {
            return Ok(Vec::new());
        }
        let fetch = [
            Arg::Atom("UID"),
            Arg::Atom("FETCH"),
            Arg::Atom("1:*"),
            Arg::Atom("(UID RFC822.SIZE)"),
        ];
        let mut remotes = Vec::new();
        for untagged in self.command(&fetch).await? {
            let Some(items) = fetch_items(&untagged.tokens()) else {
                continue;
            };
            let number = |name: &str| {
                items.iter().find_map(|(n, v)| match v {
                    Some(Token::Atom(a)) if n == name => a.parse::<u64>().ok(),
                    _ => None,
                })
            };
            if let Some(uid) = number("UID").and_then(|u| u32::try_from(u).ok()) {
                remotes.push(Remote {
                    id: format!("{}:{uid}", self.uid_validity),
                    handle: uid,
                    size: number("RFC822.SIZE").unwrap_or(0),
                });
            }
        }
        remotes.sort_by_key(|r| r.handle);
        remotes.dedup_by_key(|r| r.handle);
        Ok(remotes)
    }

    /// The message's bytes (BODY.PEEK[], so it stays unseen on the server).
    pub(crate) async fn fetch(&mut self, remote: &Remote) -> Result<Vec<u8>, CollectError> {
        let uid = remote.handle.to_string();
        let fetch = [
            Arg::Atom("UID"),
            Arg::Atom("FETCH"),
            Arg::Atom(&uid),
            Arg::Atom("(UID BODY.PEEK[])"),
        ];
        for untagged in self.command(&fetch).await? {
            let Some(items) = fetch_items(&untagged.tokens()) else {
                continue;
            };
            let is_ours = items
                .iter()
                .any(|(n, v)| n == "UID" && *v == Some(Token::Atom(uid.clone())));
            let body = items.into_iter().find_map(|(n, v)| match v {
                Some(Token::String(bytes)) if n == "BODY[]" => Some(bytes),
                _ => None,
            });
            if let (true, Some(body)) = (is_ours, body) {
                return Ok(body);
            }
        }
        Err(CollectError::Gone(remote.id.clone()))
    }

    /// Marks the messages \Deleted and expunges them (only those, with UID EXPUNGE).
    pub(crate) async fn delete(&mut self, remotes: &[&Remote]) -> Result<(), CollectError> {
        for chunk in remotes.chunks(UIDS_PER_COMMAND) {
            let set: Vec<String> = chunk.iter().map(|r| r.handle.to_string()).collect();
            let set = set.join(",");
            let store = [
                Arg::Atom("UID"),
                Arg::Atom("STORE"),
                Arg::Atom(&set),
                Arg::Atom("+FLAGS.SILENT"),
                Arg::Atom("(\\Deleted)"),
            ];
            self.command(&store).await?;
            if self.uid_expunge {
                let expunge = [Arg::Atom("UID"), Arg::Atom("EXPUNGE"), Arg::Atom(&set)];
                self.command(&expunge).await?;
            }
        }
        if !self.uid_expunge && !remotes.is_empty() {
            // Without UID EXPUNGE this removes every \Deleted message of INBOX, also ones
            // another client marked: the best an old server allows.
            self.command(&[Arg::Atom("EXPUNGE")]).await?;
        }
        Ok(())
    }

    pub(crate) async fn logout(mut self) -> Result<(), CollectError> {
        self.command(&[Arg::Atom("LOGOUT")]).await.map(|_| ())
    }

    /// Sends a tagged command and reads up to its tagged answer; returns the untagged
    /// responses, or the NO/BAD as [`CollectError::Refused`].
    async fn command(&mut self, args: &[Arg<'_>]) -> Result<Vec<Response>, CollectError> {
        self.tag += 1;
        let tag = format!("C{}", self.tag);
        let mut line = tag.clone().into_bytes();
        for arg in args {
            line.push(b' ');
            match arg {
                Arg::Atom(atom) => line.extend_from_slice(atom.as_bytes()),
                Arg::Str(s) if is_quotable(s) => {
                    line.push(b'"');
                    for b in s.bytes() {
                        if b == b'"' || b == b'\\' {
                            line.push(b'\\');
                        }
                        line.push(b);
                    }
                    line.push(b'"');
                }
                Arg::Str(s) => {
                    // §4.3: a synchronizing literal; wait for the "+" continuation.
                    line.extend_from_slice(format!("{{{}}}\r\n", s.len()).as_bytes());
                    self.conn.send(&line).await?;
                    let answer = response::read(&mut self.conn).await?;
                    if answer.texts.first().is_none_or(|t| !t.starts_with(b"+")) {
                        return Err(CollectError::Refused(answer.first_line()));
                    }
                    line = s.as_bytes().to_vec();
                }
            }
        }
        line.extend_from_slice(b"\r\n");
        self.conn.send(&line).await?;
        let mut untagged = Vec::new();
        loop {
            let answer = response::read(&mut self.conn).await?;
            let tokens = answer.tokens();
            match tokens.first() {
                Some(Token::Atom(t)) if *t == tag => {
                    return match tokens.get(1) {
                        Some(Token::Atom(ok)) if ok.eq_ignore_ascii_case("OK") => Ok(untagged),
                        _ => Err(CollectError::Refused(answer.first_line())),
                    };
                }
                Some(Token::Atom(star)) if star == "*" => {
                    if matches!(tokens.get(1), Some(Token::Atom(b)) if b.eq_ignore_ascii_case("BYE"))
                        && args
                            .first()
                            .is_none_or(|a| !matches!(a, Arg::Atom("LOGOUT")))
                    {
                        return Err(CollectError::Io(
                            format!("the server ended the session: {}", answer.first_line()),
                            crate::ErrorKind::ConnectionLost,
                        ));
                    }
                    untagged.push(answer);
                }
                // A continuation we did not ask for, or noise: ignored.
                _ => {}
            }
        }
    }
}

/// Whether `s` can be a quoted string (§4.3: no CR, LF or NUL; 7-bit here, for IMAP4rev1).
fn is_quotable(s: &str) -> bool {
    s.bytes()
        .all(|b| (0x01..=0x7f).contains(&b) && b != b'\r' && b != b'\n')
}
