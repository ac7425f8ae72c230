//! Alibaba Cloud DNS (API version 2015-01-09): RPC-style signed GETs (see `sign.rs`).
//! `DescribeDomainRecords` (DomainName, RRKeyWord, Type) finds the record, then
//! `UpdateDomainRecord` (RecordId, RR, Type, Value) sets it. Errors come as
//! `{"Code", "Message", "RequestId"}` with an HTTP error status.

use config::DdnsRecord;
use rand::RngCore;
use serde_json::Value;

use super::http::{self, Step, set_each};
use super::sign::alibaba_signed_query;
use super::{Addrs, Done, Failure};

pub(super) async fn update(
    client: &reqwest::Client,
    record: &DdnsRecord,
    addrs: Addrs,
) -> Result<Done, Failure> {
    let (domain, rr) = &http::zone_and_name(record)?;
    let find = |kind: &'static str| -> Step<'_, Option<Value>> {
        Box::pin(async move {
            let params = [
                ("Action", "DescribeDomainRecords"),
                ("DomainName", domain),
                ("RRKeyWord", rr),
                ("Type", kind),
            ];
            let list = call(client, record, &params).await?;
            // RRKeyWord matches parts of names too: keep the exact one.
            let found = list["DomainRecords"]["Record"].as_array().and_then(|l| {
                l.iter()
                    .find(|r| r["RR"].as_str() == Some(rr.as_str()) && r["Type"] == kind)
            });
            Ok(found.cloned())
        })
    };
    let change = |kind: &'static str, existing: Value, ip: String| -> Step<'_, ()> {
        Box::pin(async move {
            let params = [
                ("Action", "UpdateDomainRecord"),
                (
                    "RecordId",
                    existing["RecordId"].as_str().unwrap_or_default(),
                ),
                ("RR", rr),
                ("Type", kind),
                ("Value", &ip),
            ];
            match call(client, record, &params).await {
                // The record holds the value already: nothing to change.
                Err(Failure::Fatal(why)) if why.contains("DomainRecordDuplicate") => Ok(()),
                other => other.map(drop),
            }
        })
    };
    set_each(addrs, &record.hostname, "Value", find, change).await
}

/// One signed call with the common parameters added; the answer's JSON.
async fn call(
    client: &reqwest::Client,
    record: &DdnsRecord,
    params: &[(&str, &str)],
) -> Result<Value, Failure> {
    let endpoint = http::endpoint(record).trim_end_matches('/');
    let mut nonce = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut nonce);
    let now = time::OffsetDateTime::now_utc();
    let timestamp = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let common = [
        ("Format", "JSON"),
        ("Version", "2015-01-09"),
        (
            "AccessKeyId",
            record.username.as_deref().unwrap_or_default(),
        ),
        ("SignatureMethod", "HMAC-SHA1"),
        ("Timestamp", &timestamp),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", &hex::encode(nonce)),
    ];
    let all: Vec<(String, String)> = common
        .iter()
        .chain(params)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let secret = http::secret(record);
    let url = format!("{endpoint}/?{}", alibaba_signed_query(&all, secret));
    let action = params[0].1;
    let answer = http::send(client.get(url)).await?;
    let json = answer.json(action)?;
    if answer.status.is_success() && json.get("Code").is_none() {
        return Ok(json);
    }
    let code = json["Code"].as_str().unwrap_or_default();
    let text = format!(
        "{action}: HTTP {}: {code}: {}",
        answer.status.as_u16(),
        json["Message"].as_str().unwrap_or_default()
    );
    let temporary = answer.status.is_server_error()
        || code.starts_with("Throttling")
        || code == "ServiceUnavailable"
        || code.starts_with("InternalError");
    Err(if temporary {
        Failure::Temporary(text)
    } else {
        Failure::Fatal(text)
    })
}
