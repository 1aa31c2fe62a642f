//! RFC 9421 HTTP Message Signatures, verified on requests (Mastodon sends them from 4.5, Fedify
//! signs with them first): `Signature-Input` names the covered components and the parameters,
//! `Signature` carries the signature of the signature base built from them. Algorithms:
//! `rsa-v1_5-sha256`, `rsa-pss-sha512` and `ed25519` (from `alg`, or from the key when `alg` is
//! absent). A request must cover its method, its target (`@target-uri`, or `@authority` with
//! `@path` or `@request-target`) and, with a body, its `content-digest` (RFC 9530, SHA-256 or
//! SHA-512), which must match; `created` is required and within the allowed clock skew.

use axum::http::HeaderMap;
use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};

use super::signatures::{MAX_CLOCK_SKEW, SignatureError};

/// A request's first signature, as `Signature-Input` and `Signature` give it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub label: String,
    /// Covered component names, in order (derived ones start with `@`).
    pub components: Vec<String>,
    /// The member's value as sent (`("@method" …);created=…;keyid="…"`), which ends the
    /// signature base.
    pub params: String,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub key_id: Option<String>,
    pub alg: Option<String>,
    pub signature: Vec<u8>,
}

/// A public key to verify with.
pub enum Key<'a> {
    /// A PEM public key (RSA or Ed25519), as actor documents publish `publicKey`.
    Pem(&'a str),
    /// An Ed25519 key, as FEP-521a Multikeys publish it.
    Ed25519(ed25519_dalek::VerifyingKey),
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether a request is signed the RFC 9421 way.
pub fn is_signed(headers: &HeaderMap) -> bool {
    headers.contains_key("signature-input")
}

/// Parses the first member of `Signature-Input` and its `Signature`.
pub fn parse(headers: &HeaderMap) -> Result<Parsed, SignatureError> {
    let input = header(headers, "signature-input").ok_or(SignatureError::Missing)?;
    if input.len() > 8192 {
        return Err(SignatureError::Malformed("Signature-Input is too long"));
    }
    let (label, rest) = input
        .trim()
        .split_once('=')
        .ok_or(SignatureError::Malformed("Signature-Input without a label"))?;
    let label = label.trim().to_owned();
    let rest = rest.trim_start();
    let list = rest
        .strip_prefix('(')
        .ok_or(SignatureError::Malformed("Signature-Input without an inner list"))?;
    let close = list
        .find(')')
        .ok_or(SignatureError::Malformed("unterminated inner list"))?;
    let mut components = Vec::new();
    for item in list[..close].split_whitespace() {
        let name = item
            .strip_prefix('"')
            .and_then(|i| i.strip_suffix('"'))
            .ok_or(SignatureError::Malformed(
                "components are quoted strings without parameters",
            ))?;
        components.push(name.to_ascii_lowercase());
    }
    // The parameters run to the next member (a comma outside quotes) or the end.
    let after = &list[close + 1..];
    let mut end = after.len();
    let mut quoted = false;
    for (i, c) in after.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let params_text = &after[..end];
    let params = format!("({}){}", &list[..close], params_text.trim_end());
    let mut parsed = Parsed {
        label: label.clone(),
        components,
        params,
        created: None,
        expires: None,
        key_id: None,
        alg: None,
        signature: Vec::new(),
    };
    for p in params_text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        let text = || v.trim_matches('"').to_owned();
        let number = || {
            v.parse::<i64>()
                .map_err(|_| SignatureError::Malformed("a number parameter is not one"))
        };
        match k {
            "created" => parsed.created = Some(number()?),
            "expires" => parsed.expires = Some(number()?),
            "keyid" => parsed.key_id = Some(text()),
            "alg" => parsed.alg = Some(text()),
            _ => {}
        }
    }
    let signatures =
        header(headers, "signature").ok_or(SignatureError::Malformed("Signature-Input without Signature"))?;
    let value = signatures
        .split(',')
        .filter_map(|m| m.trim().split_once('='))
        .find(|(l, _)| l.trim() == label)
        .map(|(_, v)| v.trim())
        .ok_or(SignatureError::Malformed("no Signature for the label"))?;
    let bytes = value
        .strip_prefix(':')
        .and_then(|v| v.strip_suffix(':'))
        .ok_or(SignatureError::Malformed("the signature is not a byte sequence"))?;
    parsed.signature =
        openssl::base64::decode_block(bytes).map_err(|_| SignatureError::Malformed("the signature is not base64"))?;
    Ok(parsed)
}

