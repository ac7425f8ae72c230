//! Request signatures of the Chinese cloud DNS APIs, checked against their documented
//! examples in the tests below.
//!
//! - Tencent Cloud API 3.0 "TC3-HMAC-SHA256" (DNSPod): a canonical request of method, path,
//!   query, the `content-type` and `host` headers and the payload's SHA-256; a string to sign
//!   with the timestamp and the credential scope `date/service/tc3_request`; a key derived by
//!   HMAC-SHA256 chaining from `"TC3" + SecretKey` over date, service and `tc3_request`.
//! - Alibaba Cloud RPC signature v1.0 (Alibaba Cloud DNS): parameters sorted by name and
//!   percent-encoded (RFC 3986 §2.3 unreserved characters kept), `GET&%2F&` + the encoded
//!   query, HMAC-SHA1 keyed with `AccessKeySecret + "&"`, Base64.

use base64::Engine;
use ring::{digest, hmac};

/// Percent-encodes everything except the RFC 3986 §2.3 unreserved characters, as Alibaba
/// Cloud requires (a space is `%20`, `*` is `%2A`, `~` stays).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The Alibaba Cloud string to sign of `params` (any order): `GET&%2F&` + the encoded
/// canonical query.
pub fn alibaba_string_to_sign(params: &[(String, String)]) -> String {
    format!(
        "GET&%2F&{}",
        percent_encode(&alibaba_canonical_query(params))
    )
}

/// `params` sorted by name, encoded and joined with `&`.
pub fn alibaba_canonical_query(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The Base64 HMAC-SHA1 signature of `string_to_sign` with `secret`.
pub fn alibaba_signature(secret: &str, string_to_sign: &str) -> String {
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        format!("{secret}&").as_bytes(),
    );
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, string_to_sign.as_bytes()))
}

/// The signed query string of a GET request with `params`.
pub fn alibaba_signed_query(params: &[(String, String)], secret: &str) -> String {
    let signature = alibaba_signature(secret, &alibaba_string_to_sign(params));
    format!(
        "{}&Signature={}",
        alibaba_canonical_query(params),
        percent_encode(&signature)
    )
}

/// A JSON POST to the Tencent Cloud API 3.0, to be signed.
pub struct Tc3Request<'a> {
    /// "dnspod".
    pub service: &'a str,
    /// The `Host` header, with the port when it is not the default.
    pub host: &'a str,
    /// Unix seconds; also the `X-TC-Timestamp` header.
    pub timestamp: i64,
    pub payload: &'a str,
}

/// The content type the signature covers.
pub const TC3_CONTENT_TYPE: &str = "application/json; charset=utf-8";

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data))
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&key, data.as_bytes()).as_ref().to_vec()
}

impl Tc3Request<'_> {
    /// The UTC date of the timestamp, `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        let date = time::OffsetDateTime::from_unix_timestamp(self.timestamp)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .date();
        format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    }

    pub fn canonical_request(&self) -> String {
        format!(
            "POST\n/\n\ncontent-type:{TC3_CONTENT_TYPE}\nhost:{}\n\ncontent-type;host\n{}",
            self.host,
            sha256_hex(self.payload.as_bytes())
        )
    }

    pub fn string_to_sign(&self) -> String {
        format!(
            "TC3-HMAC-SHA256\n{}\n{}/{}/tc3_request\n{}",
            self.timestamp,
            self.date(),
            self.service,
            sha256_hex(self.canonical_request().as_bytes())
        )
    }

    /// The hex signature with `secret_key`.
    pub fn signature(&self, secret_key: &str) -> String {
        let date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), &self.date());
        let service = hmac_sha256(&date, self.service);
        let signing = hmac_sha256(&service, "tc3_request");
        hex::encode(hmac_sha256(&signing, &self.string_to_sign()))
    }

    /// The `Authorization` header.
    pub fn authorization(&self, secret_id: &str, secret_key: &str) -> String {
        format!(
            "TC3-HMAC-SHA256 Credential={secret_id}/{}/{}/tc3_request, \
             SignedHeaders=content-type;host, Signature={}",
            self.date(),
            self.service,
            self.signature(secret_key)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of Alibaba Cloud DNS's "Signature mechanism" page.
    #[test]
    fn alibaba_documented_example() {
        let params: Vec<(String, String)> = [
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeDomainRecords"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("DomainName", "example.com"),
            ("SignatureNonce", "f59ed6a9-83fc-473b-9cc6-99c95df3856e"),
            ("SignatureVersion", "1.0"),
            ("Version", "2015-01-09"),
            ("Timestamp", "2016-03-24T16:41:54Z"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let string_to_sign = alibaba_string_to_sign(&params);
        assert_eq!(
            string_to_sign,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDomainRecords%26DomainName%3D\
             example.com%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D\
             f59ed6a9-83fc-473b-9cc6-99c95df3856e%26SignatureVersion%3D1.0%26Timestamp%3D\
             2016-03-24T16%253A41%253A54Z%26Version%3D2015-01-09"
        );
        assert_eq!(
            alibaba_signature("testsecret", &string_to_sign),
            "uRpHwaSEt3J+6KQD//svCh/x+pI="
        );
        assert!(
            alibaba_signed_query(&params, "testsecret")
                .ends_with("&Signature=uRpHwaSEt3J%2B6KQD%2F%2FsvCh%2Fx%2BpI%3D")
        );
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("a b*c~d/é+="), "a%20b%2Ac~d%2F%C3%A9%2B%3D");
    }

    /// The example of Tencent Cloud's "Signature v3" page (CVM DescribeInstances).
    #[test]
    fn tc3_documented_example() {
        let request = Tc3Request {
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            timestamp: 1_551_113_065,
            payload: r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#,
        };
        assert_eq!(request.date(), "2019-02-25");
        assert!(
            request
                .canonical_request()
                .ends_with("\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
        );
        assert_eq!(
            request.string_to_sign(),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            request.authorization(
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
                "Gu5t9xGARNpq86cd98joQYCN3*******"
            ),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/\
             tc3_request, SignedHeaders=content-type;host, \
             Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }
}
