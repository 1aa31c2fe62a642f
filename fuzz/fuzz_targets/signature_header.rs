//! HTTP signature headers as a peer may send them: parsing never panics, and verifying a parsed
//! signature against a fixed key never panics and never accepts what was not signed.
#![no_main]

use axum::http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use staffroom::federation::signatures::{digest_matches, parse_signature, verify_request};

const KEY: &str = include_str!("../public_key.pem");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (signature, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let mut headers = HeaderMap::new();
    let Ok(value) = HeaderValue::from_str(signature) else {
        return;
    };
    headers.insert("signature", value);
    for line in rest.lines().take(8) {
        if let Some((k, v)) = line.split_once(':')
            && let (Ok(k), Ok(v)) = (
                axum::http::HeaderName::from_bytes(k.trim().as_bytes()),
                HeaderValue::from_str(v.trim()),
            )
        {
            headers.insert(k, v);
        }
    }
    let _ = digest_matches(rest, data);
    if let Ok(sig) = parse_signature(&headers) {
        let verified = verify_request("POST", "/inbox", &headers, Some(data), &sig, KEY);
        assert!(verified.is_err(), "a signature nobody made verified");
    }
});