/// The request as the signature base sees it.
pub struct Request<'a> {
    pub method: &'a str,
    /// `https://authority/path?query` as the request reached us.
    pub target_uri: &'a url::Url,
    pub headers: &'a HeaderMap,
}

/// The signature base (RFC 9421 section 2.5).
pub fn signature_base(req: &Request, sig: &Parsed) -> Result<String, SignatureError> {
    let uri = req.target_uri;
    let authority = super::policy::authority(uri);
    let path = uri.path().to_owned();
    let query = format!("?{}", uri.query().unwrap_or_default());
    let mut lines = Vec::new();
    for name in &sig.components {
        let value = match name.as_str() {
            "@method" => req.method.to_ascii_uppercase(),
            "@target-uri" => uri.to_string(),
            "@authority" => authority.clone(),
            "@scheme" => uri.scheme().to_owned(),
            "@path" => path.clone(),
            "@query" => query.clone(),
            "@request-target" => match uri.query() {
                Some(q) => format!("{path}?{q}"),
                None => path.clone(),
            },
            n if n.starts_with('@') => return Err(SignatureError::Malformed("an unsupported derived component")),
            n => {
                let values: Vec<String> = req
                    .headers
                    .get_all(n)
                    .iter()
                    .map(|v| v.to_str().map(|s| s.trim().to_owned()))
                    .collect::<Result<_, _>>()
                    .map_err(|_| SignatureError::Malformed("a covered header is not text"))?;
                if values.is_empty() {
                    return Err(SignatureError::Malformed("a covered header is missing"));
                }
                values.join(", ")
            }
        };
        lines.push(format!("\"{name}\": {value}"));
    }
    lines.push(format!("\"@signature-params\": {}", sig.params));
    Ok(lines.join("\n"))
}

/// Whether a `Content-Digest` header (RFC 9530) matches the body: every `sha-256` or `sha-512`
/// member must, and one must be there.
pub fn content_digest_matches(header: &str, body: &[u8]) -> bool {
    let mut seen = false;
    for member in header.split(',') {
        let Some((alg, value)) = member.trim().split_once('=') else {
            continue;
        };
        let expected = match alg.trim() {
            "sha-256" => openssl::sha::sha256(body).to_vec(),
            "sha-512" => openssl::sha::sha512(body).to_vec(),
            _ => continue,
        };
        let given = value.trim().trim_matches(':');
        if openssl::base64::decode_block(given).ok() != Some(expected) {
            return false;
        }
        seen = true;
    }
    seen
}

/// Checks what the signature covers, its times, the body's digest, and the signature itself.
pub fn verify(req: &Request, body: Option<&[u8]>, sig: &Parsed, key: &Key, now: i64) -> Result<(), SignatureError> {
    let covers = |c: &str| sig.components.iter().any(|x| x == c);
    if !covers("@method") {
        return Err(SignatureError::Uncovered("@method"));
    }
    if !covers("@target-uri") && !(covers("@authority") && (covers("@path") || covers("@request-target"))) {
        return Err(SignatureError::Uncovered("@target-uri"));
    }
    let skew = MAX_CLOCK_SKEW.as_secs() as i64;
    match sig.created {
        Some(t) if (now - t).abs() <= skew => {}
        _ => return Err(SignatureError::Stale),
    }
    if sig.expires.is_some_and(|e| e < now) {
        return Err(SignatureError::Stale);
    }
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        if !covers("content-digest") {
            return Err(SignatureError::Uncovered("content-digest"));
        }
        let digest = header(req.headers, "content-digest").unwrap_or_default();
        if !content_digest_matches(digest, body) {
            return Err(SignatureError::Digest);
        }
    }
    let base = signature_base(req, sig)?;
    verify_bytes(base.as_bytes(), &sig.signature, sig.alg.as_deref(), key)
}

