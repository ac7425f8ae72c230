//! Real listeners on port 0, real clients: binding errors, limits, STARTTLS and implicit TLS.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::*;
use crate::{client_tls_trusting, server_tls};

const BUSY: &[u8] = b"421 4.7.0 Too many connections from your address, try again later\r\n";
const WAIT: Duration = Duration::from_secs(10);

fn localhost() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Binds 127.0.0.1:0 and runs `serve` with `handler`; the address and the shutdown token.
async fn start<F, Fut>(
    implicit_tls: Option<TlsAcceptor>,
    limiter: ConnLimiter,
    handler: F,
) -> (
    SocketAddr,
    CancellationToken,
    TaskTracker,
    tokio::task::JoinHandle<()>,
)
where
    F: Fn(SessionStream, SocketAddr) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut listeners = bind("smtp", &[localhost()]).await.expect("bind");
    let listener = listeners.pop().expect("one listener");
    let addr = listener.local_addr().expect("local addr");
    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    let service = Service {
        name: "smtp",
        implicit_tls,
        busy_reply: BUSY,
    };
    let task = tokio::spawn(serve(
        listener,
        service,
        limiter,
        shutdown.clone(),
        tracker.clone(),
        handler,
    ));
    (addr, shutdown, tracker, task)
}

/// The server side of the STARTTLS and implicit TLS tests: greets, optionally upgrades, then
/// reports `tls_info` and echoes one line.
async fn greet_and_echo(mut stream: SessionStream, acceptor: Option<TlsAcceptor>) {
    let Ok(()) = stream.write_all(b"220 ready\r\n").await else {
        return;
    };
    if let Some(acceptor) = acceptor {
        let mut line = [0u8; 10];
        let Ok(_) = stream.read_exact(&mut line).await else {
            return;
        };
        assert_eq!(&line, b"STARTTLS\r\n");
        let Ok(()) = stream.write_all(b"220 go ahead\r\n").await else {
            return;
        };
        stream = stream.start_tls(&acceptor).await.expect("handshake");
    }
    let info = stream.tls_info().unwrap_or_else(|| "plain".into());
    let Ok(()) = stream.write_all(format!("250 {info}\r\n").as_bytes()).await else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let Ok(_) = reader.read_line(&mut line).await else {
        return;
    };
    let mut stream = reader.into_inner();
    let _ = stream.write_all(format!("echo {line}").as_bytes()).await;
    let _ = stream.shutdown().await;
}

async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> String {
    let mut line = String::new();
    tokio::time::timeout(WAIT, reader.read_line(&mut line))
        .await
        .expect("in time")
        .expect("read");
    line
}

fn tls_for(dir: &Path) -> (TlsAcceptor, TlsConnector) {
    let server = server_tls(dir, &config::Tls::default(), "mail.example.test").expect("server tls");
    let client = client_tls_trusting(&dir.join("tls/cert.pem")).expect("client tls");
    (TlsAcceptor::from(server), TlsConnector::from(client))
}

#[tokio::test]
async fn bind_on_port_zero_gets_a_free_port() {
    let listeners = bind("smtp", &[localhost(), localhost()])
        .await
        .expect("bind");
    assert_eq!(listeners.len(), 2);
    for listener in &listeners {
        assert_ne!(listener.local_addr().expect("addr").port(), 0);
    }
}

#[tokio::test]
async fn binding_an_address_in_use_names_the_service_and_address() {
    let first = bind("smtp", &[localhost()]).await.expect("bind");
    let addr = first[0].local_addr().expect("addr");
    let err = bind("submission", &[addr]).await.expect_err("in use");
    assert_eq!(
        err.to_string(),
        format!("submission: {addr}: port {} is in use", addr.port())
    );
}

#[tokio::test]
async fn binding_a_foreign_address_says_it_is_not_ours() {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737), never an address of this computer.
    let addr = SocketAddr::from(([192, 0, 2, 1], 0));
    let err = bind("smtp", &[addr]).await.expect_err("not ours");
    assert_eq!(
        err.to_string(),
        "smtp: 192.0.2.1:0: 192.0.2.1 is not an address of this computer"
    );
}

#[test]
fn bind_errors_are_in_plain_words() {
    let addr = SocketAddr::from(([0, 0, 0, 0], 25));
    let denied = io::Error::from(io::ErrorKind::PermissionDenied);
    assert_eq!(
        bind_error("smtp", addr, &denied).to_string(),
        "smtp: 0.0.0.0:25: port 25 needs administrator rights"
    );
    let in_use = io::Error::from(io::ErrorKind::AddrInUse);
    assert_eq!(
        bind_error("smtp", addr, &in_use).to_string(),
        "smtp: 0.0.0.0:25: port 25 is in use"
    );
}

