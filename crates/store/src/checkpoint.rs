//! Checkpoints off the commit path.
//!
//! SQLite's automatic checkpoint runs inside the committing connection: every ~1000 WAL pages
//! one commit would also copy those pages into the database file and fsync it, and every
//! session waiting on that commit would wait for the checkpoint too. Instead the writer turns
//! automatic checkpoints off and this thread runs PASSIVE checkpoints (which never block the
//! writer or readers) a little after commits happen.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;

/// How long the checkpointer lets commits accumulate before copying them.
const PAUSE: Duration = Duration::from_millis(200);

/// The WAL is truncated back to this size after it was reset, so one burst does not keep a
/// huge file around.
pub(crate) const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Starts the checkpointer for the database at `path`. Send `()` after commits; dropping the
/// sender stops it after a last checkpoint.
pub(crate) fn start(path: PathBuf) -> std::io::Result<mpsc::SyncSender<()>> {
    let (tx, rx) = mpsc::sync_channel::<()>(1);
    std::thread::Builder::new().name("store-checkpoint".into()).spawn(move || {
        let conn = match Connection::open(&path) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "checkpointer cannot open the database; WAL will grow until restart");
                return;
            }
        };
        let _ = conn.busy_timeout(crate::writer::BUSY_TIMEOUT);
        while rx.recv().is_ok() {
            std::thread::sleep(PAUSE);
            // Drain the signal that arrived while we slept; one checkpoint covers them all.
            let _ = rx.try_recv();
            checkpoint(&conn);
        }
        checkpoint(&conn);
    })?;
    Ok(tx)
}

fn checkpoint(conn: &Connection) {
    let result = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, i64>(2)?,
        ))
    });
    match result {
        Ok((_busy, log, done)) => tracing::trace!(log, done, "checkpoint"),
        Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
    }
}
