//! At least once: Postroom killed with SIGKILL in the middle of a delivery still delivers
//! the message after a restart (the row left in flight is due again at start).

use std::time::Duration;

use tests::peers::{Remote, alice_sends, state_of, wait_state, wait_until};

#[test]
fn a_delivery_cut_by_kill_9_is_made_again_after_restart() {
    // The peer sits on the first message for a while before answering.
    let remote = Remote::start("127.0.0.51", "slow.test", &["--slow-first-data", "5"]);
    let mut server = remote.server("retry = [\"1h\"]", "");
    alice_sends(&server, "jo@slow.test", "kill9@test");
    wait_until(Duration::from_secs(30), "the peer to get the data", || {
        remote.peer.events().contains("DATA 1")
    });
    server.kill9();
    assert_eq!(state_of(&server, "jo@slow.test"), "in-flight");
    server.spawn();
    // Due again at start: the retry schedule (1h) does not apply to a cut attempt.
    wait_state(&server, "jo@slow.test", "delivered", 30);
    let got = remote.peer.wait_messages(1, Duration::from_secs(10));
    assert!(
        got.iter()
            .any(|(_, content)| content.contains("<kill9@test>")),
        "{got:?}"
    );
    assert!(server.log().contains("due again"), "the recovery is logged");
}
