//! Ed25519 keys as Multikeys (FEP-521a) and object integrity proofs (FEP-8b32, the
//! `eddsa-jcs-2022` cryptosuite of W3C Data Integrity): an activity signed this way can be
//! trusted by whoever holds the signer's key, without fetching it again from its origin.
//!
//! Proof: the proof options (without `proofValue`, with the document's `@context`) and the
//! document (without `proof`) are each canonicalised (RFC 8785) and hashed with SHA-256; the
//! signature covers the two hashes, options first, and is given as `z` + base58btc.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Value, json};

/// The multicodec prefixes of an Ed25519 public key and secret key.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
const ED25519_PRIV: [u8; 2] = [0x80, 0x26];

#[derive(Debug, thiserror::Error)]
pub enum IntegrityError {
    #[error("not a multibase Ed25519 key")]
    Key,
    #[error("no eddsa-jcs-2022 proof")]
    NoProof,
    #[error("the proof is malformed: {0}")]
    Malformed(&'static str),
    #[error("the proof does not match the document")]
    Mismatch,
}

/// A new Ed25519 key pair as (public, secret) multibase strings.
pub fn generate() -> (String, String) {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    (
        public_multibase(&key.verifying_key()),
        multibase(&ED25519_PRIV, key.as_bytes()),
    )
}

fn multibase(prefix: &[u8], bytes: &[u8]) -> String {
    let mut all = prefix.to_vec();
    all.extend_from_slice(bytes);
    format!("z{}", bs58::encode(all).into_string())
}

fn decode(multibase: &str, prefix: &[u8]) -> Result<[u8; 32], IntegrityError> {
    let bytes = bs58::decode(multibase.strip_prefix('z').ok_or(IntegrityError::Key)?)
        .into_vec()
        .map_err(|_| IntegrityError::Key)?;
    bytes
        .strip_prefix(prefix)
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .ok_or(IntegrityError::Key)
}

pub fn public_multibase(key: &VerifyingKey) -> String {
    multibase(&ED25519_PUB, key.as_bytes())
}

pub fn signing_key(secret_multibase: &str) -> Result<SigningKey, IntegrityError> {
    Ok(SigningKey::from_bytes(&decode(secret_multibase, &ED25519_PRIV)?))
}

pub fn verifying_key(public_multibase: &str) -> Result<VerifyingKey, IntegrityError> {
    VerifyingKey::from_bytes(&decode(public_multibase, &ED25519_PUB)?).map_err(|_| IntegrityError::Key)
}

/// The `assertionMethod` entry of an actor document (FEP-521a).
pub fn multikey(key_id: &str, controller: &str, public_multibase: &str) -> Value {
    json!({ "id": key_id, "type": "Multikey", "controller": controller, "publicKeyMultibase": public_multibase })
}

/// The Ed25519 public key an actor document publishes as a Multikey (FEP-521a), controlled by
/// the actor and named on its host: its id and multibase value, when there is one.
pub fn published_key(actor: &Value) -> Option<(String, String)> {
    let actor_id = url::Url::parse(actor["id"].as_str()?).ok()?;
    super::protocol::items(&actor["assertionMethod"])
        .into_iter()
        .find_map(|m| {
            let value = m["publicKeyMultibase"].as_str()?;
            let id = url::Url::parse(m["id"].as_str()?).ok()?;
            let own = m["controller"].as_str() == Some(actor_id.as_str())
                && super::policy::authority(&id) == super::policy::authority(&actor_id);
            (m["type"] == "Multikey" && own && verifying_key(value).is_ok()).then(|| (id.to_string(), value.to_owned()))
        })
}

fn hash_of(v: &Value) -> Result<[u8; 32], IntegrityError> {
    let canonical =
        serde_json_canonicalizer::to_vec(v).map_err(|_| IntegrityError::Malformed("not canonicalisable"))?;
    Ok(openssl::sha::sha256(&canonical))
}

/// The bytes an eddsa-jcs-2022 signature covers: the hash of the options, then of the document.
fn signed_bytes(document: &Value, options: &Value) -> Result<Vec<u8>, IntegrityError> {
    let mut options = options.clone();
    if let Some(o) = options.as_object_mut() {
        o.remove("proofValue");
        if let Some(context) = document.get("@context") {
            o.insert("@context".into(), context.clone());
        }
    }
    let mut unsecured = document.clone();
    if let Some(d) = unsecured.as_object_mut() {
        d.remove("proof");
    }
    let mut bytes = hash_of(&options)?.to_vec();
    bytes.extend_from_slice(&hash_of(&unsecured)?);
    Ok(bytes)
}

/// `document` with an eddsa-jcs-2022 proof by `key` (named `verification_method`), made at
/// `created` (an XSD date-time).
pub fn sign(
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: &str,
) -> Result<Value, IntegrityError> {
    let options = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "created": created,
    });
    let signature = key.sign(&signed_bytes(document, &options)?);
    let mut proof = options;
    proof["proofValue"] = json!(format!("z{}", bs58::encode(signature.to_bytes()).into_string()));
    let mut signed = document.clone();
    signed["proof"] = proof;
    Ok(signed)
}

/// The verification method of a document's eddsa-jcs-2022 proof, if it has one.
pub fn proof_method(document: &Value) -> Option<&str> {
    let proof = &document["proof"];
    (proof["cryptosuite"] == "eddsa-jcs-2022").then(|| proof["verificationMethod"].as_str())?
}

/// Checks a document's eddsa-jcs-2022 proof against `key`.
pub fn verify(document: &Value, key: &VerifyingKey) -> Result<(), IntegrityError> {
    let proof = &document["proof"];
    if proof["cryptosuite"] != "eddsa-jcs-2022" || proof["type"] != "DataIntegrityProof" {
        return Err(IntegrityError::NoProof);
    }
    if proof["proofPurpose"] != "assertionMethod" {
        return Err(IntegrityError::Malformed("proofPurpose must be assertionMethod"));
    }
    let value = proof["proofValue"]
        .as_str()
        .and_then(|v| v.strip_prefix('z'))
        .ok_or(IntegrityError::Malformed("proofValue must be base58btc"))?;
    let bytes = bs58::decode(value)
        .into_vec()
        .map_err(|_| IntegrityError::Malformed("proofValue must be base58btc"))?;
    let signature = Signature::from_slice(&bytes).map_err(|_| IntegrityError::Malformed("not an Ed25519 signature"))?;
    key.verify(&signed_bytes(document, proof)?, &signature)
        .map_err(|_| IntegrityError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the W3C Data Integrity EdDSA Cryptosuites v1.0 (eddsa-jcs-2022, its
    /// appendix B): the key pair and the signature it gives for the example document.
    #[test]
    fn the_specifications_example_verifies_and_tampering_is_found() {
        let public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let secret = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
        let key = signing_key(secret).unwrap();
        assert_eq!(public_multibase(&key.verifying_key()), public);
        let document = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": { "id": "did:example:abcdefgh", "alumniOf": "The School of Examples" }
        });
        let method = format!("did:key:{public}#{public}");
        let signed = sign(&document, &key, &method, "2023-02-24T23:36:38Z").unwrap();
        assert_eq!(
            signed["proof"]["proofValue"],
            "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
        );
        verify(&signed, &key.verifying_key()).unwrap();
        let mut tampered = signed.clone();
        tampered["name"] = json!("Another Credential");
        assert!(matches!(
            verify(&tampered, &key.verifying_key()),
            Err(IntegrityError::Mismatch)
        ));
        let (other, _) = generate();
        assert!(verify(&signed, &verifying_key(&other).unwrap()).is_err());
    }
}
