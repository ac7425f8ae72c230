//! The dyndns2 protocol (DynDNS "Remote Access API", also No-IP, Dynu and Oray's Peanut
//! Shell): `GET /nic/update?hostname=H&myip=IP[,IPv6]` with HTTP basic auth (RFC 7617) and a
//! real User-Agent; the answer's first word is the result. An endpoint with a path of its own
//! (Oray: `https://ddns.oray.com/ph/update`) is used as it is.

use config::DdnsRecord;

use super::http::{self, families};
use super::{Addrs, Done, Failure};

pub(super) async fn update(
    client: &reqwest::Client,
    record: &DdnsRecord,
    addrs: Addrs,
) -> Result<Done, Failure> {
    let endpoint = record
        .endpoint
        .as_deref()
        .ok_or_else(|| Failure::Fatal("no endpoint is set".to_string()))?;
    let url = update_url(endpoint);
    let myip: Vec<String> = families(addrs).into_iter().map(|(_, ip)| ip).collect();
    let request = client
        .get(url)
        .query(&[
            ("hostname", record.hostname.as_str()),
            ("myip", &myip.join(",")),
        ])
        .basic_auth(
            record.username.as_deref().unwrap_or_default(),
            record.password.as_ref().map(|p| p.0.as_str()),
        );
    let answer = http::send(request).await?;
    if answer.status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(Failure::Fatal(
            "badauth: the user name or password is wrong (HTTP 401)".to_string(),
        ));
    }
    if !answer.status.is_success() {
        return Err(answer.status_failure("update"));
    }
    interpret(&answer.body)
}

/// `endpoint` + `/nic/update`, unless the endpoint names a path.
fn update_url(endpoint: &str) -> String {
    let after_scheme = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(at) if after_scheme.len() > at + 1 => endpoint.to_string(),
        _ => format!("{}/nic/update", endpoint.trim_end_matches('/')),
    }
}

/// The result codes of the dyndns2 protocol (dyn.com's "Return Codes" list).
fn interpret(body: &str) -> Result<Done, Failure> {
    let code = body.split_whitespace().next().unwrap_or_default();
    let fatal = |why: &str| Err(Failure::Fatal(format!("{code}: {why}")));
    match code {
        "good" => Ok(Done::Good),
        "nochg" => Ok(Done::Unchanged),
        "badauth" => fatal("the user name or password is wrong"),
        "!donator" => fatal("the account may not use this feature"),
        "notfqdn" => fatal("the host name is not a fully qualified domain name"),
        "nohost" => fatal("the host name does not exist in this account"),
        "numhost" => fatal("too many host names in one update"),
        "abuse" => fatal("the host name is blocked for abuse"),
        "badagent" => fatal("the provider refused this client"),
        "!yours" => fatal("the host name belongs to another account"),
        "911" | "dnserr" => Err(Failure::Temporary(format!(
            "{code}: the provider has a problem on its side"
        ))),
        _ => Err(Failure::Temporary(format!(
            "unexpected answer: {}",
            crate::snippet(body)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_without_a_path_get_the_standard_one() {
        assert_eq!(
            update_url("https://dynupdate.no-ip.com"),
            "https://dynupdate.no-ip.com/nic/update"
        );
        assert_eq!(
            update_url("http://127.0.0.1:8/"),
            "http://127.0.0.1:8/nic/update"
        );
        assert_eq!(
            update_url("https://ddns.oray.com/ph/update"),
            "https://ddns.oray.com/ph/update"
        );
    }

    #[test]
    fn answers_are_sorted_into_success_fatal_and_temporary() {
        assert_eq!(interpret("good 81.2.69.160"), Ok(Done::Good));
        assert_eq!(interpret("nochg 81.2.69.160\n"), Ok(Done::Unchanged));
        for fatal in ["badauth", "nohost", "abuse", "notfqdn", "!yours"] {
            assert!(
                matches!(interpret(fatal), Err(Failure::Fatal(_))),
                "{fatal}"
            );
        }
        for temporary in ["911", "dnserr", "<html>"] {
            assert!(
                matches!(interpret(temporary), Err(Failure::Temporary(_))),
                "{temporary}"
            );
        }
    }
}
