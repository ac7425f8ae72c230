//! One tray app per data directory, and how others reach it.
//!
//! The tray app holds an OS lock on `desktop.lock` (released when it exits, even when killed)
//! and answers on a loopback TCP port that it writes, with a random key, to `desktop-control`
//! (readable by its owner only: whoever can read it may also read the admin token). A request
//! is one line, `KEY open` (show the window) or `KEY link` (a one-time sign-in link for a
//! window); the answer is one line: `ok`, `link URL` or `error TEXT`. TCP on loopback works
//! the same on Linux, Windows and macOS.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use rand::RngCore;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const LOCK_FILE: &str = "desktop.lock";
const CONTROL_FILE: &str = "desktop-control";
/// A request or an answer is one short line; a longer one is not ours.
const MAX_LINE: u64 = 4096;
/// How long either side waits for the other's line: both are on this machine.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections answered at once. Only the window program and `postroom-desktop` started a
/// second time talk to this port; any local process can connect to it, so more than a few
/// wait in the listen backlog instead of each getting a task (and a descriptor) of its own.
const MAX_CONNECTIONS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Show the control panel window.
    Open,
    /// A one-time sign-in link to the admin listener, for a window started by someone else.
    Link,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ok,
    Link(String),
    Error(String),
}

impl Request {
    fn word(self) -> &'static str {
        match self {
            Request::Open => "open",
            Request::Link => "link",
        }
    }

    fn parse(word: &str) -> Option<Request> {
        match word {
            "open" => Some(Request::Open),
            "link" => Some(Request::Link),
            _ => None,
        }
    }
}

impl Answer {
    fn line(&self) -> String {
        match self {
            Answer::Ok => "ok\n".to_string(),
            Answer::Link(url) => format!("link {url}\n"),
            // One line: a multi-line error is folded.
            Answer::Error(text) => format!("error {}\n", text.replace(['\r', '\n'], " ")),
        }
    }

    fn parse(line: &str) -> Answer {
        let line = line.trim_end();
        match line.split_once(' ') {
            _ if line == "ok" => Answer::Ok,
            Some(("link", url)) => Answer::Link(url.to_string()),
            Some(("error", text)) => Answer::Error(text.to_string()),
            _ => Answer::Error(format!("unexpected answer {line:?}")),
        }
    }
}

/// The tray app's claim on a data directory, held until dropped (or the process ends).
pub struct Lock(#[allow(dead_code)] File);

/// The lock on `data_dir`, or `None` when another tray app holds it.
pub fn claim(data_dir: &Path) -> std::io::Result<Option<Lock>> {
    std::fs::create_dir_all(data_dir)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(LOCK_FILE))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Lock(file))),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Asks the tray app of `data_dir`. Fails when none runs (no control file, or nobody on its
/// port) or it did not answer in time.
pub fn ask(data_dir: &Path, request: Request) -> std::io::Result<Answer> {
    let text = std::fs::read_to_string(data_dir.join(CONTROL_FILE))?;
    let (addr, key) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| std::io::Error::other("desktop-control is malformed"))?;
    let addr: SocketAddr = addr.parse().map_err(std::io::Error::other)?;
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.write_all(format!("{key} {}\n", request.word()).as_bytes())?;
    let mut line = String::new();
    BufReader::new(stream).take(MAX_LINE).read_line(&mut line)?;
    Ok(Answer::parse(&line))
}

/// Listens on a loopback port and publishes it with a new key in `desktop-control`; call
/// while holding the [`Lock`]. Then [`serve`] it.
pub async fn listen(data_dir: &Path) -> std::io::Result<(TcpListener, String)> {
    let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let line = format!("{} {key}\n", listener.local_addr()?);
    engine::write_private(&data_dir.join(CONTROL_FILE), &line)?;
    Ok((listener, key))
}

