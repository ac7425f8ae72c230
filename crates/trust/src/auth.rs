//! Sender authentication: SPF (RFC 7208) at MAIL FROM; DKIM (RFC 6376), ARC (RFC 8617) and
//! DMARC (RFC 7489) at the end of DATA; the Authentication-Results header (RFC 8601) that
//! records them; the anti-spoofing rule for our own domains (`policy.rs`). mail-auth
//! evaluates them, through the resolver of `[dns]`.
//!
//! Every lookup runs within the message's deadline; a lookup that fails or runs out of time
//! gives a `*_TEMPERROR` reason with no score, never a refusal.

use std::time::Instant;

use mail_auth::{
    ArcOutput, AuthenticatedMessage, AuthenticationResults, DkimOutput, DkimResult, DmarcOutput,
    MessageAuthenticator, SpfOutput, SpfResult, dmarc::verify::DmarcParameters,
    spf::verify::SpfParameters,
};

use crate::{Client, Message, Reason, Trust};

/// The SPF result for the session's MAIL FROM (and HELO), found at MAIL time.
#[derive(Debug, Clone, Default)]
pub struct SpfCheck {
    pub reasons: Vec<Reason>,
    /// mail-auth's result, for DMARC and the Authentication-Results field; `None` when SPF
    /// is off.
    pub(crate) output: Option<SpfOutput>,
    /// The identity checked: MAIL FROM, or `postmaster@<HELO>` for the null reverse-path.
    pub(crate) mail_from: String,
    pub(crate) helo: String,
}

/// DKIM, ARC and DMARC of one message.
#[derive(Debug, Clone, Default)]
pub struct Authentication {
    pub reasons: Vec<Reason>,
    /// The `Authentication-Results: ...` field (RFC 8601), without CRLF.
    pub header: Option<String>,
}

/// What the end-of-DATA checks found, for the rules of `policy.rs`.
pub(crate) struct Findings<'a> {
    pub parsed: &'a AuthenticatedMessage<'a>,
    pub spf: Option<&'a SpfCheck>,
    pub dkim: &'a [DkimOutput<'a>],
    /// Whether DKIM could be verified at all (not on a message too large to scan).
    pub dkim_verified: bool,
    pub arc: Option<&'a ArcOutput<'a>>,
    pub dmarc: Option<&'a DmarcOutput>,
}

impl Trust {
    fn authenticator(&self) -> MessageAuthenticator {
        MessageAuthenticator(self.resolver.clone())
    }

    /// SPF for `mail_from`, or for the HELO name with the null reverse-path (RFC 7208 §2.4:
    /// "postmaster@" the HELO domain). `hostname` is ours (the `%{r}` macro, §7.3).
    pub async fn check_spf(
        &self,
        config: &config::Filter,
        client: &Client,
        mail_from: &str,
        hostname: &str,
    ) -> SpfCheck {
        // RFC 7208 §2.3: without a usable HELO name the identity is the address literal.
        let helo = client.helo.clone().unwrap_or_else(|| client.ip.to_string());
        let mut check = SpfCheck {
            mail_from: mail_from.to_string(),
            helo,
            ..SpfCheck::default()
        };
        if !config.spf {
            return check;
        }
        let deadline = Instant::now() + std::time::Duration::from_millis(config.dns_budget_ms);
        let params = if mail_from.is_empty() {
            SpfParameters::verify_ehlo(client.ip, &check.helo, hostname)
        } else {
            SpfParameters::verify_mail_from(client.ip, &check.helo, hostname, mail_from)
        };
        let domain = params_domain(mail_from, &check.helo);
        let output =
            match tokio::time::timeout_at(deadline.into(), self.authenticator().verify_spf(params))
                .await
            {
                Ok(output) => output,
                // RFC 7208 §2.6.6: a transient DNS error is "temperror".
                Err(_) => SpfOutput::new(domain.to_string()).with_result(SpfResult::TempError),
            };
        check.reasons.push(spf_reason(&output, domain));
        check.output = Some(output);
        check
    }

