//! Real SMTP clients delivering on port 25: swaks and curl.

use tests::{Server, message};

#[test]
fn swaks_delivers_to_a_local_user() {
    let server = Server::start();
    tests::run_ok(
        std::process::Command::new("swaks")
            .args([
                "--server",
                &server.smtp.to_string(),
                "--from",
                "sender@outside.test",
                "--to",
                "bob@example.test",
            ])
            .args([
                "--header",
                "Subject: via swaks",
                "--header",
                "Message-Id: <swaks-1@test>",
                "--body",
                "hi from swaks",
            ]),
        "swaks (.ci/run installs it)",
    );
    server.mbox_with("bob@example.test", &["<swaks-1@test>", "hi from swaks"]);
}

#[test]
fn curl_delivers_over_smtp() {
    let server = Server::start();
    let file = server.data_dir().join("curl.eml");
    std::fs::write(&file, message("curl-1@test", "via curl")).expect("write");
    let url = format!("smtp://{}/client.test", server.smtp);
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "--url",
            &url,
            "--mail-from",
            "sender@outside.test",
            "--mail-rcpt",
            "dave@example.test",
        ])
        .arg("--upload-file")
        .arg(&file)
        .output()
        .expect("curl");
    tests::assert_success(&out);
    assert_eq!(
        server.message_ids("dave@example.test"),
        vec!["<curl-1@test>"]
    );
}
