#!/usr/bin/env python3
"""Verify SD-JWT VC test vectors with the Python reference implementation (sd-jwt 0.10.4).

Usage: verify_vectors.py DIR

For every ``DIR/*.json`` whose ``expected.valid`` is true, the ``presentation`` is verified
with ``sd_jwt.verifier.SDJWTVerifier`` (issuer signature with the vector's ``issuer_jwk``,
key binding with the holder key from ``cnf.jwk``, KB-JWT ``aud``/``nonce`` = the vector's),
and the verified claims are compared with ``expected.claims``. Keys may be Ed25519 (``EdDSA``)
or P-256 (``ES256``), issuer and holder independently.

Output: one line per file (``ok <file>``, ``FAIL <file>: reason`` or ``skip <file>: reason``
for vectors that are expected to be invalid, and for vectors this peer cannot check: an SM2
key, which jwcrypto does not know, or ``_sd_alg: sm3``, which sd-jwt 0.10.4 refuses — that
refusal is checked by ``refuse_sm3.py``), then exactly ``N passed, M failed``.
Exit status 1 if any vector failed or if no valid vector was found.
"""

import base64
import json
import sys
from pathlib import Path

import sd_jwt.verifier
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

# Quirk: sd-jwt 0.10.4 verifies the KB-JWT with `alg=DEFAULT_SIGNING_ALG` ("ES256"), a
# module-level name that `sd_jwt.verifier` imported by value from `sd_jwt.common`; the
# verifier offers no parameter for it, so it has to be patched in that module — per vector,
# to the algorithm of the holder key (see verify_vector).
sd_jwt.verifier.DEFAULT_SIGNING_ALG = "EdDSA"

ISSUER_TYP = "dc+sd-jwt"
# The members of a public JWK per key type (RFC 8037 for Ed25519, RFC 7518 §6.2 for P-256) and
# the JWS alg of that key; everything else (kid, alg, use, d) is dropped before the key is
# handed to the library, so that only public material is used.
KEY_KINDS = {
    ("OKP", "Ed25519"): (("kty", "crv", "x"), "EdDSA"),
    ("EC", "P-256"): (("kty", "crv", "x", "y"), "ES256"),
}
# Keys and digests this peer does not implement: vectors using them are skipped, not failed.
UNSUPPORTED_CRV = {"SM2"}
UNSUPPORTED_SD_ALG = {"sm3"}


class VectorFailure(Exception):
    """A vector that should verify did not (the message is the reason printed)."""


def b64url_json(segment):
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))


def key_kind(jwk, what):
    """(public members, JWS alg) of a supported public JWK."""
    if not isinstance(jwk, dict):
        raise VectorFailure(f"{what} is not a JSON object")
    if "d" in jwk:
        raise VectorFailure(f"{what} contains a private key member 'd'")
    kind = KEY_KINDS.get((jwk.get("kty"), jwk.get("crv")))
    if kind is None or not all(isinstance(jwk.get(m), str) for m in kind[0]):
        raise VectorFailure(f"{what} is not an Ed25519 or P-256 public key: {jwk}")
    return kind


def public_jwk(jwk, what):
    members, _alg = key_kind(jwk, what)
    return {k: jwk[k] for k in members}


def jws_alg(jwk):
    return key_kind(jwk, "key")[1]


def unsupported(vec):
    """Why this peer cannot check the vector, or None."""
    for what in ("issuer_jwk", "holder_jwk"):
        jwk = vec.get(what)
        if isinstance(jwk, dict) and jwk.get("crv") in UNSUPPORTED_CRV:
            return f"{what} is an {jwk.get('crv')} key, which jwcrypto does not implement"
    presentation = vec.get("presentation")
    if isinstance(presentation, str):
        try:
            payload = b64url_json(presentation.split("~")[0].split(".")[1])
        except Exception:  # noqa: BLE001 - a broken vector is reported by verify_vector
            return None
        if isinstance(payload, dict) and payload.get("_sd_alg") in UNSUPPORTED_SD_ALG:
            return f"_sd_alg {payload['_sd_alg']} is not implemented by sd-jwt 0.10.4 (its refusal is checked by refuse_sm3.py)"
    return None


