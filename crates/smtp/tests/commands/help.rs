//! HELP (RFC 5321 §4.1.1.8).

use crate::Smtp;

#[tokio::test]
async fn help_lists_the_commands_214() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    let reply = conn.cmd("HELP").await;
    reply.assert(214, "2.0.0");
    for verb in [
        "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "STARTTLS", "AUTH", "ETRN",
    ] {
        reply.says(verb);
    }
    // §4.1.1.8: an argument is allowed.
    conn.expect("HELP MAIL", 214, "2.0.0").await;
}

#[tokio::test]
async fn help_with_a_control_character_is_refused_501() {
    let (_smtp, mut conn) = Smtp::mx_session().await;
    conn.client.send_raw(b"HELP \0\r\n").await;
    conn.reply().await.assert(501, "5.5.2");
}
