//! SASL payloads for AUTH PLAIN (RFC 4616) and LOGIN, and xtext (RFC 3461 §4).

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslError {
    /// Not valid base64: `501 5.5.2`.
    BadBase64,
    /// Decoded, but not the shape the mechanism requires: `501 5.5.2`.
    Malformed,
}

/// Decodes base64 (standard alphabet, padding required).
pub fn decode_base64(input: &str) -> Result<Vec<u8>, SaslError> {
    todo!("helper: implement")
}

/// Decodes a PLAIN response (`authzid NUL authcid NUL passwd`) into (authzid, authcid, passwd).
/// The authzid is `None` when empty.
pub fn decode_plain(decoded: &[u8]) -> Result<(Option<String>, String, String), SaslError> {
    todo!("helper: implement")
}

/// Decodes xtext (`+XX` hex escapes) of RFC 3461 §4.
pub fn xtext_decode(input: &str) -> Option<String> {
    todo!("helper: implement")
}