    /// DKIM, ARC and DMARC for `message`, with the SPF result found at MAIL; then the
    /// DMARC policy and the anti-spoofing rule (`policy.rs`).
    pub async fn authenticate(
        &self,
        config: &config::Filter,
        message: &Message<'_>,
        spf: Option<&SpfCheck>,
        deadline: Instant,
    ) -> Authentication {
        let mut reasons = Vec::new();
        let mut results = AuthenticationResults::new(message.hostname);
        let mut any_result = false;
        if let Some(SpfCheck {
            output: Some(output),
            mail_from,
            helo,
            ..
        }) = spf
        {
            results = match mail_from.is_empty() {
                true => results.with_spf_ehlo_result(output, message.client.ip, helo),
                false => {
                    results.with_spf_mailfrom_result(output, message.client.ip, mail_from, helo)
                }
            };
            any_result = true;
        }
        let Some(parsed) = AuthenticatedMessage::parse(message.bytes) else {
            reasons.push(Reason::new(
                "AUTH_UNPARSED",
                0.0,
                "the header section could not be read for DKIM, ARC and DMARC",
            ));
            return Authentication {
                reasons,
                header: Some(header(&results, any_result)),
            };
        };
        let resolver = self.authenticator();
        let deadline = tokio::time::Instant::from(deadline);
        // DKIM needs the whole body (the body hash, RFC 6376 §3.7): a message past
        // `max_scan_size` keeps its signatures unverified, which never counts as a pass.
        let dkim_verified = !message.truncated;
        let want_dkim = (config.dkim || config.dmarc || config.anti_spoofing) && dkim_verified;
        let dkim_lookups = async {
            match want_dkim {
                true => tokio::time::timeout_at(deadline, resolver.verify_dkim(&parsed))
                    .await
                    .ok(),
                false => Some(Vec::new()),
            }
        };
        let arc_lookups = async {
            match config.arc && dkim_verified {
                true => tokio::time::timeout_at(deadline, resolver.verify_arc(&parsed))
                    .await
                    .map(Some)
                    .unwrap_or(None),
                false => None,
            }
        };
        let (dkim, arc) = tokio::join!(dkim_lookups, arc_lookups);
        let dkim = dkim.unwrap_or_else(|| {
            reasons.push(timed_out("DKIM_TEMPERROR", "DKIM"));
            Vec::new()
        });
        if !dkim_verified && !parsed.dkim_headers.is_empty() {
            reasons.push(Reason::new(
                "DKIM_UNVERIFIED",
                0.0,
                "the message is larger than [filter] max_scan_size; its DKIM signatures were not verified",
            ));
        }
        if config.dkim {
            reasons.extend(dkim.iter().filter_map(dkim_reason));
            results = results.with_dkim_results(&dkim, parsed.from());
            any_result |= !dkim.is_empty();
        }
        if let Some(arc) = &arc
            && !matches!(arc.result(), DkimResult::None)
        {
            reasons.push(arc_reason(arc));
            results = results.with_arc_result(arc, message.client.ip);
            any_result = true;
        }
        let dmarc = match (config.dmarc, spf.and_then(|s| s.output.as_ref())) {
            (true, spf_output) => {
                let fallback;
                let spf_output = match spf_output {
                    Some(output) => output,
                    None => {
                        fallback = SpfOutput::new(String::new()).with_result(SpfResult::None);
                        &fallback
                    }
                };
                let mail_from_domain = spf.map_or("", |s| params_domain(&s.mail_from, &s.helo));
                let params = DmarcParameters::new(&parsed, &dkim, mail_from_domain, spf_output);
                match tokio::time::timeout_at(deadline, resolver.verify_dmarc(params)).await {
                    Ok(output) => Some(output),
                    Err(_) => {
                        reasons.push(timed_out("DMARC_TEMPERROR", "DMARC"));
                        None
                    }
                }
            }
            (false, _) => None,
        };
        if let Some(dmarc) = &dmarc
            && !dmarc.domain().is_empty()
        {
            results = results.with_dmarc_result(dmarc);
            any_result = true;
        }
        let findings = Findings {
            parsed: &parsed,
            spf,
            dkim: &dkim,
            dkim_verified,
            arc: arc.as_ref(),
            dmarc: dmarc.as_ref(),
        };
        reasons.extend(crate::policy::dmarc_policy(&findings));
        if config.anti_spoofing {
            reasons.extend(self.spoofing(&findings).await);
        }
        Authentication {
            reasons,
            header: Some(header(&results, any_result)),
        }
    }
}

/// The domain SPF checks: MAIL FROM's, or the HELO name's for the null reverse-path.
fn params_domain<'a>(mail_from: &'a str, helo: &'a str) -> &'a str {
    match mail_from.rsplit_once('@') {
        Some((_, domain)) => domain,
        None => helo,
    }
}

