//! TLS for outbound connections (rustls with the *ring* provider).
//!
//! Relay hosts of a route are verified (their CA file, or the public web PKI roots), and a
//! failure stops the connection. MX hosts get opportunistic TLS (RFC 7435, RFC 3207): any
//! certificate is accepted for the handshake, as Postfix does by default, and whether it
//! verifies against the public roots is recorded for the attempt's history.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn public_roots() -> Arc<RootCertStore> {
    Arc::new(RootCertStore::from_iter(
        webpki_roots::TLS_SERVER_ROOTS.iter().cloned(),
    ))
}

/// A verifying client config: trusting the certificates in `ca` if given, else the public
/// roots.
pub fn verifying(ca: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    if let Some(ca) = ca {
        return net::client_tls_trusting(ca).map_err(|e| e.to_string());
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_root_certificates(public_roots())
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The opportunistic config for MX hosts, and the verifier that says afterwards whether the
/// certificate would have verified.
pub struct Opportunistic {
    pub config: Arc<ClientConfig>,
    verifier: Arc<WebPkiServerVerifier>,
}

impl Opportunistic {
    pub fn new() -> Result<Opportunistic, String> {
        let provider = provider();
        let config = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup failed: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider.clone())))
            .with_no_client_auth();
        let verifier = WebPkiServerVerifier::builder_with_provider(public_roots(), provider)
            .build()
            .map_err(|e| format!("TLS setup failed: {e}"))?;
        Ok(Opportunistic {
            config: Arc::new(config),
            verifier,
        })
    }

    /// Whether the peer's chain verifies for `name` against the public roots.
    pub fn verifies(&self, certs: &[CertificateDer<'_>], name: &ServerName<'_>) -> bool {
        let Some((leaf, chain)) = certs.split_first() else {
            return false;
        };
        self.verifier
            .verify_server_cert(leaf, chain, name, &[], UnixTime::now())
            .is_ok()
    }
}

/// Accepts any certificate; still checks the handshake signatures, so the session is
/// encrypted to whoever holds the certificate's key.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
