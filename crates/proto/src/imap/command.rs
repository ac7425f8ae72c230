//! One framed command to a [`Request`] (RFC 9051 §6, with IDLE, MOVE, UIDPLUS, ENABLE, ID,
//! NAMESPACE, UNSELECT, ESEARCH; LIST-EXTENDED, SORT and THREAD in `list.rs` and `sort.rs`;
//! CONDSTORE/QRESYNC parameters and QUOTA in `condstore.rs`).

use super::ParseError;
use super::condstore::{FetchModifiers, Qresync, SelectParams};
use super::date::parse_date_time;
use super::fetch::FetchAttr;
use super::list::ListOptions;
use super::parse::{Cursor, is_tag_char, syntax};
use super::search::SearchKey;
use super::sequence::SequenceSet;
use super::sort::{SortCriterion, ThreadAlgorithm};

/// A tagged command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub tag: String,
    pub command: Command,
}

/// STORE's operation (RFC 9051 §6.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOp {
    Replace,
    Add,
    Remove,
}

/// STATUS data items (RFC 9051 §6.3.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusItem {
    Messages,
    UidNext,
    UidValidity,
    Unseen,
    Deleted,
    Size,
    Recent,
    HighestModSeq,
}

/// ESEARCH RETURN options (RFC 9051 §6.4.4, RFC 4731).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchReturn {
    Min,
    Max,
    All,
    Count,
}

/// A mailbox name as sent: decode with `mutf7::decode` unless UTF-8 was enabled.
pub type MailboxName = Vec<u8>;

/// SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectArgs {
    pub mailbox: MailboxName,
    /// `(CONDSTORE)` (RFC 7162 §3.1.8).
    pub condstore: bool,
    /// `(QRESYNC (...))` (RFC 7162 §3.2.5).
    pub qresync: Option<Qresync>,
}

/// SEARCH and UID SEARCH (RFC 9051 §6.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchArgs {
    pub uid: bool,
    /// ESEARCH RETURN options; `None` for a classic SEARCH response.
    pub ret: Option<Vec<SearchReturn>>,
    pub charset: Option<String>,
    pub key: SearchKey,
}

/// STORE and UID STORE (RFC 9051 §6.4.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreArgs {
    pub uid: bool,
    pub set: SequenceSet,
    pub op: StoreOp,
    /// `.SILENT`: no untagged FETCH of the new flags.
    pub silent: bool,
    pub flags: Vec<String>,
    /// `(UNCHANGEDSINCE n)` (RFC 7162 §3.1.3).
    pub unchanged_since: Option<u64>,
}

/// COPY and MOVE, by number or UID (RFC 9051 §6.4.7, RFC 6851).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyArgs {
    pub uid: bool,
    pub set: SequenceSet,
    /// The destination.
    pub mailbox: MailboxName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    // Any state (RFC 9051 §6.1).
    Capability,
    Noop,
    Logout,
    /// ID (RFC 2971): the client's fields are only logged.
    Id(Vec<(String, Option<String>)>),
    // Not authenticated (RFC 9051 §6.2).
    StartTls,
    Login {
        user: String,
        password: String,
    },
    /// AUTHENTICATE with an optional initial response (RFC 4959 SASL-IR), base64 as sent.
    Authenticate {
        mechanism: String,
        initial: Option<String>,
    },
    // Authenticated (RFC 9051 §6.3).
    Enable(Vec<String>),
    Select(SelectArgs),
    Examine(SelectArgs),
    Create {
        mailbox: MailboxName,
        /// CREATE-SPECIAL-USE (RFC 6154 §3): the `USE` attributes asked for.
        special_use: Vec<String>,
    },
    Delete(MailboxName),
    Rename {
        from: MailboxName,
        to: MailboxName,
    },
    Subscribe(MailboxName),
    Unsubscribe(MailboxName),
    /// LIST, with LIST-EXTENDED (RFC 5258): one or more patterns and the options.
    List {
        reference: MailboxName,
        patterns: Vec<MailboxName>,
        options: ListOptions,
    },
    Lsub {
        reference: MailboxName,
        pattern: MailboxName,
    },
    Namespace,
    Status {
        mailbox: MailboxName,
        items: Vec<StatusItem>,
    },
    Append {
        mailbox: MailboxName,
        flags: Vec<String>,
        /// Unix seconds.
        date: Option<i64>,
        message: Vec<u8>,
    },
    Idle,
    // Selected (RFC 9051 §6.4).
    Check,
    Close,
    Unselect,
    /// EXPUNGE, or UID EXPUNGE with its set (RFC 4315 §2.1).
    Expunge(Option<SequenceSet>),
    Search(SearchArgs),
    /// SORT / UID SORT (RFC 5256 §3), RETURN options of ESORT (RFC 5267 §3).
    Sort {
        uid: bool,
        ret: Option<Vec<SearchReturn>>,
        criteria: Vec<SortCriterion>,
        charset: String,
        key: SearchKey,
    },
    /// THREAD / UID THREAD (RFC 5256 §3).
    Thread {
        uid: bool,
        algorithm: ThreadAlgorithm,
        charset: String,
        key: SearchKey,
    },
    Fetch {
        uid: bool,
        set: SequenceSet,
        attrs: Vec<FetchAttr>,
        /// `(CHANGEDSINCE n)` (RFC 7162 §3.1.4).
        changed_since: Option<u64>,
        /// `VANISHED` with CHANGEDSINCE (RFC 7162 §3.2.6).
        vanished: bool,
    },
    Store(StoreArgs),
    Copy(CopyArgs),
    Move(CopyArgs),
    /// GETQUOTA quota-root (RFC 9208 §4.2).
    GetQuota(Vec<u8>),
    /// GETQUOTAROOT mailbox (RFC 9208 §4.3).
    GetQuotaRoot(MailboxName),
    /// SETQUOTA quota-root (resource limit ...) (RFC 9208 §4.1).
    SetQuota {
        root: Vec<u8>,
        limits: Vec<(String, u64)>,
    },
}

