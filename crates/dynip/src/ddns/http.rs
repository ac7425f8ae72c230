//! Sending a provider request and sorting what goes wrong: no answer, a timeout or HTTP 5xx
//! or 429 is temporary; any other 4xx (401 and 403 above all) is fatal. Messages carry the
//! start of the peer's answer, never the request (whose URL or headers hold credentials).

use reqwest::{RequestBuilder, StatusCode};

use super::Failure;

/// An answer: its status and body.
pub(super) struct Answer {
    pub status: StatusCode,
    pub body: String,
}

/// Sends `request`; a transport failure (no connection, timeout) is temporary.
pub(super) async fn send(request: RequestBuilder) -> Result<Answer, Failure> {
    let response = request
        .send()
        .await
        .map_err(|e| Failure::Temporary(crate::http_error(&e)))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| Failure::Temporary(crate::http_error(&e)))?;
    Ok(Answer { status, body })
}

impl Answer {
    /// An unsuccessful status as a failure: fatal for 4xx other than 408 and 429.
    pub(super) fn status_failure(&self, what: &str) -> Failure {
        let text = format!(
            "{what}: HTTP {}: {}",
            self.status.as_u16(),
            crate::snippet(&self.body)
        );
        let temporary = self.status.is_server_error()
            || self.status == StatusCode::TOO_MANY_REQUESTS
            || self.status == StatusCode::REQUEST_TIMEOUT;
        if temporary {
            Failure::Temporary(text)
        } else {
            Failure::Fatal(text)
        }
    }

    /// The body as JSON. Not JSON: temporary after a success status (a captive portal, a
    /// proxy page), else as the status says.
    pub(super) fn json(&self, what: &str) -> Result<serde_json::Value, Failure> {
        serde_json::from_str(&self.body).map_err(|_| {
            if self.status.is_success() {
                Failure::Temporary(format!(
                    "{what}: the answer is not JSON: {}",
                    crate::snippet(&self.body)
                ))
            } else {
                self.status_failure(what)
            }
        })
    }
}

/// The record's zone (the domain) and its name relative to it.
pub(super) fn zone_and_name(record: &config::DdnsRecord) -> Result<(&str, String), Failure> {
    let zone = record.zone.as_deref().unwrap_or_default();
    Ok((zone, relative_name(&record.hostname, zone)?))
}

/// `host` without the zone: "@" for the zone itself, else the labels before it.
fn relative_name(host: &str, zone: &str) -> Result<String, Failure> {
    let zone = zone.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == zone {
        return Ok("@".to_string());
    }
    host.strip_suffix(&format!(".{zone}"))
        .map(str::to_string)
        .ok_or_else(|| Failure::Fatal(format!("{host} is not in the zone {zone}")))
}

/// The record types and addresses of `addrs`, A first.
pub(super) fn families(addrs: super::Addrs) -> Vec<(&'static str, String)> {
    let v4 = addrs.v4.map(|a| ("A", a.to_string()));
    v4.into_iter()
        .chain(addrs.v6.map(|a| ("AAAA", a.to_string())))
        .collect()
}

/// The record's API base URL: its `endpoint`, else the provider's public one.
pub(super) fn endpoint(record: &config::DdnsRecord) -> &str {
    record
        .endpoint
        .as_deref()
        .or(record.provider.default_endpoint())
        .unwrap_or_default()
}

/// The record's password, token or key secret ("" when unset; validation requires it).
pub(super) fn secret(record: &config::DdnsRecord) -> &str {
    record.password.as_ref().map_or("", |p| p.0.as_str())
}

/// One step of a record API: a boxed future, so the providers' closures stay `Send`.
pub(super) type Step<'a, T> =
    std::pin::Pin<Box<dyn Future<Output = Result<T, Failure>> + Send + 'a>>;

/// The record APIs' common step, per family of `addrs`: `find` the existing record (a JSON
/// object whose `value_key` holds its address), and `change` it when that differs.
pub(super) async fn set_each<'a>(
    addrs: super::Addrs,
    host: &str,
    value_key: &str,
    find: impl Fn(&'static str) -> Step<'a, Option<serde_json::Value>>,
    change: impl Fn(&'static str, serde_json::Value, String) -> Step<'a, ()>,
) -> Result<super::Done, Failure> {
    let mut done = super::Done::Unchanged;
    for (kind, ip) in families(addrs) {
        let Some(existing) = find(kind).await? else {
            return Err(Failure::Fatal(format!(
                "there is no {kind} record named {host}: create it once in the provider's console"
            )));
        };
        if existing[value_key].as_str() != Some(ip.as_str()) {
            change(kind, existing, ip).await?;
            done = super::Done::Good;
        }
    }
    Ok(done)
}
