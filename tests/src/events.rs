//! What the event tests share: Python that opens `/api/events`, runs the test's client
//! actions, then collects the typed `traffic` events the server streamed.

use crate::{Server, python_ok};
use serde_json::Value;

/// Runs the fixture `actions` (Python, its arguments in `args`; `tests/fixtures/events_traffic.py`) with the event stream open and returns
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
    let mut argv = vec![url.as_str(), token, want.as_str(), actions];
    argv.extend_from_slice(args);
    let printed = python_ok("events_traffic.py", &argv);
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