/// `Authentication-Results: <our host>; spf=pass ...` (RFC 8601 §2.2), or `; none` when no
/// method gave a result (§2.2: "none" for no method).
fn header(results: &AuthenticationResults<'_>, any_result: bool) -> String {
    match any_result {
        true => format!("Authentication-Results: {results}"),
        false => format!("Authentication-Results: {results}; none"),
    }
}

fn timed_out(rule: &str, what: &str) -> Reason {
    Reason::new(
        rule,
        0.0,
        format!("{what} lookups failed or ran out of time ([filter] dns_budget_ms)"),
    )
}

/// SPF's finding: a failure raises the score, a pass lowers it a little (spammers publish
/// SPF too); DNS trouble is recorded with no score (issue #16 "Defaults and failure rules").
fn spf_reason(output: &SpfOutput, domain: &str) -> Reason {
    let (rule, score) = match output.result() {
        SpfResult::Pass => ("SPF_PASS", -0.1),
        SpfResult::Fail => ("SPF_FAIL", 2.0),
        SpfResult::SoftFail => ("SPF_SOFTFAIL", 1.0),
        SpfResult::Neutral => ("SPF_NEUTRAL", 0.0),
        SpfResult::None => ("SPF_NONE", 0.0),
        SpfResult::TempError => ("SPF_TEMPERROR", 0.0),
        SpfResult::PermError => ("SPF_PERMERROR", 0.5),
    };
    let explanation = output
        .explanation()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    Reason::new(rule, score, format!("SPF of {domain}{explanation}"))
}

/// One signature's finding (RFC 6376 §6.1); no signature, no finding.
fn dkim_reason(output: &DkimOutput<'_>) -> Option<Reason> {
    let d = output
        .signature()
        .map(|s| s.d.clone())
        .unwrap_or_else(|| "?".to_string());
    let (rule, score, detail) = match output.result() {
        DkimResult::Pass => ("DKIM_VALID", -0.1, String::new()),
        DkimResult::Fail(e) => ("DKIM_INVALID", 1.0, e.to_string()),
        DkimResult::Neutral(e) | DkimResult::PermError(e) => ("DKIM_PERMERROR", 0.5, e.to_string()),
        DkimResult::TempError(e) => ("DKIM_TEMPERROR", 0.0, e.to_string()),
        DkimResult::None => return None,
    };
    Some(Reason::new(
        rule,
        score,
        format!("DKIM d={d} {detail}").trim_end().to_string(),
    ))
}

/// The ARC chain's finding (RFC 8617 §5.2): a broken chain raises the score.
fn arc_reason(arc: &ArcOutput<'_>) -> Reason {
    match arc.result() {
        DkimResult::Pass => Reason::new("ARC_VALID", -0.1, "ARC chain validates"),
        DkimResult::TempError(e) => Reason::new("ARC_TEMPERROR", 0.0, e.to_string()),
        DkimResult::Fail(e) | DkimResult::Neutral(e) | DkimResult::PermError(e) => {
            Reason::new("ARC_INVALID", 1.0, e.to_string())
        }
        DkimResult::None => Reason::new("ARC_NONE", 0.0, "no ARC chain"),
    }
}

/// Whether `domain` is `parent` or below it (DNS names, case-insensitive).
pub(crate) fn within(domain: &str, parent: &str) -> bool {
    let (domain, parent) = (domain.trim_end_matches('.'), parent.trim_end_matches('.'));
    domain.eq_ignore_ascii_case(parent)
        || (domain.len() > parent.len()
            && domain.as_bytes()[domain.len() - parent.len() - 1] == b'.'
            && domain[domain.len() - parent.len()..].eq_ignore_ascii_case(parent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_compares_whole_labels() {
        assert!(within("example.test", "Example.Test"));
        assert!(within("mail.example.test.", "example.test"));
        assert!(!within("badexample.test", "example.test"));
        assert!(!within("test", "example.test"));
    }

    #[test]
    fn a_header_without_results_says_none() {
        // RFC 8601 §2.2: "none" when no method was applied.
        let results = AuthenticationResults::new("mx.example.test");
        assert_eq!(
            header(&results, false),
            "Authentication-Results: mx.example.test; none"
        );
    }

    #[test]
    fn spf_failures_score_and_dns_trouble_does_not() {
        let output = |r| SpfOutput::new("a.test".into()).with_result(r);
        assert!(spf_reason(&output(SpfResult::Fail), "a.test").score > 0.0);
        let temp = spf_reason(&output(SpfResult::TempError), "a.test");
        assert_eq!((temp.rule.as_str(), temp.score), ("SPF_TEMPERROR", 0.0));
        assert!(temp.force.is_none());
    }
}
