//! QUOTA (RFC 9208): GETQUOTA, GETQUOTAROOT, SETQUOTA. Each account has one quota root, named
//! `""`, over all its mailboxes, with the STORAGE resource only (§5.1). An account without a
//! limit has no quota root. Limits are set by the administrator, so SETQUOTA is refused (and
//! QUOTASET is not announced, §4.1).

use store::Quota;

use crate::session::{End, Session};

/// The one quota root's name.
const ROOT: &str = "";

/// RFC 9208 §5.1: STORAGE is counted in units of 1024 octets; usage rounds up, so a client
/// never sees room that is not there.
fn storage(q: &Quota, limit: u64) -> String {
    format!("STORAGE {} {}", q.used_bytes.div_ceil(1024), limit / 1024)
}

impl Session {
    async fn own_quota(&mut self, tag: &str) -> Result<Option<Quota>, End> {
        let account = self.account.as_ref().map_or(0, |a| a.id);
        match self.ctx.store.account_quota(account).await {
            Ok(q) => Ok(Some(q)),
            Err(e) => {
                self.store_failed(tag, e).await?;
                Ok(None)
            }
        }
    }

    /// `* QUOTA "" (STORAGE used limit)`.
    fn quota_line(&mut self, q: &Quota, limit: u64) {
        let mut line = b"* QUOTA ".to_vec();
        line.extend(self.encode_name(ROOT));
        line.extend(format!(" ({})\r\n", storage(q, limit)).into_bytes());
        self.shell.wbuf.extend(line);
    }

    /// RFC 9208 §4.2: the resources of one quota root.
    pub(crate) async fn handle_getquota(&mut self, tag: &str, root: Vec<u8>) -> Result<(), End> {
        let Some(q) = self.own_quota(tag).await? else {
            return Ok(());
        };
        match q.quota_bytes {
            Some(limit) if root.is_empty() => {
                self.quota_line(&q, limit);
                self.ok(tag, "GETQUOTA completed");
                Ok(())
            }
            // Another name, or the account has no limit: no such quota root.
            _ => self.no(tag, "NONEXISTENT", "no such quota root").await,
        }
    }

    /// RFC 9208 §4.3: the quota roots of a mailbox, and their resources.
    pub(crate) async fn handle_getquotaroot(&mut self, tag: &str, raw: Vec<u8>) -> Result<(), End> {
        let Some(name) = self.mailbox_name(&raw) else {
            return self.bad(Some(tag), "invalid mailbox name encoding").await;
        };
        let account = self.account.as_ref().map_or(0, |a| a.id);
        let exists = match self.ctx.store.list_mailboxes(account).await {
            Ok(boxes) => boxes.iter().any(|b| b.name == name),
            Err(e) => return self.store_failed(tag, e).await,
        };
        if !exists {
            return self.no(tag, "NONEXISTENT", "no such mailbox").await;
        }
        let Some(q) = self.own_quota(tag).await? else {
            return Ok(());
        };
        let mut line = b"* QUOTAROOT ".to_vec();
        line.extend(self.encode_name(&name));
        if q.quota_bytes.is_some() {
            line.push(b' ');
            line.extend(self.encode_name(ROOT));
        }
        line.extend_from_slice(b"\r\n");
        self.shell.wbuf.extend(line);
        if let Some(limit) = q.quota_bytes {
            self.quota_line(&q, limit);
        }
        self.ok(tag, "GETQUOTAROOT completed");
        Ok(())
    }

    /// RFC 9208 §4.1: only the administrator sets limits (`postroom` CLI, admin API).
    pub(crate) async fn handle_setquota(&mut self, tag: &str) -> Result<(), End> {
        self.no(tag, "NOPERM", "quotas are set by the administrator")
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_is_in_kibibytes_with_usage_rounded_up() {
        let q = Quota {
            quota_bytes: Some(10 * 1024 + 5),
            used_bytes: 1025,
        };
        assert_eq!(storage(&q, 10 * 1024 + 5), "STORAGE 2 10");
        let empty = Quota::default();
        assert_eq!(storage(&empty, 0), "STORAGE 0 0");
    }
}