def thumbprint(jwk):
    """RFC 7638 JWK thumbprint (SHA-256, base64url without padding)."""
    return JWK(**public_jwk(jwk, "key")).thumbprint()


def json_diff(actual, expected, path="$"):
    """First difference between two JSON values, or None if equal.

    Stricter than Python's ``==``, which treats ``True == 1`` and ``False == 0``; JSON booleans
    and numbers are different types. Integers and floats compare by value (1 == 1.0), as JSON
    itself does not distinguish them. Object member order is irrelevant, array order is not.
    """
    if isinstance(expected, bool) or isinstance(actual, bool):
        if not (isinstance(expected, bool) and isinstance(actual, bool)) or actual != expected:
            return f"{path}: got {json.dumps(actual, ensure_ascii=False)}, expected {json.dumps(expected, ensure_ascii=False)}"
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: got {json.dumps(actual, ensure_ascii=False)}, expected an object"
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        if missing:
            return f"{path}: missing member(s) {missing}"
        if extra:
            return f"{path}: unexpected member(s) {extra}"
        for key in expected:
            d = json_diff(actual[key], expected[key], f"{path}.{key}")
            if d:
                return d
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: got {json.dumps(actual, ensure_ascii=False)}, expected an array"
        if len(actual) != len(expected):
            return f"{path}: array length {len(actual)}, expected {len(expected)}: got {json.dumps(actual, ensure_ascii=False)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            d = json_diff(a, e, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(expected, (int, float)):
        if not isinstance(actual, (int, float)) or actual != expected:
            return f"{path}: got {json.dumps(actual)}, expected {json.dumps(expected)}"
        return None
    if type(actual) is not type(expected) or actual != expected:
        return f"{path}: got {json.dumps(actual, ensure_ascii=False)}, expected {json.dumps(expected, ensure_ascii=False)}"
    return None


def require(vec, key, types):
    if key not in vec or not isinstance(vec[key], types):
        raise VectorFailure(f"vector field '{key}' missing or of the wrong type")
    return vec[key]


