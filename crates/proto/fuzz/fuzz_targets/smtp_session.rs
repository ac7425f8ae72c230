//! A whole SMTP session's input: lines through `LineSplitter` and `parse_command`; after a
//! DATA line, the rest goes through `DataDecoder` and command parsing resumes after it.
//! The input is run once in a single read and once in two reads (split where its first byte
//! says), and both runs must see the same events: state carried across reads must not matter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proto::smtp::{Command, DataDecoder, DataStatus, Line, LineSplitter, Reply, parse_command};

const MAX_LINE: usize = 64;
const MAX_BODY: usize = 256;

/// What a session would act on.
#[derive(Debug, PartialEq)]
enum Event {
    Command(String),
    TooLong,
    Message { body: Vec<u8>, status: DataStatus },
}

fn run(reads: &[&[u8]]) -> Vec<Event> {
    let mut splitter = LineSplitter::new(MAX_LINE);
    let mut decoder: Option<DataDecoder> = None;
    let mut body = Vec::new();
    let mut buf = Vec::new();
    let mut events = Vec::new();
    let mut replies = Vec::new();
    for read in reads {
        buf.extend_from_slice(read);
        loop {
            if let Some(d) = decoder.as_mut() {
                let (n, status) = d.feed(&buf, &mut body);
                assert!(n <= buf.len());
                assert!(body.len() <= MAX_BODY);
                buf.drain(..n);
                if status == DataStatus::Incomplete {
                    assert!(buf.is_empty());
                    break;
                }
                decoder = None;
                events.push(Event::Message {
                    body: std::mem::take(&mut body),
                    status,
                });
                continue;
            }
            match splitter.next(&buf) {
                Line::Complete { line, consumed } => {
                    assert!(line.len() <= MAX_LINE && consumed <= buf.len());
                    let parsed = parse_command(line);
                    if let Ok(Command::Data) = parsed {
                        decoder = Some(DataDecoder::new(MAX_BODY));
                    }
                    let text = format!("{parsed:?}");
                    Reply::new(250, "2.0.0", text.clone()).write_to(&mut replies);
                    events.push(Event::Command(text));
                    buf.drain(..consumed);
                }
                Line::TooLong { consumed, finished } => {
                    assert!(consumed > 0 && consumed <= buf.len());
                    if finished {
                        events.push(Event::TooLong);
                    }
                    buf.drain(..consumed);
                }
                Line::Incomplete => break,
            }
        }
        // The splitter never has the caller hold more than one line and its CRLF.
        assert!(buf.len() <= MAX_LINE + 1);
    }
    assert!(replies.ends_with(b"\r\n") || replies.is_empty());
    events
}

fuzz_target!(|data: &[u8]| {
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let whole = run(&[data]);
    let split = run(&[&data[..cut], &data[cut..]]);
    assert_eq!(whole, split);
});
