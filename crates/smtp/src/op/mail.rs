//! MAIL FROM (RFC 5321 §4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531),
//! RET and ENVID (RFC 3461) and AUTH= (RFC 4954 §5).

use proto::smtp::{Body, MailParams, Path, Reply};

use crate::Kind;
use crate::session::{End, Session, Transaction};

impl Session {
    pub(crate) async fn handle_mail(&mut self, from: Path, params: MailParams) -> Result<(), End> {
        // RFC 6409 §4.3 / RFC 8314: submission requires authentication.
        if matches!(self.kind, Kind::Submission | Kind::Submissions) && self.auth().is_none() {
            let reply = if self.is_tls() {
                Reply::new(530, "5.7.0", "Authentication required")
            } else {
                Reply::new(
                    530,
                    "5.7.0",
                    "Must issue a STARTTLS command first, then authenticate",
                )
            };
            return self.error(reply).await;
        }
        let has_params = params != MailParams::default();
        // RFC 5321 §4.1.1.2: parameters are only for sessions that started with EHLO.
        if has_params && !self.esmtp() {
            return self
                .error(Reply::new(555, "5.5.4", "MAIL parameters need EHLO"))
                .await;
        }
        if let Some(size) = params.size
            && size > self.ctx.config.limits.max_message_size
        {
            return self.error(super::data::too_big()).await;
        }
        if params.body == Some(Body::BinaryMime) {
            // We do not advertise BINARYMIME (RFC 3030 §3).
            return self
                .error(Reply::new(555, "5.5.4", "BODY=BINARYMIME is not supported"))
                .await;
        }
        if let Path::Mailbox(addr) = &from
            && !addr.is_ascii()
            && !params.smtputf8
        {
            // RFC 6531 §3.2: non-ASCII addresses need the SMTPUTF8 parameter.
            return self
                .error(Reply::new(
                    553,
                    "5.6.7",
                    "Non-ASCII sender address requires SMTPUTF8",
                ))
                .await;
        }
        if let Path::Mailbox(addr) = &from
            && !self.may_send_as(addr).await
        {
            // RFC 6409 §8.1: a submission server may check that the sender is the user's.
            // Staff may send as their own address or any alias that delivers to them.
            return self
                .error(Reply::new(
                    553,
                    "5.7.1",
                    "Sender address is not yours; use your own address or one of your aliases",
                ))
                .await;
        }
        tracing::debug!(session = %self.id, from = ?from, "MAIL");
        let mut tx = Transaction::new(from, params);
        if self.inbound() {
            // RFC 7208 §2.4: the MAIL FROM identity, or HELO's for the null reverse-path.
            let client = self.trust_client();
            let mail_from = match &tx.from {
                Path::Mailbox(addr) => addr.as_str(),
                Path::Null => "",
            };
            let config = &self.ctx.config;
            tx.spf = Some(
                self.ctx
                    .trust
                    .check_spf(&config.filter, &client, mail_from, &config.hostname)
                    .await,
            );
        }
        self.state.begin_transaction(tx);
        self.reply(Reply::new(250, "2.1.0", "Sender OK"));
        Ok(())
    }
}

impl Session {
    /// Whether an authenticated user may use `addr` as the envelope sender: their own address
    /// or an address (alias, list, catch-all) that delivers to their account. Without AUTH there
    /// is no user to check (port 25 mail from the Internet).
    pub(crate) async fn may_send_as(&self, addr: &str) -> bool {
        let Some(account) = self.auth() else {
            return true;
        };
        if addr.eq_ignore_ascii_case(&account.address) {
            return true;
        }
        match self.ctx.store.resolve(addr).await {
            Ok(store::Resolution::Deliver { accounts, .. }) => accounts.contains(&account.id),
            _ => false,
        }
    }
}