def verify_vector(vec):
    """Verify one valid vector with sd-jwt 0.10.4; return the verified claims.

    Raises VectorFailure (or any library exception) when the vector does not verify or the
    verified claims differ from expected.claims.
    """
    presentation = require(vec, "presentation", str)
    issuer_iss = require(vec, "issuer_iss", str)
    nonce = require(vec, "nonce", str)
    aud = require(vec, "aud", str)
    now = require(vec, "now", int)
    expected = require(vec, "expected", dict)
    if not isinstance(expected.get("claims"), dict):
        raise VectorFailure("expected.claims missing")
    issuer_jwk = public_jwk(require(vec, "issuer_jwk", dict), "issuer_jwk")
    holder_jwk = public_jwk(require(vec, "holder_jwk", dict), "holder_jwk")

    parts = presentation.split("~")
    if len(parts) < 2 or not parts[-1]:
        raise VectorFailure("presentation has no KB-JWT (last '~' segment is empty)")

    # --- Harness checks: things sd-jwt 0.10.4 does not check itself (see README) ---
    header = b64url_json(parts[0].split(".")[0])
    if header.get("typ") != ISSUER_TYP:
        raise VectorFailure(f"harness: issuer JWT header typ is {header.get('typ')!r}, expected {ISSUER_TYP!r}")
    if header.get("alg") != jws_alg(issuer_jwk):
        raise VectorFailure(f"harness: issuer JWT header alg is {header.get('alg')!r}, not {jws_alg(issuer_jwk)!r} (the issuer key's)")
    if header.get("kid") != thumbprint(issuer_jwk):
        raise VectorFailure(f"harness: issuer JWT header kid {header.get('kid')!r} is not the RFC 7638 thumbprint of issuer_jwk")

    seen_iss = []

    def issuer_key(iss, _header):
        # The library passes the *unverified* payload `iss` and the JOSE header; it expects a
        # jwcrypto JWK back (its type hint says `str`, which is wrong).
        seen_iss.append(iss)
        if iss != issuer_iss:
            raise VectorFailure(f"payload iss {iss!r} != issuer_iss {issuer_iss!r}")
        return JWK(**issuer_jwk)

    # Verifies: issuer signature (alg from the header, must be in jwcrypto's allowed list),
    # KB-JWT signature with cnf.jwk and alg=DEFAULT_SIGNING_ALG, KB typ == "kb+jwt",
    # KB aud == aud, KB nonce == nonce, KB sd_hash. Not: exp/nbf/iat, header typ, KB iat.
    # The KB-JWT alg is the holder key's (the library's module-level default, see the top).
    sd_jwt.verifier.DEFAULT_SIGNING_ALG = jws_alg(holder_jwk)
    verifier = SDJWTVerifier(presentation, issuer_key, expected_aud=aud, expected_nonce=nonce)
    if seen_iss != [issuer_iss]:
        raise VectorFailure("issuer key callback was not called with the vector's issuer_iss")
    claims = verifier.get_verified_payload()

    # --- More harness checks on the verified payload ---
    cnf_jwk = (claims.get("cnf") or {}).get("jwk")
    if not isinstance(cnf_jwk, dict) or {k: cnf_jwk.get(k) for k in holder_jwk} != holder_jwk:
        raise VectorFailure(f"harness: cnf.jwk {cnf_jwk} is not the vector's holder_jwk")
    # The library does not check time claims; mirror the TS peer's rule (@sd-jwt/core Jwt.verify,
    # no skew): invalid if iat > now, nbf > now or exp < now.
    for claim, bad in (("iat", lambda t: t > now), ("nbf", lambda t: t > now), ("exp", lambda t: t < now)):
        if claim in claims:
            if not isinstance(claims[claim], (int, float)) or isinstance(claims[claim], bool):
                raise VectorFailure(f"harness: {claim} is not a NumericDate")
            if bad(claims[claim]):
                raise VectorFailure(f"harness: {claim}={claims[claim]} is not valid at now={now}")
    kb_payload = b64url_json(parts[-1].split(".")[1])
    if not isinstance(kb_payload.get("iat"), int):
        raise VectorFailure("harness: KB-JWT iat missing or not an integer")

    # get_verified_payload() already removes `_sd` and `_sd_alg` (at every level) and drops
    # undisclosed array elements, which is exactly the shape of expected.claims: no
    # normalisation is applied, every member (iss, iat, exp, vct, cnf, ...) is compared.
    diff = json_diff(claims, expected["claims"])
    if diff:
        raise VectorFailure(f"claims differ: {diff}")
    return claims


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} DIR", file=sys.stderr)
        return 2
    directory = Path(argv[1])
    files = sorted(directory.glob("*.json")) if directory.is_dir() else []
    if not directory.is_dir():
        print(f"FAIL {directory}: not a directory")
    passed = failed = 0
    for path in files:
        try:
            vec = json.loads(path.read_text(encoding="utf-8"))
            expected = vec.get("expected") if isinstance(vec, dict) else None
            if not isinstance(expected, dict) or not isinstance(expected.get("valid"), bool):
                raise VectorFailure("no boolean expected.valid")
        except Exception as e:  # noqa: BLE001 - every problem is reported as a failure
            print(f"FAIL {path}: {type(e).__name__}: {e}")
            failed += 1
            continue
        if not expected["valid"]:
            print(f"skip {path}: expected invalid ({expected.get('error')}), not a peer case")
            continue
        reason = unsupported(vec)
        if reason:
            print(f"skip {path}: {reason}")
            continue
        try:
            verify_vector(vec)
        except Exception as e:  # noqa: BLE001
            print(f"FAIL {path}: {type(e).__name__}: {e}")
            failed += 1
        else:
            print(f"ok {path}")
            passed += 1
    if passed + failed == 0:
        print(f"FAIL {directory}: no valid test vectors found")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed + failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
