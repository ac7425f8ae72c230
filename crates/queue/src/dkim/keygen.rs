//! RSA key generation for DKIM without the `rsa` crate (RUSTSEC-2023-0071): primes from
//! num-bigint-dig, the key written as PKCS#8 DER (RFC 5208, RFC 8017 §A.1.2) and its public
//! half as a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), which is what OpenSSL writes.
//!
//! Only signing is exposed to timing attacks (Marvin); keys are made once, offline, at
//! `domain add`, and ring checks every part of the key when it loads it for signing.

use num_bigint_dig::{BigUint, ModInverse, RandPrime};

use super::DkimError;

/// rsaEncryption, 1.2.840.113549.1.1.1, with its NULL parameters.
const RSA_ALGORITHM: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

/// A new RSA key of `bits` bits with e = 65537: (PKCS#8 private key, SubjectPublicKeyInfo).
pub(super) fn generate(bits: usize) -> Result<(Vec<u8>, Vec<u8>), DkimError> {
    let e = BigUint::from(65_537u32);
    let mut rng = rand::rngs::OsRng;
    // A few rounds at most: a retry only when the pair does not make an n of `bits` bits or
    // e is not invertible (p-1 or q-1 divisible by 65537).
    for _ in 0..64 {
        let a = rng.gen_prime(bits / 2);
        let b = rng.gen_prime(bits - bits / 2);
        // p > q, as OpenSSL orders them; qInv is q⁻¹ mod p (RFC 8017 §3.2).
        let (p, q) = if a > b { (a, b) } else { (b, a) };
        if p == q {
            continue;
        }
        let n = &p * &q;
        if n.bits() != bits {
            continue;
        }
        let one = BigUint::from(1u32);
        let p1 = &p - &one;
        let q1 = &q - &one;
        // RFC 8017 §3.2 allows d modulo φ(n) or λ(n); signing uses the CRT values only.
        let phi = &p1 * &q1;
        let Some(d) = (&e).mod_inverse(&phi).and_then(|d| d.to_biguint()) else {
            continue;
        };
        let Some(qinv) = (&q).mod_inverse(&p).and_then(|x| x.to_biguint()) else {
            continue;
        };
        let dp = &d % &p1;
        let dq = &d % &q1;
        // RFC 8017 §A.1.2: RSAPrivateKey, version 0 (two primes).
        let mut fields = integer(&[0]);
        for value in [&n, &e, &d, &p, &q, &dp, &dq, &qinv] {
            fields.extend(integer(&value.to_bytes_be()));
        }
        let rsa_private = tlv(0x30, &fields);
        // RFC 5208 §5: PrivateKeyInfo.
        let mut info = integer(&[0]);
        info.extend_from_slice(RSA_ALGORITHM);
        info.extend(tlv(0x04, &rsa_private));
        let pkcs8 = tlv(0x30, &info);
        // RFC 8017 §A.1.1 RSAPublicKey inside a SubjectPublicKeyInfo's BIT STRING.
        let mut public = integer(&n.to_bytes_be());
        public.extend(integer(&e.to_bytes_be()));
        let mut bit_string = vec![0u8];
        bit_string.extend(tlv(0x30, &public));
        let mut spki = RSA_ALGORITHM.to_vec();
        spki.extend(tlv(0x03, &bit_string));
        return Ok((pkcs8, tlv(0x30, &spki)));
    }
    Err(DkimError::Key("no usable RSA primes found".into()))
}

/// A DER INTEGER of a non-negative big-endian number.
fn integer(be: &[u8]) -> Vec<u8> {
    let start = be
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(be.len().saturating_sub(1));
    let digits = if be.is_empty() {
        &[0u8][..]
    } else {
        &be[start..]
    };
    let mut content = Vec::with_capacity(digits.len() + 1);
    // The high bit is the sign: a leading zero keeps the number positive (X.690 §8.3).
    if digits[0] & 0x80 != 0 {
        content.push(0);
    }
    content.extend_from_slice(digits);
    tlv(0x02, &content)
}

/// Tag, definite length (X.690 §8.1.3), content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 4);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_integers_and_lengths_follow_x690() {
        assert_eq!(integer(&[0]), [0x02, 0x01, 0x00]);
        assert_eq!(integer(&[0, 0, 0x7f]), [0x02, 0x01, 0x7f]);
        assert_eq!(integer(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(tlv(0x04, &[7; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(tlv(0x04, &[7; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn a_generated_key_signs_and_its_signature_verifies_with_the_published_key() {
        use ring::signature::{self, KeyPair as _, RsaKeyPair};
        let (pkcs8, spki) = generate(2048).expect("key");
        let pair = RsaKeyPair::from_pkcs8(&pkcs8).expect("ring accepts the key");
        // The SPKI ends with the RSAPublicKey that ring derives from the private key.
        assert!(spki.ends_with(pair.public_key().as_ref()));
        let mut sig = vec![0; pair.public().modulus_len()];
        let rng = ring::rand::SystemRandom::new();
        pair.sign(&signature::RSA_PKCS1_SHA256, &rng, b"hello", &mut sig)
            .expect("sign");
        signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            pair.public_key().as_ref(),
        )
        .verify(b"hello", &sig)
        .expect("verifies");
    }
}
