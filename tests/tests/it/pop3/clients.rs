//! Real POP3 clients against the server: fetchmail leaving mail on the server (it tracks
//! UIDL between runs), getmail6 retrieving and deleting, curl's pop3:// URLs.

use std::path::Path;
use std::process::Command;

use tests::PASSWORD;
use tests::pop3::{Pop3, deliver, inbox_count, message, server, stored};

/// Runs fetchmail once with `rc`; returns its exit code (0: mail fetched, 1: no mail).
fn fetchmail(home: &Path, rc: &Path) -> i32 {
    let out = Command::new("fetchmail")
        .env("FETCHMAILHOME", home)
        .args(["--nosyslog", "-f"])
        .arg(rc)
        .output()
        .expect("fetchmail");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "fetchmail exit {code}:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    code
}

/// Message-IDs of the files in `dir`, sorted.
fn fetched_ids(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .expect("out dir")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("read"))
        .flat_map(|text| tests::message_ids(&text))
        .collect();
    ids.sort();
    ids
}

/// An executable `dir/mda.sh` that writes each message it reads into `out_dir`.
fn mda(dir: &std::path::Path, out_dir: &std::path::Path) -> std::path::PathBuf {
    let mda = dir.join("mda.sh");
    let script = format!(
        "#!/bin/sh\ncat > \"{}/$(date +%s%N).eml\"\n",
        out_dir.display()
    );
    std::fs::write(&mda, script).expect("mda");
    Command::new("chmod")
        .args(["0755", mda.to_str().expect("path")])
        .status()
        .expect("chmod");
    mda
}

#[test]
fn fetchmail_keep_fetches_only_new_mail_on_the_next_run() {
    let server = server();
    deliver(&server, "alice@example.test", &message("old-1@test"));
    deliver(&server, "alice@example.test", &message("old-2@test"));
    let home = tempfile::tempdir().expect("tempdir");
    let out_dir = home.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let mda = mda(home.path(), &out_dir);
    // keep: leave the mail on the server; uidl: remember what was seen by UIDL.
    let rc = home.path().join("fetchmailrc");
    std::fs::write(
        &rc,
        format!(
            "poll 127.0.0.1 service {} protocol pop3 uidl\n  user \"alice@example.test\" there with password \"{PASSWORD}\" is \"root\" here\n  keep sslproto \"\" mda \"{}\"\n",
            server.addr("pop3").port(),
            mda.display()
        ),
    )
    .expect("rc");
    // fetchmail refuses an rc file others can read.
    Command::new("chmod")
        .args(["0600", rc.to_str().expect("path")])
        .status()
        .expect("chmod");

    assert_eq!(fetchmail(home.path(), &rc), 0);
    assert_eq!(fetched_ids(&out_dir), vec!["<old-1@test>", "<old-2@test>"]);
    assert_eq!(
        inbox_count(&server, "alice@example.test"),
        2,
        "keep left them"
    );

    deliver(&server, "alice@example.test", &message("new@test"));
    assert_eq!(fetchmail(home.path(), &rc), 0);
    // Only the new message was fetched again.
    assert_eq!(
        fetched_ids(&out_dir),
        vec!["<new@test>", "<old-1@test>", "<old-2@test>"]
    );
    // Nothing new: exit 1, nothing fetched.
    assert_eq!(fetchmail(home.path(), &rc), 1);
    assert_eq!(fetched_ids(&out_dir).len(), 3);
    assert_eq!(inbox_count(&server, "alice@example.test"), 3);
    // And the maildrop was never left locked.
    let mut c = Pop3::login(server.addr("pop3"), "alice@example.test");
    c.expect("STAT", "+OK 3 ");
}

#[test]
fn getmail_retrieves_and_deletes_over_pop3() {
    let server = server();
    for id in ["gm-1@test", "gm-2@test"] {
        deliver(&server, "dave@example.test", &message(id));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    // getmail6 will not run an MDA as root: it runs as nobody:nogroup, writing where
    // nobody may.
    Command::new("chmod")
        .args(["0777", out_dir.to_str().expect("path")])
        .status()
        .expect("chmod");
    let mda = mda(dir.path(), &out_dir);
    Command::new("chmod")
        .args(["0755", dir.path().to_str().expect("path")])
        .status()
        .expect("chmod");
    let rc = dir.path().join("getmailrc");
    std::fs::write(
        &rc,
        format!(
            "[retriever]\ntype = SimplePOP3Retriever\nserver = 127.0.0.1\nport = {}\nusername = dave@example.test\npassword = {PASSWORD}\n\n[destination]\ntype = MDA_external\npath = {}\nuser = nobody\ngroup = nogroup\n\n[options]\nread_all = true\ndelete = true\nverbose = 1\n",
            server.addr("pop3").port(),
            mda.display()
        ),
    )
    .expect("rc");
    tests::run_ok(
        Command::new("getmail")
            .arg("--getmaildir")
            .arg(dir.path())
            .arg("--rcfile")
            .arg(&rc),
        "getmail",
    );
    assert_eq!(fetched_ids(&out_dir), vec!["<gm-1@test>", "<gm-2@test>"]);
    // delete = true: DELE for each, then QUIT removed them.
    assert_eq!(inbox_count(&server, "dave@example.test"), 0);
}

#[test]
fn curl_lists_and_retrieves_over_pop3_urls() {
    let server = server();
    deliver(&server, "bob@example.test", &message("curl@test"));
    let stored = stored(&server, "bob@example.test", 1);
    let base = format!("pop3://127.0.0.1:{}", server.addr("pop3").port());
    let user = format!("bob@example.test:{PASSWORD}");
    let list = Command::new("curl")
        .args(["-sS", "--max-time", "30", "-u", &user, &format!("{base}/")])
        .output()
        .expect("curl");
    tests::assert_success(&list);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).trim(),
        format!("1 {}", stored.len())
    );
    // curl logs in with AUTH (it prefers SASL when CAPA offers it); force each mechanism.
    for mechanism in ["PLAIN", "LOGIN"] {
        let retr = Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "30",
                "-u",
                &user,
                "--login-options",
                &format!("AUTH={mechanism}"),
                &format!("{base}/1"),
            ])
            .output()
            .expect("curl");
        tests::assert_success(&retr);
        assert_eq!(retr.stdout, stored, "AUTH {mechanism}");
    }
}
