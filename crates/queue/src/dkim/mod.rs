//! DKIM (RFC 6376): a signing key per domain, made when the domain is added, and the
//! signature put on outgoing mail whose From: domain is ours.
//!
//! RSA keys (RFC 8301: 2048 bits) publish their public key as a SubjectPublicKeyInfo, as
//! OpenSSL and OpenDKIM do; Ed25519 keys (RFC 8463) publish the raw 32-byte key. Signing uses
//! ring (constant-time RSA); keys are PKCS#8 DER, so keys made by earlier versions (with the
//! `rsa` crate and ed25519-dalek) load unchanged.
//!
//! # Layout
//! - `mod.rs`: keys, the DNS record, the signer, the From: domain.
//! - `keygen.rs`: RSA key generation and its DER encoding.

mod keygen;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256};
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::{DkimSigner, Done};
use proto::smtp::header;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use store::DkimKey;

/// The selector of keys made by Postroom: `<selector>._domainkey.<domain>`.
pub const SELECTOR: &str = "postroom";

/// The headers signed (RFC 6376 §5.4.1); absent ones are signed as absent, so they cannot
/// be added later.
const SIGNED_HEADERS: &[&str] = &[
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
];

/// Which kind of key to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyKind {
    /// RSA 2048, `rsa-sha256`: what every verifier understands.
    #[default]
    Rsa,
    /// Ed25519, `ed25519-sha256` (RFC 8463): short, but not every verifier knows it.
    Ed25519,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DkimError {
    /// The key could not be made or read.
    #[error("DKIM key: {0}")]
    Key(String),
}

/// Makes a new key for `domain`.
pub fn generate(domain: &str, kind: KeyKind) -> Result<DkimKey, DkimError> {
    let key = |e: &dyn std::fmt::Display| DkimError::Key(e.to_string());
    let (algorithm, private_key, public_key) = match kind {
        KeyKind::Rsa => {
            let (private, public) = keygen::generate(2048)?;
            ("rsa-sha256", private, public)
        }
        KeyKind::Ed25519 => {
            use ring::signature::KeyPair as _;
            let pkcs8 =
                ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                    .map_err(|e| key(&e))?;
            let pair =
                ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|e| key(&e))?;
            let public = pair.public_key().as_ref().to_vec();
            ("ed25519-sha256", pkcs8.as_ref().to_vec(), public)
        }
    };
    Ok(DkimKey {
        domain: domain.to_ascii_lowercase(),
        selector: SELECTOR.to_string(),
        algorithm: algorithm.to_string(),
        private_key,
        public_key: STANDARD.encode(public_key),
    })
}

/// The TXT record's name and value for a key.
pub fn dns_record(key: &DkimKey) -> (String, String) {
    let k = if key.algorithm.starts_with("ed25519") {
        "ed25519"
    } else {
        "rsa"
    };
    (
        format!("{}._domainkey.{}", key.selector, key.domain),
        format!("v=DKIM1; k={k}; p={}", key.public_key),
    )
}

/// A key ready to sign with.
pub enum Signer {
    Rsa(DkimSigner<RsaKey<Sha256>, Done>),
    Ed25519(DkimSigner<Ed25519Key, Done>),
}

impl Signer {
    pub fn new(key: &DkimKey) -> Result<Signer, DkimError> {
        let bad = |e: &dyn std::fmt::Display| DkimError::Key(format!("{}: {e}", key.domain));
        Ok(if key.algorithm.starts_with("ed25519") {
            // PKCS#8 v1 (no public key, as OpenSSL writes) or v2 (as ring and ed25519-dalek
            // write); ring checks v2's public key against the seed either way.
            let signing = Ed25519Key::from_pkcs8_maybe_unchecked_der(&key.private_key)
                .map_err(|e| bad(&e))?;
            Signer::Ed25519(
                DkimSigner::from_key(signing)
                    .domain(&key.domain)
                    .selector(&key.selector)
                    .headers(SIGNED_HEADERS.iter().copied()),
            )
        } else {
            let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.private_key.clone()));
            let signing = RsaKey::<Sha256>::from_key_der(der).map_err(|e| bad(&e))?;
            Signer::Rsa(
                DkimSigner::from_key(signing)
                    .domain(&key.domain)
                    .selector(&key.selector)
                    .headers(SIGNED_HEADERS.iter().copied()),
            )
        })
    }

    /// The `DKIM-Signature:` header field (with its CRLF) to put in front of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, DkimError> {
        let fail = |e: mail_auth::Error| DkimError::Key(format!("signing failed: {e}"));
        let signature = match self {
            Signer::Rsa(signer) => signer.sign(message).map_err(fail)?,
            Signer::Ed25519(signer) => signer.sign(message).map_err(fail)?,
        };
        Ok(signature.to_header().into_bytes())
    }
}

