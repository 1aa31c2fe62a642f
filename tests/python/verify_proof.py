"""Verifies FEP-8b32 object integrity proofs (eddsa-jcs-2022) with registry libraries only:
`cryptography` for Ed25519, `jcs` for RFC 8785 canonicalisation, `base58` for multibase.

Reads a JSON list of {"document": ..., "publicKeyMultibase": "z..."} on standard input and
prints one line per document: "valid" or "invalid: <why>".
"""

import hashlib
import json
import sys

import base58
import jcs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def public_key(multibase):
    raw = base58.b58decode(multibase[1:])
    if not multibase.startswith("z") or raw[:2] != b"\xed\x01" or len(raw) != 34:
        raise ValueError("not a multibase Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def verify(document, multibase):
    document = dict(document)
    proof = dict(document.pop("proof"))
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-jcs-2022":
        return "invalid: not an eddsa-jcs-2022 proof"
    value = proof.pop("proofValue")
    if "@context" in document:
        proof["@context"] = document["@context"]
    data = hashlib.sha256(jcs.canonicalize(proof)).digest() + hashlib.sha256(jcs.canonicalize(document)).digest()
    try:
        public_key(multibase).verify(base58.b58decode(value[1:]), data)
    except InvalidSignature:
        return "invalid: the signature does not match"
    return "valid"


for item in json.load(sys.stdin):
    print(verify(item["document"], item["publicKeyMultibase"]))
