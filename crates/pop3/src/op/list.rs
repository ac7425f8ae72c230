//! STAT, LIST (RFC 1939 §5) and UIDL (RFC 1939 §7).

use proto::pop3::{Reply, write_lines};
use store::MaildropMessage;

use crate::session::{End, Session, Transaction};

impl Session {
    pub(crate) fn handle_stat(&mut self) -> Result<(), End> {
        if let Some(tx) = self.transaction() {
            // RFC 1939 §5: "+OK nn mm", deleted messages not counted.
            let (count, octets) = tx.stat();
            self.reply(Reply::ok(format!("{count} {octets}")));
        }
        Ok(())
    }

    pub(crate) async fn handle_list(&mut self, msg: Option<u32>) -> Result<(), End> {
        self.scan_listing(msg, |_, m| m.size.to_string()).await
    }

    pub(crate) async fn handle_uidl(&mut self, msg: Option<u32>) -> Result<(), End> {
        self.scan_listing(msg, Transaction::uidl).await
    }

    /// One message's line, or every live message's line as a multi-line response.
    async fn scan_listing(
        &mut self,
        msg: Option<u32>,
        value: impl Fn(&Transaction, &MaildropMessage) -> String,
    ) -> Result<(), End> {
        let Some(tx) = self.transaction() else {
            return Ok(());
        };
        match msg {
            Some(n) => match tx.message(n) {
                Ok(m) => {
                    let reply = Reply::ok(format!("{n} {}", value(tx, &m)));
                    self.reply(reply);
                    Ok(())
                }
                Err(reply) => self.error(reply).await,
            },
            None => {
                let (count, octets) = tx.stat();
                let lines: Vec<String> = tx
                    .live()
                    .map(|(n, m)| format!("{n} {}", value(tx, m)))
                    .collect();
                let first = Reply::ok(format!("{count} messages ({octets} octets)"));
                write_lines(&first, lines, &mut self.shell.wbuf);
                Ok(())
            }
        }
    }
}
