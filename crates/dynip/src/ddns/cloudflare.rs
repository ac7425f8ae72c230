//! Cloudflare API v4 with an API token (`Authorization: Bearer`): find the record's id with
//! `GET /zones/{zone}/dns_records?type=A&name=H`, then `PATCH /zones/{zone}/dns_records/{id}`
//! with the new content. Answers are `{success, errors: [{code, message}], result}`.

use config::DdnsRecord;
use serde_json::{Value, json};

use super::http::{self, Answer, Step, set_each};
use super::{Addrs, Done, Failure};

pub(super) async fn update(
    client: &reqwest::Client,
    record: &DdnsRecord,
    addrs: Addrs,
) -> Result<Done, Failure> {
    let base = http::endpoint(record).trim_end_matches('/');
    let zone = record.zone.as_deref().unwrap_or_default();
    let token = http::secret(record);
    let records = &format!("{base}/zones/{zone}/dns_records");
    let find = |kind: &'static str| -> Step<'_, Option<Value>> {
        Box::pin(async move {
            let request = client
                .get(records.as_str())
                .query(&[("type", kind), ("name", record.hostname.as_str())])
                .bearer_auth(token);
            let found = result(http::send(request).await?, "finding the record")?;
            Ok(found.as_array().and_then(|list| list.first()).cloned())
        })
    };
    let change = |kind: &'static str, existing: Value, ip: String| -> Step<'_, ()> {
        Box::pin(async move {
            let id = existing["id"].as_str().unwrap_or_default();
            let body = json!({"type": kind, "name": record.hostname, "content": ip});
            let request = client
                .patch(format!("{records}/{id}"))
                .bearer_auth(token)
                .header("Content-Type", "application/json")
                .body(body.to_string());
            result(http::send(request).await?, "changing the record").map(drop)
        })
    };
    set_each(addrs, &record.hostname, "content", find, change).await
}

/// The `result` of a successful answer; the errors of a failed one.
fn result(answer: Answer, what: &str) -> Result<Value, Failure> {
    let json = answer.json(what)?;
    if answer.status.is_success() && json["success"].as_bool() == Some(true) {
        return Ok(json["result"].clone());
    }
    let errors: Vec<String> = json["errors"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["code"],
                        e["message"].as_str().unwrap_or_default()
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let text = format!(
        "{what}: HTTP {}: {}",
        answer.status.as_u16(),
        crate::snippet(&errors.join("; "))
    );
    if answer.status.is_server_error() || answer.status.as_u16() == 429 {
        Err(Failure::Temporary(text))
    } else {
        Err(Failure::Fatal(text))
    }
}
