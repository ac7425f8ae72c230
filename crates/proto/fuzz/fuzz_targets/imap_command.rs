//! IMAP commands: the input through `CommandReader` (in one read and in two, which must
//! agree) and every framed command through `parse_command`, with the small limits used
//! before login and the large ones after.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proto::imap::{CommandReader, Frame, Limits, parse_command};

fn frames(limits: Limits, pieces: &[&[u8]]) -> Vec<Frame> {
    let mut reader = CommandReader::new(limits);
    let mut out = Vec::new();
    for piece in pieces {
        let mut pos = 0;
        while pos < piece.len() {
            let (n, frame) = reader.next(&piece[pos..]);
            pos += n;
            if let Frame::Command(command) = &frame {
                if let Ok(request) = parse_command(command) {
                    // The name is total over every command.
                    let _ = request.command.name();
                }
            }
            if frame != Frame::Incomplete {
                out.push(frame);
            }
            if n == 0 {
                break;
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let cut = data.first().map_or(0, |&b| b as usize).min(data.len());
    for limits in [Limits::before_login(), Limits::logged_in(1 << 20)] {
        let whole = frames(limits, &[data]);
        let split = frames(limits, &[&data[..cut], &data[cut..]]);
        assert_eq!(whole, split);
    }
});