/// Verifies `signature` over `data` with `key` by `alg` (or the key's own algorithm).
pub fn verify_bytes(data: &[u8], signature: &[u8], alg: Option<&str>, key: &Key) -> Result<(), SignatureError> {
    let ok = match key {
        Key::Ed25519(k) => {
            if alg.is_some_and(|a| a != "ed25519") {
                return Err(SignatureError::Algorithm(alg.unwrap_or_default().to_owned()));
            }
            let s = ed25519_dalek::Signature::from_slice(signature).map_err(|_| SignatureError::Invalid)?;
            k.verify_strict(data, &s).is_ok()
        }
        Key::Pem(pem) => {
            let pkey: PKey<Public> = PKey::public_key_from_pem(pem.as_bytes()).map_err(|_| SignatureError::Key)?;
            match (pkey.id(), alg) {
                (Id::RSA, None | Some("rsa-v1_5-sha256")) => {
                    let mut v = Verifier::new(MessageDigest::sha256(), &pkey).map_err(|_| SignatureError::Key)?;
                    v.update(data).map_err(|_| SignatureError::Key)?;
                    v.verify(signature).unwrap_or(false)
                }
                (Id::RSA, Some("rsa-pss-sha512")) => {
                    let mut v = Verifier::new(MessageDigest::sha512(), &pkey).map_err(|_| SignatureError::Key)?;
                    v.set_rsa_padding(Padding::PKCS1_PSS).map_err(|_| SignatureError::Key)?;
                    v.set_rsa_pss_saltlen(RsaPssSaltlen::custom(64))
                        .map_err(|_| SignatureError::Key)?;
                    v.set_rsa_mgf1_md(MessageDigest::sha512())
                        .map_err(|_| SignatureError::Key)?;
                    v.update(data).map_err(|_| SignatureError::Key)?;
                    v.verify(signature).unwrap_or(false)
                }
                (Id::ED25519, None | Some("ed25519")) => {
                    let mut v = Verifier::new_without_digest(&pkey).map_err(|_| SignatureError::Key)?;
                    v.verify_oneshot(signature, data).unwrap_or(false)
                }
                (_, a) => return Err(SignatureError::Algorithm(a.unwrap_or("for this key").to_owned())),
            }
        }
    };
    if ok { Ok(()) } else { Err(SignatureError::Invalid) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9421 appendix B.1.4's Ed25519 key.
    const ED25519_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n";

    fn example_request() -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("host", "example.com"),
            ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("content-type", "application/json"),
            (
                "content-digest",
                "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
            ),
            ("content-length", "18"),
        ] {
            h.insert(k, v.parse().unwrap());
        }
        h
    }

    /// RFC 9421 appendix B.2.6: signing a request with Ed25519.
    #[test]
    fn the_rfcs_ed25519_example_verifies() {
        let mut headers = example_request();
        headers.insert(
            "signature-input",
            r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#
                .parse()
                .unwrap(),
        );
        headers.insert(
            "signature",
            "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
                .parse()
                .unwrap(),
        );
        let sig = parse(&headers).unwrap();
        assert_eq!(sig.key_id.as_deref(), Some("test-key-ed25519"));
        let uri = url::Url::parse("https://example.com/foo?param=Value&Pet=dog").unwrap();
        let req = Request {
            method: "POST",
            target_uri: &uri,
            headers: &headers,
        };
        assert_eq!(
            signature_base(&req, &sig).unwrap(),
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n\
             \"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \
             \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
        );
        let body = br#"{"hello": "world"}"#;
        assert!(content_digest_matches(
            headers["content-digest"].to_str().unwrap(),
            body
        ));
        // The example leaves content-digest uncovered: checked as a signature, it verifies; as
        // an inbox request, the body must be covered.
        let base = signature_base(&req, &sig).unwrap();
        verify_bytes(base.as_bytes(), &sig.signature, None, &Key::Pem(ED25519_PUBLIC)).unwrap();
        assert_eq!(
            verify(&req, Some(body), &sig, &Key::Pem(ED25519_PUBLIC), 1618884473),
            Err(SignatureError::Uncovered("content-digest"))
        );
        assert_eq!(verify(&req, None, &sig, &Key::Pem(ED25519_PUBLIC), 1618884473), Ok(()));
        assert_eq!(
            verify(&req, None, &sig, &Key::Pem(ED25519_PUBLIC), 1618884473 + 7200),
            Err(SignatureError::Stale)
        );
        let mut tampered = sig.clone();
        tampered.params = tampered.params.replace("1618884473", "1618884474");
        tampered.created = Some(1618884474);
        assert_eq!(
            verify(&req, None, &tampered, &Key::Pem(ED25519_PUBLIC), 1618884473),
            Err(SignatureError::Invalid)
        );
    }
}
