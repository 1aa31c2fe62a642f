//! HTTP signatures (draft-cavage-http-signatures-12, `rsa-sha256` and `hs2019` with RSA keys) and
//! `Digest` headers, as Mastodon and the rest of the fediverse use them.
//!
//! This is the one place that signs and verifies. It uses OpenSSL: signing a request costs about
//! a millisecond there, five times less than the pure-Rust `rsa` crate activitypub_federation
//! signs with, which matters when a group post fans out to hundreds of inboxes (figures from
//! `staffroom-bench` in ARCHITECTURE.md).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use axum::http::HeaderMap;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::sign::{Signer, Verifier};

/// Signatures older (or newer) than this are refused.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SignatureError {
    #[error("missing Signature header")]
    Missing,
    #[error("malformed Signature header: {0}")]
    Malformed(&'static str),
    #[error("unsupported signature algorithm {0:?}")]
    Algorithm(String),
    #[error("the signature does not cover {0}")]
    Uncovered(&'static str),
    #[error("the Date header is missing, malformed or more than an hour off")]
    Stale,
    #[error("the Digest header does not match the body")]
    Digest,
    #[error("the signature does not verify")]
    Invalid,
    #[error("unusable public key")]
    Key,
}

/// A private key ready to sign, with the id others find its public half by.
pub struct SigningKey {
    pub key_id: String,
    key: PKey<Private>,
}

impl SigningKey {
    pub fn from_pem(key_id: &str, pem: &str) -> anyhow::Result<SigningKey> {
        Ok(SigningKey {
            key_id: key_id.to_owned(),
            key: PRIVATE_KEYS.get_or_parse(pem, PKey::private_key_from_pem)?,
        })
    }
}

/// Keys already parsed, by the SHA-256 of their PEM. OpenSSL 3 decodes a PEM through its
/// provider machinery, which costs far more than the signature itself (a burst of group posts
/// spent a third of its CPU there); a node signs with a few keys and sees the same senders'
/// keys again and again. At most [`KeyCache::CAPACITY`] keys are kept; when full it starts over.
struct KeyCache<T> {
    keys: std::sync::LazyLock<std::sync::Mutex<HashMap<[u8; 32], PKey<T>>>>,
}

impl<T> KeyCache<T> {
    const CAPACITY: usize = 4096;

    const fn new() -> Self {
        KeyCache {
            keys: std::sync::LazyLock::new(Default::default),
        }
    }

    fn get_or_parse(
        &self,
        pem: &str,
        parse: impl FnOnce(&[u8]) -> Result<PKey<T>, openssl::error::ErrorStack>,
    ) -> Result<PKey<T>, openssl::error::ErrorStack> {
        let hash = openssl::sha::sha256(pem.as_bytes());
        if let Some(key) = self.keys.lock().expect("key cache lock").get(&hash) {
            return Ok(key.clone());
        }
        let key = parse(pem.as_bytes())?;
        let mut keys = self.keys.lock().expect("key cache lock");
        if keys.len() >= Self::CAPACITY {
            keys.clear();
        }
        keys.insert(hash, key.clone());
        Ok(key)
    }
}

static PRIVATE_KEYS: KeyCache<Private> = KeyCache::new();
static PUBLIC_KEYS: KeyCache<Public> = KeyCache::new();

/// `SHA-256=<base64>` of a body.
pub fn digest_header(body: &[u8]) -> String {
    format!("SHA-256={}", openssl::base64::encode_block(&openssl::sha::sha256(body)))
}

/// The `host` header value for a URL: host, with the port when it is not the scheme's default.
pub fn host_header(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    }
}

fn request_target(method: &str, url: &url::Url) -> String {
    let mut target = format!("{} {}", method.to_ascii_lowercase(), url.path());
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    target
}

