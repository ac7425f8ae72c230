//! DNSPod through the Tencent Cloud API 3.0 (version 2021-03-23): JSON POSTs to `/` signed
//! with TC3-HMAC-SHA256 (see `sign.rs`), the action in `X-TC-Action`. `DescribeRecordList`
//! (Domain, Subdomain, RecordType) finds the record; `ModifyRecord` sets its value. Errors come
//! as `{"Response": {"Error": {"Code", "Message"}}}` with HTTP 200.

use config::DdnsRecord;
use serde_json::{Value, json};

use super::http::{self, Step, set_each};
use super::sign::{TC3_CONTENT_TYPE, Tc3Request};
use super::{Addrs, Done, Failure};

const VERSION: &str = "2021-03-23";

pub(super) async fn update(
    client: &reqwest::Client,
    record: &DdnsRecord,
    addrs: Addrs,
) -> Result<Done, Failure> {
    let (domain, sub) = &http::zone_and_name(record)?;
    let find = |kind: &'static str| -> Step<'_, Option<Value>> {
        Box::pin(async move {
            let body = json!({"Domain": domain, "Subdomain": sub, "RecordType": kind});
            let list = match call(client, record, "DescribeRecordList", body).await {
                Err(Failure::Fatal(why)) if why.contains("ResourceNotFound.NoDataOfRecord") => {
                    return Ok(None);
                }
                other => other?,
            };
            let found = list["RecordList"].as_array().and_then(|l| {
                l.iter()
                    .find(|r| r["Name"].as_str() == Some(sub.as_str()) && r["Type"] == kind)
            });
            Ok(found.cloned())
        })
    };
    let change = |kind: &'static str, existing: Value, ip: String| -> Step<'_, ()> {
        Box::pin(async move {
            let body = json!({
                "Domain": domain,
                "SubDomain": sub,
                "RecordType": kind,
                "RecordLine": existing["Line"].as_str().unwrap_or("默认"),
                "Value": ip,
                "RecordId": existing["RecordId"],
            });
            call(client, record, "ModifyRecord", body).await.map(drop)
        })
    };
    set_each(addrs, &record.hostname, "Value", find, change).await
}

/// One signed call; the `Response` object, or the failure its `Error` names.
async fn call(
    client: &reqwest::Client,
    record: &DdnsRecord,
    action: &str,
    body: Value,
) -> Result<Value, Failure> {
    let url = reqwest::Url::parse(http::endpoint(record))
        .map_err(|e| Failure::Fatal(format!("endpoint: {e}")))?;
    let host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => return Err(Failure::Fatal("the endpoint has no host".to_string())),
    };
    let payload = body.to_string();
    let timestamp = crate::unix_now();
    let signed = Tc3Request {
        service: "dnspod",
        host: &host,
        timestamp,
        payload: &payload,
    };
    let secret_id = record.username.as_deref().unwrap_or_default();
    let secret_key = http::secret(record);
    let request = client
        .post(url)
        .header("Authorization", signed.authorization(secret_id, secret_key))
        .header("Content-Type", TC3_CONTENT_TYPE)
        .header("X-TC-Action", action)
        .header("X-TC-Version", VERSION)
        .header("X-TC-Timestamp", timestamp.to_string())
        .body(payload);
    let answer = http::send(request).await?;
    let json = answer.json(action)?;
    if !answer.status.is_success() {
        return Err(answer.status_failure(action));
    }
    let response = json["Response"].clone();
    let Some(error) = response.get("Error") else {
        return Ok(response);
    };
    let code = error["Code"].as_str().unwrap_or_default();
    let text = format!(
        "{action}: {code}: {}",
        error["Message"].as_str().unwrap_or_default()
    );
    Err(classify(code, text))
}

/// Authentication, permission and parameter errors are fatal; limits and internal errors
/// temporary.
fn classify(code: &str, text: String) -> Failure {
    let fatal = [
        "AuthFailure",
        "UnauthorizedOperation",
        "InvalidParameter",
        "InvalidParameterValue",
        "ResourceNotFound",
        "OperationDenied",
        "MissingParameter",
        "UnsupportedOperation",
    ];
    let class = code.split('.').next().unwrap_or_default();
    if fatal.contains(&class) {
        Failure::Fatal(text)
    } else {
        Failure::Temporary(text)
    }
}
