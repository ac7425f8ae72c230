//! CONDSTORE and QRESYNC (RFC 7162) parameters of SELECT/EXAMINE and FETCH, and the QUOTA
//! commands (RFC 9208 §4).

use super::ParseError;
use super::command::Command;
use super::parse::{Cursor, syntax};
use super::sequence::SequenceSet;

/// SELECT/EXAMINE's `QRESYNC (uidvalidity modseq [known-uids] [seq-match-data])`
/// (RFC 7162 §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qresync {
    pub uid_validity: u32,
    /// The last MODSEQ the client knows of.
    pub modseq: u64,
    /// The UIDs the client knows; `None` for all.
    pub known_uids: Option<SequenceSet>,
    /// `(known-sequence-set known-uid-set)`: message numbers and the UIDs the client had
    /// for them (RFC 7162 §3.2.5.2): the hint that narrows VANISHED when the client's MODSEQ
    /// is older than the expunges the store still remembers.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// SELECT/EXAMINE parameters (RFC 9051 §6.3.2 `select-params`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectParams {
    /// `CONDSTORE` (RFC 7162 §3.1.8).
    pub condstore: bool,
    pub qresync: Option<Qresync>,
}

/// FETCH modifiers (RFC 7162 §3.1.4, §3.2.6).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchModifiers {
    /// `CHANGEDSINCE n`.
    pub changed_since: Option<u64>,
    /// `VANISHED`: also report UIDs expunged since CHANGEDSINCE (UID FETCH only).
    pub vanished: bool,
}