/// Answers each request whose key matches with `handle`; others get an error and nothing
/// happens. At most [`MAX_CONNECTIONS`] at once, each given [`IO_TIMEOUT`] in all. Runs until
/// the task is dropped.
pub async fn serve<F, Fut>(listener: TcpListener, key: String, handle: F)
where
    F: Fn(Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Answer> + Send,
{
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        // A slot first: while all are taken, new connections wait in the backlog.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait instead of spinning.
                tracing::warn!("control port: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        let (key, handle) = (key.clone(), handle.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let answered = tokio::time::timeout(IO_TIMEOUT, async {
                let (read, mut write) = stream.into_split();
                let mut line = String::new();
                tokio::io::BufReader::new(read)
                    .take(MAX_LINE)
                    .read_line(&mut line)
                    .await?;
                let answer = match line.trim_end().split_once(' ') {
                    Some((given, word)) if engine::same_secret(given, &key) => {
                        match Request::parse(word) {
                            Some(request) => handle(request).await,
                            None => Answer::Error(format!("unknown request {word:?}")),
                        }
                    }
                    _ => Answer::Error("wrong key".to_string()),
                };
                write.write_all(answer.line().as_bytes()).await
            })
            .await;
            if let Ok(Err(e)) = answered {
                tracing::debug!("control connection: {e}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("postroom-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn one_lock_per_data_directory() {
        let dir = temp_dir("lock");
        let first = claim(&dir).expect("claim").expect("the first claim wins");
        assert!(
            claim(&dir).expect("claim").is_none(),
            "a second claim fails"
        );
        drop(first);
        assert!(
            claim(&dir).expect("claim").is_some(),
            "free again once dropped"
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn requests_reach_the_handler_with_the_key_only() {
        let dir = temp_dir("control");
        let (listener, key) = listen(&dir).await.expect("listen");
        let server = tokio::spawn(serve(listener, key.clone(), |request| async move {
            match request {
                Request::Open => Answer::Ok,
                Request::Link => Answer::Link("http://127.0.0.1:1/signin?code=x".into()),
            }
        }));
        let asked = dir.clone();
        let (open, link) = tokio::task::spawn_blocking(move || {
            (ask(&asked, Request::Open), ask(&asked, Request::Link))
        })
        .await
        .expect("join");
        assert_eq!(open.expect("open"), Answer::Ok);
        assert_eq!(
            link.expect("link"),
            Answer::Link("http://127.0.0.1:1/signin?code=x".into())
        );

        // The same port with another key: refused, the handler is not called.
        let text = std::fs::read_to_string(dir.join(CONTROL_FILE)).expect("control file");
        std::fs::write(dir.join(CONTROL_FILE), text.replace(&key, "0000")).expect("write");
        let asked = dir.clone();
        let wrong = tokio::task::spawn_blocking(move || ask(&asked, Request::Open))
            .await
            .expect("join");
        assert_eq!(wrong.expect("answer"), Answer::Error("wrong key".into()));
        server.abort();
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_request_is_answered_after_a_flood_of_silent_connections() {
        let dir = temp_dir("control-flood");
        let (listener, key) = listen(&dir).await.expect("listen");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(serve(listener, key, |_| async { Answer::Ok }));
        // More silent clients than slots: the rest wait in the backlog, not in tasks.
        let mut silent = Vec::new();
        for _ in 0..(MAX_CONNECTIONS * 4) {
            silent.push(tokio::net::TcpStream::connect(addr).await.expect("connect"));
        }
        drop(silent);
        let asked = dir.clone();
        let answer = tokio::task::spawn_blocking(move || ask(&asked, Request::Open))
            .await
            .expect("join");
        assert_eq!(answer.expect("answer"), Answer::Ok);
        server.abort();
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn answers_are_one_line() {
        let answer = Answer::Error("port 25\nis in use".into());
        assert_eq!(
            Answer::parse(&answer.line()),
            Answer::Error("port 25 is in use".into())
        );
        assert_eq!(Answer::parse("ok\n"), Answer::Ok);
    }
}
