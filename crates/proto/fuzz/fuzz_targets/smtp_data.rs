//! The DATA decoder alone: the same input fed whole and in three pieces must give the same
//! body, the same consumed count and the same status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proto::smtp::{DataDecoder, DataStatus};

fuzz_target!(|data: &[u8]| {
    let Some((&[a, b, limit], input)) = data.split_first_chunk::<3>() else {
        return;
    };
    let limit = usize::from(limit);

    let mut whole = Vec::new();
    let (n_whole, status_whole) = DataDecoder::new(limit).feed(input, &mut whole);
    assert!(n_whole <= input.len());
    assert!(whole.len() <= limit);

    let mut cuts = [
        usize::from(a).min(input.len()),
        usize::from(b).min(input.len()),
    ];
    cuts.sort_unstable();
    let mut decoder = DataDecoder::new(limit);
    let mut pieces = Vec::new();
    let mut pos = 0;
    let mut status = DataStatus::Incomplete;
    for end in [cuts[0], cuts[1], input.len()] {
        let (n, s) = decoder.feed(&input[pos..end], &mut pieces);
        pos += n;
        status = s;
        if s != DataStatus::Incomplete {
            break;
        }
        assert_eq!(pos, end);
    }
    assert_eq!((pos, status), (n_whole, status_whole));
    assert_eq!(pieces, whole);
    if let DataStatus::Complete { .. } = status {
        assert!(input[..pos].ends_with(b".\r\n"));
    }
});