/// The headers to add to a request: `Host`, `Date`, `Digest` (with a body) and `Signature`,
/// signing `(request-target) host date [digest]` as Mastodon requires.
pub fn sign_request(
    method: &str,
    url: &url::Url,
    body: Option<&[u8]>,
    key: &SigningKey,
) -> anyhow::Result<Vec<(&'static str, String)>> {
    let host = host_header(url);
    let date = httpdate::fmt_http_date(SystemTime::now());
    let mut lines = vec![
        format!("(request-target): {}", request_target(method, url)),
        format!("host: {host}"),
        format!("date: {date}"),
    ];
    let mut names = "(request-target) host date".to_owned();
    let mut headers = vec![("host", host), ("date", date)];
    if let Some(body) = body {
        let digest = digest_header(body);
        lines.push(format!("digest: {digest}"));
        names.push_str(" digest");
        headers.push(("digest", digest));
    }
    let mut signer = Signer::new(MessageDigest::sha256(), &key.key)?;
    signer.update(lines.join("\n").as_bytes())?;
    let signature = openssl::base64::encode_block(&signer.sign_to_vec()?);
    headers.push((
        "signature",
        format!(
            "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"{names}\",signature=\"{signature}\"",
            key.key_id
        ),
    ));
    Ok(headers)
}

/// The headers to add to a request signed the RFC 9421 way instead: `Content-Digest` (RFC 9530,
/// with a body), `Signature-Input` covering `@method`, `@target-uri` and the digest, with
/// `created`, `keyid` and `alg` (`rsa-v1_5-sha256`, which Mastodon and Fedify verify), and
/// `Signature`.
pub fn sign_request_rfc9421(
    method: &str,
    url: &url::Url,
    body: Option<&[u8]>,
    key: &SigningKey,
) -> anyhow::Result<Vec<(&'static str, String)>> {
    let created = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH)?.as_secs();
    let mut components = vec![
        ("@method", method.to_ascii_uppercase()),
        ("@target-uri", url.to_string()),
    ];
    let mut headers = Vec::new();
    if let Some(body) = body {
        let digest = format!(
            "sha-256=:{}:",
            openssl::base64::encode_block(&openssl::sha::sha256(body))
        );
        components.push(("content-digest", digest.clone()));
        headers.push(("content-digest", digest));
    }
    let names: Vec<String> = components.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let params = format!(
        "({});created={created};keyid=\"{}\";alg=\"rsa-v1_5-sha256\"",
        names.join(" "),
        key.key_id
    );
    let mut base: Vec<String> = components.iter().map(|(n, v)| format!("\"{n}\": {v}")).collect();
    base.push(format!("\"@signature-params\": {params}"));
    let mut signer = Signer::new(MessageDigest::sha256(), &key.key)?;
    signer.update(base.join("\n").as_bytes())?;
    let signature = openssl::base64::encode_block(&signer.sign_to_vec()?);
    headers.push(("signature-input", format!("sig1={params}")));
    headers.push(("signature", format!("sig1=:{signature}:")));
    Ok(headers)
}

/// The parts of a `Signature` header.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedSignature {
    pub key_id: String,
    pub headers: Vec<String>,
    signature: Vec<u8>,
    created: Option<i64>,
    expires: Option<i64>,
}

/// Parses `keyId="…",algorithm="…",headers="…",signature="…"`.
pub fn parse_signature(headers: &HeaderMap) -> Result<ParsedSignature, SignatureError> {
    let raw = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|a| a.strip_prefix("Signature "))
        })
        .ok_or(SignatureError::Missing)?;
    if raw.len() > 8192 {
        return Err(SignatureError::Malformed("too long"));
    }
    let mut params = HashMap::new();
    let mut rest = raw.trim();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or(SignatureError::Malformed("expected name=value"))?;
        let name = name.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or(SignatureError::Malformed("unterminated quote"))?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            match after.find(',') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            }
        };
        params.insert(name, value.to_owned());
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    let algorithm = params
        .get("algorithm")
        .map(|a| a.to_ascii_lowercase())
        .unwrap_or_else(|| "hs2019".into());
    if algorithm != "rsa-sha256" && algorithm != "hs2019" {
        return Err(SignatureError::Algorithm(algorithm));
    }
    let key_id = params.remove("keyid").ok_or(SignatureError::Malformed("no keyId"))?;
    let signature = openssl::base64::decode_block(
        params
            .get("signature")
            .ok_or(SignatureError::Malformed("no signature"))?,
    )
    .map_err(|_| SignatureError::Malformed("signature is not base64"))?;
    let headers = params
        .get("headers")
        .map(|h| h.split_whitespace().map(str::to_ascii_lowercase).collect())
        .unwrap_or_else(|| vec!["date".to_owned()]);
    let num = |k: &str| params.get(k).and_then(|v| v.parse::<i64>().ok());
    Ok(ParsedSignature {
        key_id,
        headers,
        signature,
        created: num("created"),
        expires: num("expires"),
    })
}

