//! Message bodies read ahead in batches for a FETCH that walks messages in order: one store
//! round trip per batch instead of one per message.

use std::collections::VecDeque;

use store::{MessageMeta, Store, StoreError};

use super::search::batches;

pub(crate) struct Prefetch {
    /// UIDs still to read, in batches, in the order the walk asks for them.
    plan: VecDeque<Vec<u32>>,
    ready: VecDeque<(u32, Option<Vec<u8>>)>,
    mailbox: i64,
}

impl Prefetch {
    pub fn new(mailbox: i64, messages: &[MessageMeta], indexes: &[usize]) -> Prefetch {
        Prefetch {
            plan: batches(messages, indexes)
                .map(|b| b.iter().map(|&i| messages[i].uid).collect())
                .collect(),
            ready: VecDeque::new(),
            mailbox,
        }
    }

    /// The body of `uid` (`None` if it was expunged meanwhile). The walk goes up in UIDs:
    /// bodies of planned messages it skipped are dropped, a UID not planned is read alone.
    pub async fn body(&mut self, store: &Store, uid: u32) -> Result<Option<Vec<u8>>, StoreError> {
        loop {
            if self.ready.is_empty() {
                let Some(uids) = self.plan.pop_front() else {
                    break;
                };
                let bodies = store.read_messages(self.mailbox, uids.clone()).await?;
                self.ready.extend(uids.into_iter().zip(bodies));
            }
            while self.ready.front().is_some_and(|(u, _)| *u < uid) {
                self.ready.pop_front();
            }
            match self.ready.front() {
                Some((u, _)) if *u == uid => {
                    return Ok(self.ready.pop_front().and_then(|(_, body)| body));
                }
                Some(_) => break,
                None => {}
            }
        }
        let mut one = store.read_messages(self.mailbox, vec![uid]).await?;
        Ok(one.pop().flatten())
    }
}
