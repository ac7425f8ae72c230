//! The look-up against real sockets on loopback: an endpoint that never answers times out,
//! one that answers a private address is skipped, and the next one's answer is taken.

use std::net::IpAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::lookup;

/// A one-connection-at-a-time HTTP server answering `body` (or never, if `None`); its URL.
async fn serve(body: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request).await;
            match body {
                Some(body) => {
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                }
                // Keep the connection open and silent.
                None => held.push(stream),
            }
        }
    });
    url
}

fn client() -> reqwest::Client {
    super::client(IpAddr::from([0, 0, 0, 0]), Duration::from_millis(500)).expect("client")
}

#[tokio::test]
async fn a_silent_and_a_private_endpoint_are_skipped() {
    let silent = serve(None).await;
    let private = serve(Some("10.0.0.7\n")).await;
    let good = serve(Some("81.2.69.160\n")).await;
    let found = lookup(&client(), &[silent, private, good], false).await;
    assert_eq!(found, Ok(Some(IpAddr::from([81, 2, 69, 160]))));
}

#[tokio::test]
async fn when_every_endpoint_fails_each_failure_is_named() {
    let silent = serve(None).await;
    let garbage = serve(Some("<html>busy</html>")).await;
    let v6 = serve(Some("2a00:1450:4001::1")).await;
    let err = lookup(
        &client(),
        &[silent.clone(), garbage.clone(), v6.clone()],
        false,
    )
    .await
    .expect_err("no address");
    assert!(err.starts_with("IPv4: "), "{err}");
    assert!(err.contains(&format!("{silent}: timed out")), "{err}");
    assert!(
        err.contains(&format!("{garbage}: the answer is not an IP address")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{v6}: 2a00:1450:4001::1 is not an IPv4 address")),
        "{err}"
    );
}

#[tokio::test]
async fn no_endpoints_means_no_look_up() {
    assert_eq!(lookup(&client(), &[], true).await, Ok(None));
}
