//! The outbound queue's outcomes (delivered, deferred, bounced) arrive as typed events on
//! `/api/events`, carry the queue row's id, and move the dashboard's counters: the real binary
//! relays to a peer on loopback that takes one recipient and refuses another, and to a port
//! where nobody listens.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

use serde_json::{Value, json};
use tests::admin::{admin_server, request};
use tests::events;
use tests::free_port;

/// A peer that speaks just enough SMTP (RFC 5321 §4.1) for one client at a time: it accepts
/// every recipient except those starting with `refused`, which get 550.
fn peer() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind peer");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            // A broken connection ends that session only; the queue retries on its own.
            let _ = serve(stream);
        }
    });
    port
}

fn serve(stream: TcpStream) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 peer.test ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 peer.test\r\n",
            "RCPT" if line.to_ascii_lowercase().contains("<refused") => {
                b"550 5.1.1 No such user\r\n"
            }
            "DATA" => {
                out.write_all(b"354 Go ahead\r\n")?;
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 || line == ".\r\n" {
                        break;
                    }
                }
                b"250 2.0.0 Taken\r\n"
            }
            "QUIT" => {
                out.write_all(b"221 2.0.0 Bye\r\n")?;
                return Ok(());
            }
            _ => b"250 2.0.0 OK\r\n",
        };
        out.write_all(reply)?;
    }
}

#[test]
fn queue_outcomes_arrive_as_typed_events_with_their_row_and_move_the_counters() {
    let peer = peer();
    // Nobody listens here: every attempt there is deferred.
    let closed = free_port();
    let (server, token) = admin_server(&format!(
        "[relay]\nnetworks = [\"127.0.0.0/8\"]\n\
         [[route]]\ndomains = [\"peer.test\"]\nrelay = [\"127.0.0.1:{peer}\"]\ntls = \"none\"\n\
         [[route]]\ndomains = [\"closed.test\"]\nrelay = [\"127.0.0.1:{closed}\"]\ntls = \"none\"\n"
    ));
    let smtp = server.smtp.port().to_string();
    let recipients = "taken@peer.test,refused@peer.test,later@closed.test";
    let mut events = events::traffic(&server, &token, "events_send.py", &[&smtp, recipients], 4);
    let size = events.first().map(|e| e["size"].clone());
    assert_eq!(
        events.first(),
        Some(&json!({"kind": "accepted", "size": size, "recipients": 3,
                     "authenticated": false})),
        "{events:?}\n{}",
        server.log()
    );
    // The two destinations are separate lanes: their outcomes come in either order.
    let mut outcomes = events.split_off(1);
    outcomes.sort_by_key(|e| e["kind"].as_str().unwrap_or("").to_string());
    let row = |rcpt: &str| -> i64 {
        server
            .sql(&format!("SELECT id FROM queue WHERE recipient = '{rcpt}'"))
            .trim()
            .parse()
            .expect("queue id")
    };
    assert_eq!(
        outcomes,
        [
            json!({"kind": "bounced", "queue_id": row("refused@peer.test")}),
            json!({"kind": "deferred", "queue_id": row("later@closed.test")}),
            json!({"kind": "delivered", "queue_id": row("taken@peer.test")}),
        ],
        "{}",
        server.log()
    );
    let status = request(&server, "GET", "/api/status", &token, "-");
    let status: Value = serde_json::from_str(&status.body).expect("status JSON");
    assert_eq!(
        status["counters"],
        json!({"received": 1, "rejected": 0, "auth_failures": 0,
               "delivered": 1, "deferred": 1, "bounced": 1})
    );
    // The bounce's DSN went to alice's INBOX, as the event said.
    assert!(
        server
            .export("alice@example.test")
            .contains("refused@peer.test")
    );
}
