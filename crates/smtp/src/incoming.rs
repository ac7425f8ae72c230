//! A message as it arrives (DATA or BDAT): in memory while it is small, in a spool file of
//! the store once it passes [`SPOOL_AT`] or once memory is tight, and always within the
//! shared [`net::MemoryBudget`].
//!
//! The bytes held in memory are reserved from the budget as they arrive (by the buffer's
//! capacity, what the allocator really holds). When the budget refuses more, the message
//! goes to disk early; when it refuses even the small buffer a spooled message needs, the
//! rest of the message is read and dropped and the client gets `452 4.3.1` (RFC 3463 §3.4:
//! "mail system full", a temporary condition), so nothing past the budget is ever buffered.

use net::{BudgetGuard, MemoryBudget};
use store::{Spool, Store};

/// Messages larger than this are spooled to disk while they arrive.
pub(crate) const SPOOL_AT: usize = 1024 * 1024;
/// A spooled message is written out whenever this much has gathered in memory.
const SPOOL_PIECE: usize = 128 * 1024;

/// Why an arriving message cannot be stored; decided while it arrives, answered at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The memory budget is used up: `452 4.3.1`.
    MemoryFull,
    /// The spool file could not be made or written (disk full...): `451 4.3.0`.
    SpoolFailed,
}

/// The finished message.
pub(crate) enum Body {
    Memory(Vec<u8>),
    Spooled(Spool),
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(m) => m.len() as u64,
            Body::Spooled(spool) => spool.len(),
        }
    }

    /// The message's first `max` bytes (all of it if shorter), for checks of its header.
    pub async fn head(&mut self, max: usize) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Body::Memory(m) => Ok(std::borrow::Cow::Borrowed(&m[..m.len().min(max)])),
            Body::Spooled(spool) => Ok(std::borrow::Cow::Owned(spool.head(max).await?)),
        }
    }
}

pub(crate) struct Incoming {
    /// Bytes not yet spooled (the whole message while it is in memory).
    buf: Vec<u8>,
    spool: Option<Spool>,
    /// Covers `buf`'s capacity.
    guard: BudgetGuard,
    refused: Option<Refused>,
}

impl Incoming {
    pub fn new(budget: &MemoryBudget) -> Self {
        Incoming {
            // Most mail fits; the first `settle` reserves it.
            buf: Vec::with_capacity(16 * 1024),
            spool: None,
            guard: budget.guard(),
            refused: None,
        }
    }

    /// Where the next bytes go; call [`Incoming::settle`] after adding to it.
    pub fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    pub fn refused(&self) -> Option<Refused> {
        self.refused
    }

    /// Accounts for what was added to [`Incoming::buf`]: reserves it, or moves the message
    /// to disk, or (when even that does not fit) drops it and remembers the refusal.
    pub async fn settle(&mut self, store: &Store) {
        if self.refused.is_some() {
            // Refused: the rest is read only to find the end, and dropped.
            self.buf.clear();
            return;
        }
        if self.spool.is_none() {
            if self.buf.len() <= SPOOL_AT && self.reserve() {
                return;
            }
            match store.spool().await {
                Ok(spool) => self.spool = Some(spool),
                Err(e) => return self.refuse(Refused::SpoolFailed, &e),
            }
        }
        if self.buf.len() >= SPOOL_PIECE || !self.reserve() {
            if let Err(e) = self.write_out().await {
                return self.refuse(Refused::SpoolFailed, &e);
            }
            // Holding on to a larger buffer would keep memory the budget no longer covers.
            self.buf.shrink_to(SPOOL_PIECE);
            if !self.reserve() {
                self.refuse(Refused::MemoryFull, &"memory budget used up");
            }
        }
    }

    /// The finished message with the reservation that covers it (keep it until the store
    /// has the message), or why it was refused.
    pub async fn finish(mut self) -> Result<(Body, BudgetGuard), Refused> {
        if let Some(refused) = self.refused {
            return Err(refused);
        }
        let Some(spool) = self.spool.take() else {
            return Ok((Body::Memory(self.buf), self.guard));
        };
        self.spool = Some(spool);
        if let Err(e) = self.write_out().await {
            self.refuse(Refused::SpoolFailed, &e);
            return Err(Refused::SpoolFailed);
        }
        let spool = self.spool.take().ok_or(Refused::SpoolFailed)?;
        // The bytes are on disk now; the buffer goes with `self`.
        let mut guard = self.guard;
        guard.resize(0);
        Ok((Body::Spooled(spool), guard))
    }

    /// Makes the reservation match what is held.
    fn reserve(&mut self) -> bool {
        self.guard.resize(self.buf.capacity() as u64)
    }

    async fn write_out(&mut self) -> std::io::Result<()> {
        let Some(spool) = self.spool.as_mut() else {
            return Ok(());
        };
        if self.buf.is_empty() {
            return Ok(());
        }
        self.buf = spool.write(std::mem::take(&mut self.buf)).await?;
        Ok(())
    }

    fn refuse(&mut self, why: Refused, error: &dyn std::fmt::Display) {
        tracing::info!(error = %error, ?why, "incoming message refused");
        self.refused = Some(why);
        self.spool = None;
        self.buf = Vec::new();
        self.guard.resize(0);
    }
}