/// Whether a `Digest` header (`SHA-256=…`, the algorithm name in any case, other algorithms
/// listed alongside ignored) matches the body.
pub fn digest_matches(header: &str, body: &[u8]) -> bool {
    let expected = openssl::sha::sha256(body);
    header.split(',').any(|part| match part.trim().split_once('=') {
        Some((alg, value)) if alg.trim().eq_ignore_ascii_case("sha-256") => openssl::base64::decode_block(value.trim())
            .map(|v| v == expected)
            .unwrap_or(false),
        _ => false,
    })
}

/// Verifies a request's signature against the signer's public key, and its `Digest` against
/// the body. `path_and_query` is the request target as received.
pub fn verify_request(
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
    sig: &ParsedSignature,
    public_key_pem: &str,
) -> Result<(), SignatureError> {
    let covers = |h: &str| sig.headers.iter().any(|x| x == h);
    if !covers("(request-target)") {
        return Err(SignatureError::Uncovered("(request-target)"));
    }
    if !covers("host") {
        return Err(SignatureError::Uncovered("host"));
    }
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64;
    if covers("date") {
        let date = headers
            .get("date")
            .and_then(|v| v.to_str().ok())
            .ok_or(SignatureError::Stale)?;
        let date = httpdate::parse_http_date(date).map_err(|_| SignatureError::Stale)?;
        let age = now
            - date
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs() as i64;
        if age.unsigned_abs() > MAX_CLOCK_SKEW.as_secs() {
            return Err(SignatureError::Stale);
        }
    } else if covers("(created)") {
        let created = sig.created.ok_or(SignatureError::Stale)?;
        if (now - created).unsigned_abs() > MAX_CLOCK_SKEW.as_secs() || sig.expires.is_some_and(|e| e < now) {
            return Err(SignatureError::Stale);
        }
    } else {
        return Err(SignatureError::Uncovered("date"));
    }
    if let Some(body) = body {
        if !covers("digest") {
            return Err(SignatureError::Uncovered("digest"));
        }
        let header = headers
            .get("digest")
            .and_then(|v| v.to_str().ok())
            .ok_or(SignatureError::Digest)?;
        let ok = digest_matches(header, body);
        if !ok {
            return Err(SignatureError::Digest);
        }
    }
    let mut lines = Vec::with_capacity(sig.headers.len());
    for name in &sig.headers {
        let value = match name.as_str() {
            "(request-target)" => format!("{} {}", method.to_ascii_lowercase(), path_and_query),
            "(created)" => sig
                .created
                .ok_or(SignatureError::Malformed("(created) without created"))?
                .to_string(),
            "(expires)" => sig
                .expires
                .ok_or(SignatureError::Malformed("(expires) without expires"))?
                .to_string(),
            other => {
                let values: Vec<&str> = headers
                    .get_all(other)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .map(str::trim)
                    .collect();
                if values.is_empty() {
                    return Err(SignatureError::Malformed("a signed header is missing"));
                }
                values.join(", ")
            }
        };
        lines.push(format!("{name}: {value}"));
    }
    let key: PKey<Public> = PUBLIC_KEYS
        .get_or_parse(public_key_pem, PKey::public_key_from_pem)
        .map_err(|_| SignatureError::Key)?;
    let mut verifier = Verifier::new(MessageDigest::sha256(), &key).map_err(|_| SignatureError::Key)?;
    verifier
        .update(lines.join("\n").as_bytes())
        .map_err(|_| SignatureError::Invalid)?;
    match verifier.verify(&sig.signature) {
        Ok(true) => Ok(()),
        _ => Err(SignatureError::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderName, HeaderValue};

    fn to_map(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_static(k), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn keys() -> (SigningKey, String) {
        let k = crate::federation::keys::generate().unwrap();
        (
            SigningKey::from_pem("https://a.example/users/ada#main-key", &k.private_pem).unwrap(),
            k.public_pem,
        )
    }

    #[test]
    fn a_signed_post_verifies_and_tampering_fails() {
        let (key, public) = keys();
        let url = url::Url::parse("https://b.example:8443/inbox?x=1").unwrap();
        let body = br#"{"type":"Follow"}"#;
        let headers = to_map(&sign_request("POST", &url, Some(body), &key).unwrap());
        assert_eq!(headers["host"], "b.example:8443");
        let sig = parse_signature(&headers).unwrap();
        assert_eq!(sig.key_id, "https://a.example/users/ada#main-key");
        assert_eq!(sig.headers, vec!["(request-target)", "host", "date", "digest"]);
        verify_request("POST", "/inbox?x=1", &headers, Some(body), &sig, &public).unwrap();

        assert_eq!(
            verify_request("POST", "/inbox?x=1", &headers, Some(b"{}"), &sig, &public),
            Err(SignatureError::Digest)
        );
        assert_eq!(
            verify_request("POST", "/other", &headers, Some(body), &sig, &public),
            Err(SignatureError::Invalid)
        );
        let (_, other_public) = keys();
        assert_eq!(
            verify_request("POST", "/inbox?x=1", &headers, Some(body), &sig, &other_public),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn digest_algorithm_name_in_any_case_and_stale_dates() {
        let body = b"{}";
        let good = digest_header(body);
        assert!(digest_matches(&good, body));
        assert!(digest_matches(&good.replace("SHA-256", "sha-256"), body));
        assert!(digest_matches(&format!("SHA-512=AAAA, {good}"), body));
        assert!(!digest_matches(&good, b"[]"));
        assert!(!digest_matches("MD5=AAAA", body));

        let (key, public) = keys();
        let url = url::Url::parse("https://b.example/inbox").unwrap();
        let mut headers = to_map(&sign_request("POST", &url, Some(body), &key).unwrap());
        let sig = parse_signature(&headers).unwrap();
        verify_request("POST", "/inbox", &headers, Some(body), &sig, &public).unwrap();
        let old = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(2 * 3600));
        headers.insert("date", HeaderValue::from_str(&old).unwrap());
        assert_eq!(
            verify_request("POST", "/inbox", &headers, Some(body), &sig, &public),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn signatures_must_cover_host_and_digest() {
        let (_, public) = keys();
        let mut h = HeaderMap::new();
        h.insert(
            "signature",
            HeaderValue::from_static(
                "keyId=\"k\",algorithm=\"rsa-sha256\",headers=\"(request-target) date\",signature=\"AAAA\"",
            ),
        );
        let sig = parse_signature(&h).unwrap();
        assert_eq!(
            verify_request("POST", "/inbox", &h, Some(b"{}"), &sig, &public),
            Err(SignatureError::Uncovered("host"))
        );
        h.insert(
            "signature",
            HeaderValue::from_static("keyId=\"k\",algorithm=\"ed25519\",signature=\"AAAA\""),
        );
        assert!(matches!(parse_signature(&h), Err(SignatureError::Algorithm(_))));
        assert_eq!(parse_signature(&HeaderMap::new()), Err(SignatureError::Missing));
    }
}
