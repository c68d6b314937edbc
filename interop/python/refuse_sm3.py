#!/usr/bin/env python3
"""The Python reference (sd-jwt 0.10.4) must refuse ``_sd_alg: sm3`` cleanly (issue 17).

Usage: refuse_sm3.py DIR

sd-jwt 0.10.4 implements only ``sha-256``. For every valid ``DIR/*.json`` whose issuer JWT
payload says ``_sd_alg: sm3`` and whose keys the library can check (Ed25519 or P-256, i.e. no
SM2 key), both ways of reading the credential must end in an exception and never in a payload:

1. the ``issuance`` (no KB-JWT) read with ``SDJWTVerifier(..., expected_aud=None,
   expected_nonce=None)``: the issuer signature must verify (so the refusal is not a signature
   failure) and ``get_verified_payload()`` must raise ``ValueError("Invalid hash algorithm")``,
   the library's own check of ``_sd_alg``;
2. the ``presentation`` with its KB-JWT (``aud``/``nonce`` = the vector's): any exception
   (0.10.4 recomputes ``sd_hash`` with SHA-256 before it looks at ``_sd_alg``, so it stops at
   ``ValueError("Invalid digest in KB-JWT")``); a returned payload is a failure.

Output: ``ok <file>: <what was raised>`` / ``FAIL <file>: reason`` per case, ``skip`` for other
vectors, then exactly ``N passed, M failed``. Exit 1 on any failure or when no case was found.
"""

import json
import sys
from pathlib import Path

import sd_jwt.verifier
from jwcrypto.jwk import JWK
from sd_jwt.verifier import SDJWTVerifier

from verify_vectors import VectorFailure, b64url_json, jws_alg, public_jwk, require


def check(vec):
    issuer_iss = require(vec, "issuer_iss", str)
    issuer_jwk = public_jwk(require(vec, "issuer_jwk", dict), "issuer_jwk")
    holder_jwk = public_jwk(require(vec, "holder_jwk", dict), "holder_jwk")
    issuance = require(vec, "issuance", str)
    presentation = require(vec, "presentation", str)

    def issuer_key(iss, _header):
        if iss != issuer_iss:
            raise VectorFailure(f"payload iss {iss!r} != issuer_iss {issuer_iss!r}")
        return JWK(**issuer_jwk)

    # 1. Without key binding: the signature verifies in the constructor, then the payload is
    # refused for its _sd_alg.
    try:
        verifier = SDJWTVerifier(issuance, issuer_key)
    except Exception as e:  # noqa: BLE001
        raise VectorFailure(f"issuer signature not accepted, so the refusal proves nothing: {type(e).__name__}: {e}")
    try:
        payload = verifier.get_verified_payload()
    except ValueError as e:
        if str(e) != "Invalid hash algorithm":
            raise VectorFailure(f"refused, but not for _sd_alg: ValueError: {e}")
        without_kb = f"ValueError: {e}"
    else:
        raise VectorFailure(f"MIS-VERIFIED: sd-jwt returned a payload for an sm3 credential: {json.dumps(payload, ensure_ascii=False)[:200]}")

    # 2. With key binding (the KB-JWT alg is the holder key's, as in verify_vectors.py).
    sd_jwt.verifier.DEFAULT_SIGNING_ALG = jws_alg(holder_jwk)
    try:
        v = SDJWTVerifier(presentation, issuer_key, expected_aud=vec["aud"], expected_nonce=vec["nonce"])
        payload = v.get_verified_payload()
    except Exception as e:  # noqa: BLE001
        with_kb = f"{type(e).__name__}: {e}"
    else:
        raise VectorFailure(f"MIS-VERIFIED: sd-jwt returned a payload for an sm3 presentation: {json.dumps(payload, ensure_ascii=False)[:200]}")
    return f"without KB-JWT: {without_kb}; with KB-JWT: {with_kb}"


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} DIR", file=sys.stderr)
        return 2
    directory = Path(argv[1])
    passed = failed = 0
    for path in sorted(directory.glob("*.json")):
        try:
            vec = json.loads(path.read_text(encoding="utf-8"))
            payload = b64url_json(vec["presentation"].split("~")[0].split(".")[1])
        except Exception as e:  # noqa: BLE001
            print(f"FAIL {path}: {type(e).__name__}: {e}")
            failed += 1
            continue
        keys = [vec.get("issuer_jwk") or {}, vec.get("holder_jwk") or {}]
        if (
            not vec.get("expected", {}).get("valid")
            or payload.get("_sd_alg") != "sm3"
            or any(k.get("crv") == "SM2" for k in keys)
        ):
            print(f"skip {path}: not an sm3 credential with Ed25519/P-256 keys")
            continue
        try:
            what = check(vec)
        except Exception as e:  # noqa: BLE001
            print(f"FAIL {path}: {type(e).__name__}: {e}")
            failed += 1
        else:
            print(f"ok {path}: refused ({what})")
            passed += 1
    if passed + failed == 0:
        print(f"FAIL {directory}: no sm3 case found")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed + failed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