#[tokio::test]
async fn a_connection_over_the_limit_gets_the_busy_reply_and_is_closed() {
    let (release, released) = tokio::sync::watch::channel(false);
    let (addr, shutdown, _tracker, task) =
        start(None, ConnLimiter::new(1, 10), move |mut stream, _| {
            let mut released = released.clone();
            async move {
                let _ = stream.write_all(b"220 hello\r\n").await;
                let _ = released.wait_for(|r| *r).await;
            }
        })
        .await;

    let first = TcpStream::connect(addr).await.expect("connect");
    let mut first = BufReader::new(first);
    assert_eq!(read_line(&mut first).await, "220 hello\r\n");

    // Same IP, limit of 1: refused with the busy reply, then closed.
    let mut second = TcpStream::connect(addr).await.expect("connect");
    let mut reply = Vec::new();
    tokio::time::timeout(WAIT, second.read_to_end(&mut reply))
        .await
        .expect("closed in time")
        .expect("read");
    assert_eq!(reply, BUSY);

    // Once the first handler returns, its slot is free again.
    release.send(true).expect("handler waiting");
    drop(first);
    let mut third = None;
    for _ in 0..50 {
        let mut conn = BufReader::new(TcpStream::connect(addr).await.expect("connect"));
        if read_line(&mut conn).await == "220 hello\r\n" {
            third = Some(conn);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(third.is_some(), "slot was released");

    shutdown.cancel();
    tokio::time::timeout(WAIT, task)
        .await
        .expect("serve stops")
        .expect("no panic");
}

#[tokio::test]
async fn starttls_upgrade_works_end_to_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (acceptor, connector) = tls_for(dir.path());
    let (addr, shutdown, tracker, _task) =
        start(None, ConnLimiter::new(10, 10), move |stream, _| {
            assert!(!stream.is_tls());
            greet_and_echo(stream, Some(acceptor.clone()))
        })
        .await;

    let mut plain = BufReader::new(TcpStream::connect(addr).await.expect("connect"));
    assert_eq!(read_line(&mut plain).await, "220 ready\r\n");
    plain
        .get_mut()
        .write_all(b"STARTTLS\r\n")
        .await
        .expect("write");
    assert_eq!(read_line(&mut plain).await, "220 go ahead\r\n");
    assert!(
        plain.buffer().is_empty(),
        "nothing may follow the go-ahead in plain text"
    );

    let name = rustls::pki_types::ServerName::try_from("mail.example.test").expect("name");
    let tls = tokio::time::timeout(WAIT, connector.connect(name, plain.into_inner()))
        .await
        .expect("handshake in time")
        .expect("handshake: the client trusts the self-signed certificate");
    let mut tls = BufReader::new(tls);
    let info = read_line(&mut tls).await;
    assert!(info.starts_with("250 TLSv1.3 with cipher TLS13_"), "{info}");
    tls.get_mut()
        .write_all(b"hello over tls\r\n")
        .await
        .expect("write");
    assert_eq!(read_line(&mut tls).await, "echo hello over tls\r\n");

    shutdown.cancel();
    tracker.close();
    tokio::time::timeout(WAIT, tracker.wait())
        .await
        .expect("handlers finish");
}

#[tokio::test]
async fn implicit_tls_handshake_happens_before_the_handler() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (acceptor, connector) = tls_for(dir.path());
    let (addr, shutdown, _tracker, _task) =
        start(Some(acceptor), ConnLimiter::new(10, 10), |stream, _| {
            assert!(stream.is_tls());
            greet_and_echo(stream, None)
        })
        .await;

    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let tls = tokio::time::timeout(WAIT, connector.connect(name, tcp))
        .await
        .expect("in time")
        .expect("handshake");
    let mut tls = BufReader::new(tls);
    assert_eq!(read_line(&mut tls).await, "220 ready\r\n");
    assert!(
        read_line(&mut tls)
            .await
            .starts_with("250 TLSv1.3 with cipher ")
    );
    shutdown.cancel();
}

#[tokio::test]
async fn a_failed_implicit_tls_handshake_drops_the_connection_and_frees_its_slot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (acceptor, _) = tls_for(dir.path());
    let limiter = ConnLimiter::new(10, 10);
    let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ran_in_handler = Arc::clone(&ran);
    let (addr, shutdown, _tracker, _task) = start(Some(acceptor), limiter.clone(), move |_, _| {
        ran_in_handler.store(true, std::sync::atomic::Ordering::SeqCst);
        async {}
    })
    .await;

    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(b"EHLO plain.example\r\n")
        .await
        .expect("write");
    let mut rest = Vec::new();
    // The server answers with a TLS alert or just closes; either way the connection ends.
    let _ = tokio::time::timeout(WAIT, tcp.read_to_end(&mut rest))
        .await
        .expect("closed in time");
    for _ in 0..100 {
        if limiter.active() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(limiter.active(), 0);
    assert!(
        !ran.load(std::sync::atomic::Ordering::SeqCst),
        "the handler must not run"
    );
    shutdown.cancel();
}

#[tokio::test]
async fn shutdown_stops_the_accept_loop_and_closes_the_listener() {
    let (addr, shutdown, _tracker, task) =
        start(None, ConnLimiter::new(10, 10), |_, _| async {}).await;
    shutdown.cancel();
    tokio::time::timeout(WAIT, task)
        .await
        .expect("serve returns")
        .expect("no panic");
    assert!(TcpStream::connect(addr).await.is_err(), "listener closed");
}

#[tokio::test]
async fn bind_addr_gives_a_short_reason_for_a_status_page() {
    let first = bind_addr(localhost()).expect("bind");
    let addr = first.local_addr().expect("addr");
    let err = bind_addr(addr).expect_err("in use");
    assert_eq!(err, format!("port {} is in use", addr.port()));
}
