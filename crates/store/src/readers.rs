//! The read-only connection pool: a few connections with `query_only`, used on blocking
//! threads (`spawn_blocking`), never on the async reactor's threads.
//!
//! In WAL mode readers do not block the writer nor each other; each statement (or read
//! transaction) sees the last commit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use crate::writer::{BUSY_TIMEOUT, internal_error};
use crate::{Result, StoreError};

pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// One permit per connection: callers beyond the pool wait here, asynchronously.
    permits: Arc<Semaphore>,
}

impl Readers {
    /// Opens `size` connections to the (already migrated) database at `path`.
    pub(crate) fn open(path: &Path, size: usize) -> Result<Arc<Readers>> {
        let idle = (0..size)
            .map(|_| open_reader(path))
            .collect::<Result<Vec<_>>>()?;
        Ok(Arc::new(Readers {
            path: path.to_path_buf(),
            idle: Mutex::new(idle),
            permits: Arc::new(Semaphore::new(size)),
        }))
    }

    /// Runs `f` on a pooled connection on a blocking thread.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let conn = pool.take()?;
            let result = f(&conn);
            pool.put(conn);
            drop(permit);
            result
        })
        .await
        .map_err(|_| internal_error("a read failed unexpectedly"))?
    }

    /// A read-only connection of its own, outside the pool, for a read that may last as long
    /// as a slow client takes (a large message streamed over POP3): it must not hold a
    /// pooled connection meanwhile.
    pub(crate) fn open_unpooled(&self) -> Result<Connection> {
        open_reader(&self.path)
    }

    fn take(&self) -> Result<Connection> {
        let conn = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        match conn {
            Some(conn) => Ok(conn),
            // A read that panicked took its connection with it: open a new one.
            None => open_reader(&self.path),
        }
    }

    fn put(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(conn);
    }
}

fn open_reader(path: &Path) -> Result<Connection> {
    // Opened read-write so WAL's shared-memory index works even before the writer made the
    // `-shm` file; `query_only` makes every write fail.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch("PRAGMA query_only = ON")?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}