impl Command {
    /// The name, for logs and responses.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Capability => "CAPABILITY",
            Command::Noop => "NOOP",
            Command::Logout => "LOGOUT",
            Command::Id(_) => "ID",
            Command::StartTls => "STARTTLS",
            Command::Login { .. } => "LOGIN",
            Command::Authenticate { .. } => "AUTHENTICATE",
            Command::Enable(_) => "ENABLE",
            Command::Select(_) => "SELECT",
            Command::Examine(_) => "EXAMINE",
            Command::Create { .. } => "CREATE",
            Command::Delete(_) => "DELETE",
            Command::Rename { .. } => "RENAME",
            Command::Subscribe(_) => "SUBSCRIBE",
            Command::Unsubscribe(_) => "UNSUBSCRIBE",
            Command::List { .. } => "LIST",
            Command::Lsub { .. } => "LSUB",
            Command::Namespace => "NAMESPACE",
            Command::Status { .. } => "STATUS",
            Command::Append { .. } => "APPEND",
            Command::Idle => "IDLE",
            Command::Check => "CHECK",
            Command::Close => "CLOSE",
            Command::Unselect => "UNSELECT",
            Command::Expunge(_) => "EXPUNGE",
            Command::Search(_) => "SEARCH",
            Command::Sort { .. } => "SORT",
            Command::Thread { .. } => "THREAD",
            Command::Fetch { .. } => "FETCH",
            Command::Store(_) => "STORE",
            Command::Copy(_) => "COPY",
            Command::Move(_) => "MOVE",
            Command::GetQuota(_) => "GETQUOTA",
            Command::GetQuotaRoot(_) => "GETQUOTAROOT",
            Command::SetQuota { .. } => "SETQUOTA",
        }
    }
}

/// Parses one command as framed by [`super::CommandReader`]. The error carries the tag when
/// it was readable, for a tagged BAD (RFC 9051 §7.1.5); otherwise an untagged one.
pub fn parse_command(input: &[u8]) -> Result<Request, (Option<String>, ParseError)> {
    let mut c = Cursor::new(input);
    let tag_end = input
        .iter()
        .position(|&b| !is_tag_char(b))
        .unwrap_or(input.len());
    if tag_end == 0 || tag_end > 64 {
        return Err((None, syntax("a command starts with a tag")));
    }
    let tag = String::from_utf8_lossy(&input[..tag_end]).into_owned();
    c.pos = tag_end;
    let command = c
        .sp()
        .and_then(|()| command(&mut c))
        .and_then(|cmd| c.end().map(|()| cmd));
    match command {
        Ok(command) => Ok(Request { tag, command }),
        Err(e) => Err((Some(tag), e)),
    }
}