impl Cursor<'_> {
    /// After the mailbox name of SELECT/EXAMINE: ` (param ...)` or nothing.
    pub(crate) fn select_params(&mut self) -> Result<SelectParams, ParseError> {
        let mut params = SelectParams::default();
        if !self.eat(b' ') {
            return Ok(params);
        }
        self.open()?;
        loop {
            match self.keyword()?.as_str() {
                "CONDSTORE" => params.condstore = true,
                "QRESYNC" if params.qresync.is_none() => {
                    self.sp()?;
                    params.qresync = Some(self.qresync()?);
                }
                _ => return Err(syntax("unknown SELECT parameter")),
            }
            if self.peek() == Some(b')') {
                return self.close().map(|()| params);
            }
            self.sp()?;
        }
    }

    /// RFC 7162 §7 `"(" uidvalidity SP mod-sequence-value [SP known-uids]
    /// [SP seq-match-data] ")"`.
    fn qresync(&mut self) -> Result<Qresync, ParseError> {
        self.open()?;
        let uid_validity = self.number()?;
        if uid_validity == 0 {
            return Err(syntax("UIDVALIDITY is never 0"));
        }
        self.sp()?;
        let modseq = self.number64()?;
        let mut known_uids = None;
        let mut seq_match = None;
        if self.eat(b' ') {
            if self.peek() != Some(b'(') {
                known_uids = Some(self.sequence_set()?);
                if self.eat(b' ') {
                    seq_match = Some(self.seq_match()?);
                }
            } else {
                seq_match = Some(self.seq_match()?);
            }
        }
        self.close()?;
        Ok(Qresync {
            uid_validity,
            modseq,
            known_uids,
            seq_match,
        })
    }

    fn seq_match(&mut self) -> Result<(SequenceSet, SequenceSet), ParseError> {
        self.open()?;
        let numbers = self.sequence_set()?;
        self.sp()?;
        let uids = self.sequence_set()?;
        self.close()?;
        Ok((numbers, uids))
    }

    /// After FETCH's items: ` (CHANGEDSINCE n [VANISHED])`, in any order, or nothing.
    pub(crate) fn fetch_modifiers(&mut self) -> Result<FetchModifiers, ParseError> {
        let mut m = FetchModifiers::default();
        if !self.eat(b' ') {
            return Ok(m);
        }
        self.open()?;
        loop {
            match self.keyword()?.as_str() {
                "CHANGEDSINCE" if m.changed_since.is_none() => {
                    self.sp()?;
                    m.changed_since = Some(self.number64()?);
                }
                "VANISHED" if !m.vanished => m.vanished = true,
                _ => return Err(syntax("unknown FETCH modifier")),
            }
            if self.peek() == Some(b')') {
                self.close()?;
                break;
            }
            self.sp()?;
        }
        // RFC 7162 §3.2.6: VANISHED without CHANGEDSINCE is an error.
        if m.vanished && m.changed_since.is_none() {
            return Err(syntax("VANISHED needs CHANGEDSINCE"));
        }
        Ok(m)
    }

    /// RFC 9208 §4.1-4.3: GETQUOTA, GETQUOTAROOT and SETQUOTA, after the verb.
    pub(crate) fn quota_command(&mut self, verb: &str) -> Result<Command, ParseError> {
        self.sp()?;
        let name = self.astring()?;
        Ok(match verb {
            "GETQUOTA" => Command::GetQuota(name),
            "GETQUOTAROOT" => Command::GetQuotaRoot(name),
            _ => {
                // `"(" [setquota-resource *(SP setquota-resource)] ")"`.
                self.sp()?;
                self.open()?;
                let mut limits = Vec::new();
                while self.peek() != Some(b')') {
                    if !limits.is_empty() {
                        self.sp()?;
                    }
                    let resource = self.keyword()?;
                    self.sp()?;
                    limits.push((resource, self.number64()?));
                    if limits.len() > 16 {
                        return Err(syntax("too many quota resources"));
                    }
                }
                self.close()?;
                Command::SetQuota { root: name, limits }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_command;
    use super::*;
    use crate::imap::command::SelectArgs;

    fn ok(line: &str) -> Command {
        match parse_command(line.as_bytes()) {
            Ok(r) => r.command,
            Err(e) => panic!("{line}: {e:?}"),
        }
    }

    fn bad(line: &str) {
        assert!(parse_command(line.as_bytes()).is_err(), "{line}");
    }

    #[test]
    fn qresync_select_parameters() {
        let Command::Select(SelectArgs { qresync, .. }) =
            ok("a SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))")
        else {
            panic!("not a SELECT");
        };
        let q = qresync.expect("qresync");
        assert_eq!((q.uid_validity, q.modseq), (67890007, 90060115194045000));
        assert!(
            q.known_uids
                .is_some_and(|k| k.contains(300, 0) && !k.contains(212, 0))
        );
        let Command::Examine(SelectArgs {
            condstore, qresync, ..
        }) = ok("a EXAMINE INBOX (CONDSTORE QRESYNC (1 2 1:9 (1,5 3,9)))")
        else {
            panic!("not an EXAMINE");
        };
        assert!(condstore);
        let (numbers, uids) = qresync.and_then(|q| q.seq_match).expect("match");
        assert!(numbers.contains(5, 0) && uids.contains(9, 0));
        // Without known UIDs, and with only seq-match data.
        assert!(matches!(
            ok("a SELECT x (QRESYNC (1 2))"),
            Command::Select(_)
        ));
        assert!(matches!(
            ok("a SELECT x (QRESYNC (1 2 (1 3)))"),
            Command::Select(_)
        ));
        // UIDVALIDITY 0 does not exist; the modseq is required; unknown parameters.
        bad("a SELECT x (QRESYNC (0 2))");
        bad("a SELECT x (QRESYNC (1))");
        bad("a SELECT x (FOO)");
    }

    #[test]
    fn fetch_modifiers() {
        let Command::Fetch {
            changed_since,
            vanished,
            ..
        } = ok("a UID FETCH 1:* FLAGS (VANISHED CHANGEDSINCE 7)")
        else {
            panic!("not a FETCH");
        };
        assert_eq!((changed_since, vanished), (Some(7), true));
        // RFC 7162 §3.2.6: VANISHED alone is a BAD.
        bad("a UID FETCH 1:* FLAGS (VANISHED)");
        bad("a FETCH 1 FLAGS (CHANGEDSINCE)");
    }

    #[test]
    fn quota_commands() {
        assert_eq!(
            ok("a GETQUOTAROOT INBOX"),
            Command::GetQuotaRoot(b"INBOX".to_vec())
        );
        assert_eq!(ok("a GETQUOTA \"\""), Command::GetQuota(Vec::new()));
        assert_eq!(
            ok("a SETQUOTA \"\" (STORAGE 512)"),
            Command::SetQuota {
                root: Vec::new(),
                limits: vec![("STORAGE".into(), 512)]
            }
        );
        assert_eq!(
            ok("a SETQUOTA \"\" ()"),
            Command::SetQuota {
                root: Vec::new(),
                limits: vec![]
            }
        );
        bad("a SETQUOTA \"\" (STORAGE)");
        bad("a GETQUOTA");
    }
}
