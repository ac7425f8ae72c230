//! Inbound SMTP (RFC 5321) and submission (RFC 6409): a file per command or topic.

mod auth;
mod bdat;
mod clients;
mod data;
mod ehlo;
mod etrn;
mod hostile;
mod line_ends;
mod mail;
mod max_hops;
mod rcpt;

use tests::{Server, python_ok};

/// smtplib: send one message; prints the reply code of each refused recipient or "OK".
const SEND: &str = "smtp_send.py";

fn send(server: &Server, rcpts: &str, msg: &str) -> String {
    let port = server.smtp.port().to_string();
    python_ok(
        SEND,
        &["127.0.0.1", &port, "sender@outside.test", rcpts, msg],
    )
    .trim()
    .to_string()
}

/// Runs the fixture `script` with `addr`'s port and the fixture password as its arguments
/// (an smtplib client that signs in); returns its stdout.
fn with_password(script: &str, addr: std::net::SocketAddr) -> String {
    python_ok(script, &[&addr.port().to_string(), tests::PASSWORD])
}