fn command(c: &mut Cursor) -> Result<Command, ParseError> {
    let verb = c.keyword()?;
    Ok(match verb.as_str() {
        "CAPABILITY" => Command::Capability,
        "NOOP" => Command::Noop,
        "LOGOUT" => Command::Logout,
        "STARTTLS" => Command::StartTls,
        "NAMESPACE" => Command::Namespace,
        "IDLE" => Command::Idle,
        "CHECK" => Command::Check,
        "CLOSE" => Command::Close,
        "UNSELECT" => Command::Unselect,
        "EXPUNGE" => Command::Expunge(None),
        "ID" => {
            c.sp()?;
            Command::Id(id_params(c)?)
        }
        "LOGIN" => {
            c.sp()?;
            let user = c.astring_utf8()?;
            c.sp()?;
            let password = c.astring_utf8()?;
            Command::Login { user, password }
        }
        "AUTHENTICATE" => {
            c.sp()?;
            let mechanism = c.keyword()?;
            let initial = if c.eat(b' ') {
                // RFC 4959 §3: base64 or `=` for an empty response.
                let a = c.atom()?;
                Some(a.to_string())
            } else {
                None
            };
            Command::Authenticate { mechanism, initial }
        }
        "ENABLE" => {
            let mut caps = Vec::new();
            while c.eat(b' ') {
                caps.push(c.keyword()?);
            }
            if caps.is_empty() {
                return Err(syntax("ENABLE needs a capability"));
            }
            Command::Enable(caps)
        }
        "SELECT" | "EXAMINE" => {
            c.sp()?;
            let mailbox = c.astring()?;
            // RFC 9051 §6.3.2 select-params: CONDSTORE, QRESYNC (`condstore.rs`).
            let SelectParams { condstore, qresync } = c.select_params()?;
            let args = SelectArgs {
                mailbox,
                condstore,
                qresync,
            };
            if verb == "SELECT" {
                Command::Select(args)
            } else {
                Command::Examine(args)
            }
        }
        "CREATE" | "DELETE" | "SUBSCRIBE" | "UNSUBSCRIBE" => {
            c.sp()?;
            let mailbox = c.astring()?;
            match verb.as_str() {
                "CREATE" => Command::Create {
                    mailbox,
                    special_use: c.create_params()?,
                },
                "DELETE" => Command::Delete(mailbox),
                "SUBSCRIBE" => Command::Subscribe(mailbox),
                _ => Command::Unsubscribe(mailbox),
            }
        }
        "RENAME" => {
            c.sp()?;
            let from = c.astring()?;
            c.sp()?;
            let to = c.astring()?;
            Command::Rename { from, to }
        }
        "LIST" => c.list_command()?,
        "LSUB" => {
            c.sp()?;
            let reference = c.astring()?;
            c.sp()?;
            let pattern = c.list_mailbox()?;
            Command::Lsub { reference, pattern }
        }
        "STATUS" => {
            c.sp()?;
            let mailbox = c.astring()?;
            c.sp()?;
            let items = c.status_items()?;
            Command::Status { mailbox, items }
        }
        "APPEND" => append(c)?,
        "GETQUOTA" | "GETQUOTAROOT" | "SETQUOTA" => c.quota_command(&verb)?,
        "SEARCH" => search(c, false)?,
        "SORT" => c.sort_command(false)?,
        "THREAD" => c.thread_command(false)?,
        "FETCH" => fetch(c, false)?,
        "STORE" => store(c, false)?,
        "COPY" | "MOVE" => copy(c, false, verb == "MOVE")?,
        "UID" => {
            c.sp()?;
            let sub = c.keyword()?;
            match sub.as_str() {
                "SEARCH" => search(c, true)?,
                "SORT" => c.sort_command(true)?,
                "THREAD" => c.thread_command(true)?,
                "FETCH" => fetch(c, true)?,
                "STORE" => store(c, true)?,
                "COPY" | "MOVE" => copy(c, true, sub == "MOVE")?,
                "EXPUNGE" => {
                    c.sp()?;
                    Command::Expunge(Some(c.sequence_set()?))
                }
                _ => return Err(ParseError::Unknown),
            }
        }
        _ => return Err(ParseError::Unknown),
    })
}

/// RFC 2971 §3: `NIL` or a list of string/nstring pairs.
fn id_params(c: &mut Cursor) -> Result<Vec<(String, Option<String>)>, ParseError> {
    if c.eat_keyword("NIL") {
        return Ok(Vec::new());
    }
    c.open()?;
    let mut fields = Vec::new();
    while !c.eat(b')') {
        if !fields.is_empty() {
            c.sp()?;
        }
        let key = String::from_utf8_lossy(&c.string()?).into_owned();
        c.sp()?;
        let value = if c.eat_keyword("NIL") {
            None
        } else {
            Some(String::from_utf8_lossy(&c.string()?).into_owned())
        };
        if fields.len() >= 30 {
            return Err(syntax("too many ID fields"));
        }
        fields.push((key, value));
    }
    c.depth -= 1;
    Ok(fields)
}