/// The domain of the (first) address in the (first) From: header, lowercase.
pub fn from_domain(message: &[u8]) -> Option<String> {
    let fields = header::fields(message);
    let (_, value) = fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("from"))?;
    let address = header::addresses(value).into_iter().next()?;
    let domain = address.rsplit_once('@')?.1.trim();
    (!domain.is_empty()).then(|| domain.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_from_domain_is_found_in_folded_and_named_headers() {
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"From: a@Example.TEST\r\n\r\n", Some("example.test")),
            (
                b"Subject: x\r\nFROM: \"A, B\" <a@x.test>\r\n\r\n",
                Some("x.test"),
            ),
            (
                b"From: Someone\r\n <a@folded.test>\r\nTo: b@c\r\n\r\n",
                Some("folded.test"),
            ),
            (b"To: b@c\r\n\r\nFrom: a@body.test\r\n", None),
        ];
        for (message, want) in cases {
            assert_eq!(from_domain(message).as_deref(), *want);
        }
    }

    #[test]
    fn ed25519_keys_sign_and_publish_a_raw_key() -> Result<(), DkimError> {
        let key = generate("Example.test", KeyKind::Ed25519)?;
        assert_eq!(key.domain, "example.test");
        let (name, value) = dns_record(&key);
        assert_eq!(name, "postroom._domainkey.example.test");
        assert!(value.starts_with("v=DKIM1; k=ed25519; p="), "{value}");
        let header = Signer::new(&key)?.sign(b"From: a@example.test\r\n\r\nhi\r\n")?;
        let text = String::from_utf8_lossy(&header);
        assert!(text.starts_with("DKIM-Signature:"), "{text}");
        assert!(text.contains("d=example.test"), "{text}");
        assert!(text.ends_with("\r\n"), "{text:?}");
        Ok(())
    }

    #[test]
    fn keys_written_by_openssl_and_earlier_versions_still_sign() -> Result<(), DkimError> {
        // PKCS#8 as the `rsa` crate wrote it (the same DER as OpenSSL's), and an Ed25519 key
        // in PKCS#8 v1 (no public key).
        for (algorithm, der) in [
            (
                "rsa-sha256",
                &include_bytes!("testdata/rsa-2048-pkcs8.der")[..],
            ),
            (
                "ed25519-sha256",
                &include_bytes!("testdata/ed25519-pkcs8-v1.der")[..],
            ),
        ] {
            let key = DkimKey {
                domain: "old.test".into(),
                selector: SELECTOR.into(),
                algorithm: algorithm.into(),
                private_key: der.to_vec(),
                public_key: String::new(),
            };
            let signer =
                Signer::new(&key).map_err(|e| DkimError::Key(format!("{algorithm}: {e}")))?;
            let header = signer.sign(b"From: a@old.test\r\n\r\nhi\r\n")?;
            let text = String::from_utf8_lossy(&header);
            assert!(text.contains(&format!("a={algorithm}")), "{text}");
        }
        Ok(())
    }

    #[test]
    fn rsa_keys_are_made_without_the_rsa_crate_and_sign() -> Result<(), DkimError> {
        let key = generate("example.test", KeyKind::Rsa)?;
        let (_, value) = dns_record(&key);
        assert!(value.starts_with("v=DKIM1; k=rsa; p=MIIBIjAN"), "{value}");
        let header = Signer::new(&key)?.sign(b"From: a@example.test\r\n\r\nhi\r\n")?;
        assert!(String::from_utf8_lossy(&header).contains("a=rsa-sha256"));
        Ok(())
    }
}
