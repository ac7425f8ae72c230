//! What the event tests share: Python that opens `/api/events`, runs the test's client
//! actions, then collects the typed `traffic` events the server streamed.

#![allow(dead_code)]

use serde_json::Value;
use tests::{Server, python_ok};

/// Opens the stream (argv 1, 2: URL, token); the actions follow, with their arguments from
/// argv 4 on.
const OPEN: &str = r#"
import sys, time, urllib.request
url, token, want, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
req = urllib.request.Request(url, headers={'Authorization': 'Bearer ' + token})
# The stream is open once its headers are read; events from here on reach it.
stream = urllib.request.urlopen(req, timeout=60)
"#;

/// Prints the data of each `traffic` event until `want` of them or 60 s.
const READ: &str = r#"
seen, name, deadline = 0, '', time.time() + 60
while seen < want and time.time() < deadline:
    line = stream.readline().decode().rstrip('\r\n')
    if line.startswith('event:'):
        name = line[len('event:'):].strip()
    elif line.startswith('data:') and name == 'traffic':
        print(line[len('data:'):].strip(), flush=True)
        seen += 1
"#;

/// Runs `actions` (Python, its arguments in `args`) with the event stream open and returns
/// up to `want` traffic events, each without its `time` and `type`.
pub fn traffic(
    server: &Server,
    token: &str,
    actions: &str,
    args: &[&str],
    want: usize,
) -> Vec<Value> {
    let url = format!("http://{}/api/events", server.addr("admin"));
    let want = want.to_string();
    let mut argv = vec![url.as_str(), token, want.as_str()];
    argv.extend_from_slice(args);
    let printed = python_ok(&format!("{OPEN}{actions}{READ}"), &argv);
    printed
        .lines()
        .map(|line| {
            let mut event: Value = serde_json::from_str(line).expect("traffic JSON");
            let object = event.as_object_mut().expect("an object");
            assert!(object.remove("time").is_some_and(|t| t.is_i64()), "{line}");
            assert_eq!(
                object.remove("type"),
                Some(Value::from("traffic")),
                "{line}"
            );
            event
        })
        .collect()
}
