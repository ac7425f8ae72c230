//! A whole POP3 session's input: lines through `LineSplitter` and `parse_command`; after an
//! AUTH with a mechanism, lines go to the SASL machine until it is done; each RETR or TOP
//! streams a body made of the input itself through `Multiline`, in chunks of a size the
//! command chose, and the result must decode back (SMTP's decoder) or be a line prefix (TOP).
//! The input is run in one read and in two (split where its first byte says): both runs
//! must see the same events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proto::pop3::{
    Command, Line, LineSplitter, Mechanism, Multiline, Reply, SaslServer, Step, parse_command,
};
use proto::smtp::{DataDecoder, DataStatus};

const MAX_LINE: usize = 64;

#[derive(Debug, PartialEq)]
enum Event {
    Command(String),
    Sasl(String),
    TooLong,
}

/// Streams `body` as RETR (or TOP `lines`) in chunks of `size` and checks the wire form.
fn check_body(body: &[u8], size: usize, top: Option<u32>) {
    let stream = |m: Multiline| m.encode_in_chunks(body, size);
    let retr = stream(Multiline::new());
    assert!(retr.ends_with(b".\r\n"));
    // Only CRLF line ends are decodable by SMTP's strict decoder (stored mail has only those).
    let clean = body.iter().enumerate().all(|(i, &b)| match b {
        b'\n' => i > 0 && body[i - 1] == b'\r',
        b'\r' => body.get(i + 1) == Some(&b'\n'),
        _ => true,
    });
    if clean {
        let mut decoded = Vec::new();
        let (used, status) = DataDecoder::new(1 << 20).feed(&retr, &mut decoded);
        assert_eq!(used, retr.len());
        assert_eq!(
            status,
            DataStatus::Complete {
                bare_cr: false,
                oversized: false
            }
        );
        let mut want = body.to_vec();
        if !want.is_empty() && !want.ends_with(b"\r\n") {
            want.extend_from_slice(b"\r\n");
        }
        assert_eq!(decoded, want);
    }
    if let Some(lines) = top {
        let top = stream(Multiline::top(lines));
        let head = &top[..top.len() - 3];
        assert!(retr.starts_with(head));
    }
}

/// Takes every complete line out of `buf`: `Some(line)`, or `None` for an over-long line.
fn take_lines(splitter: &mut LineSplitter, buf: &mut Vec<u8>) -> Vec<Option<Vec<u8>>> {
    let mut lines = Vec::new();
    let mut at = 0;
    loop {
        let (consumed, line) = match splitter.next(&buf[at..]) {
            Line::Incomplete => break,
            Line::Complete { line, consumed } => {
                assert!(line.len() <= MAX_LINE);
                (consumed, Some(Some(line.to_vec())))
            }
            Line::TooLong { consumed, finished } => (consumed, finished.then_some(None)),
        };
        assert!(consumed > 0 && at + consumed <= buf.len());
        at += consumed;
        lines.extend(line);
    }
    buf.drain(..at);
    // The splitter never has the caller hold more than one line and its CR.
    assert!(buf.len() <= MAX_LINE + 1);
    lines
}

/// What a session does with one line: SASL while an exchange runs, else a command.
fn session_step(
    line: &[u8],
    sasl: &mut Option<SaslServer>,
    bodies: &mut usize,
    body: &[u8],
) -> Event {
    if let Some(exchange) = sasl.as_mut() {
        let step = exchange.respond(&String::from_utf8_lossy(line));
        if !matches!(step, Step::Challenge(_)) {
            *sasl = None;
        }
        return Event::Sasl(format!("{step:?}"));
    }
    let parsed = parse_command(line);
    // Streaming a body is the slow part: a few per input are enough.
    let stream_body = *bodies < 3;
    match &parsed {
        Ok(Command::Auth {
            mechanism: Some(name),
            initial,
        }) => {
            if let Some(m) = Mechanism::from_name(name) {
                let (exchange, step) = SaslServer::start(m, initial.as_deref());
                if matches!(step, Step::Challenge(_)) {
                    *sasl = Some(exchange);
                }
            }
        }
        Ok(Command::Retr(n)) if stream_body => {
            *bodies += 1;
            check_body(body, *n as usize % 97, None);
        }
        Ok(Command::Top { msg, lines }) if stream_body => {
            *bodies += 1;
            check_body(body, *msg as usize % 97, Some(*lines % 50));
        }
        _ => {}
    }
    let text = format!("{parsed:?}");
    // A response never holds more than its own line end.
    let wire = Reply::err(text.clone()).to_bytes();
    assert_eq!(wire.iter().filter(|&&b| b == b'\n').count(), 1);
    Event::Command(text)
}

fn run(reads: &[&[u8]], body: &[u8]) -> Vec<Event> {
    let mut splitter = LineSplitter::new(MAX_LINE);
    let mut sasl = None;
    let mut bodies = 0;
    let mut buf = Vec::new();
    let mut events = Vec::new();
    for read in reads {
        buf.extend_from_slice(read);
        for line in take_lines(&mut splitter, &mut buf) {
            events.push(match line {
                Some(line) => session_step(&line, &mut sasl, &mut bodies, body),
                None => Event::TooLong,
            });
        }
    }
    events
}

fuzz_target!(|data: &[u8]| {
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let whole = run(&[data], data);
    let split = run(&[&data[..cut], &data[cut..]], data);
    assert_eq!(whole, split);
});