/// RFC 9051 §6.3.12: APPEND mailbox [flag-list] [date-time] literal.
fn append(c: &mut Cursor) -> Result<Command, ParseError> {
    c.sp()?;
    let mailbox = c.astring()?;
    c.sp()?;
    let mut flags = Vec::new();
    if c.peek() == Some(b'(') {
        flags = c.flag_list()?;
        c.sp()?;
    }
    let mut date = None;
    if c.peek() == Some(b'"') {
        let text = String::from_utf8(c.quoted()?).map_err(|_| syntax("bad date-time"))?;
        date = Some(parse_date_time(&text).ok_or(syntax("bad date-time"))?);
        c.sp()?;
    }
    let message = c.literal()?.to_vec();
    Ok(Command::Append {
        mailbox,
        flags,
        date,
        message,
    })
}

fn search(c: &mut Cursor, uid: bool) -> Result<Command, ParseError> {
    c.sp()?;
    let mut ret = None;
    if c.eat_keyword("RETURN") {
        c.sp()?;
        ret = Some(c.search_return()?);
        c.sp()?;
    }
    let mut charset = None;
    if c.eat_keyword("CHARSET") {
        c.sp()?;
        charset = Some(c.search_charset_name()?);
        c.sp()?;
    }
    let key = c.search_keys()?;
    c.known_charset(Command::Search(SearchArgs {
        uid,
        ret,
        charset,
        key,
    }))
}

impl Cursor<'_> {
    /// RFC 4731 §3.1 `search-return-opts` after RETURN: `(MIN MAX ALL COUNT)`.
    pub(crate) fn search_return(&mut self) -> Result<Vec<SearchReturn>, ParseError> {
        self.open()?;
        let mut options = Vec::new();
        while !self.eat(b')') {
            self.eat(b' ');
            options.push(match self.keyword()?.as_str() {
                "MIN" => SearchReturn::Min,
                "MAX" => SearchReturn::Max,
                "ALL" => SearchReturn::All,
                "COUNT" => SearchReturn::Count,
                _ => return Err(syntax("unknown RETURN option")),
            });
        }
        self.depth -= 1;
        // RFC 4731 §3.1: RETURN () means ALL.
        if options.is_empty() {
            options.push(SearchReturn::All);
        }
        Ok(options)
    }
}

fn fetch(c: &mut Cursor, uid: bool) -> Result<Command, ParseError> {
    c.sp()?;
    let set = c.sequence_set()?;
    c.sp()?;
    let attrs = c.fetch_attrs()?;
    let FetchModifiers {
        changed_since,
        vanished,
    } = c.fetch_modifiers()?;
    Ok(Command::Fetch {
        uid,
        set,
        attrs,
        changed_since,
        vanished,
    })
}

fn store(c: &mut Cursor, uid: bool) -> Result<Command, ParseError> {
    c.sp()?;
    let set = c.sequence_set()?;
    c.sp()?;
    let mut unchanged_since = None;
    if c.peek() == Some(b'(') {
        c.open()?;
        if !c.eat_keyword("UNCHANGEDSINCE") {
            return Err(syntax("unknown STORE modifier"));
        }
        c.sp()?;
        unchanged_since = Some(c.number64()?);
        c.close()?;
        c.sp()?;
    }
    let item = c.keyword()?;
    let (op, rest) = match item.as_bytes().first() {
        Some(b'+') => (StoreOp::Add, &item[1..]),
        Some(b'-') => (StoreOp::Remove, &item[1..]),
        _ => (StoreOp::Replace, &item[..]),
    };
    let silent = match rest {
        "FLAGS" => false,
        "FLAGS.SILENT" => true,
        _ => return Err(syntax("FLAGS, +FLAGS or -FLAGS was expected")),
    };
    c.sp()?;
    let flags = if c.peek() == Some(b'(') {
        c.flag_list()?
    } else {
        // RFC 9051 §9: flags separated by spaces without parentheses.
        let mut flags = vec![c.flag()?];
        while c.eat(b' ') {
            flags.push(c.flag()?);
        }
        flags
    };
    Ok(Command::Store(StoreArgs {
        uid,
        set,
        op,
        silent,
        flags,
        unchanged_since,
    }))
}

fn copy(c: &mut Cursor, uid: bool, is_move: bool) -> Result<Command, ParseError> {
    c.sp()?;
    let set = c.sequence_set()?;
    c.sp()?;
    let mailbox = c.astring()?;
    let args = CopyArgs { uid, set, mailbox };
    Ok(if is_move {
        Command::Move(args)
    } else {
        Command::Copy(args)
    })
}

#[cfg(test)]
mod tests;
