#!/usr/bin/env python3
"""Issue SD-JWT VC credentials and presentations with the Python reference (sd-jwt 0.10.4).

Usage: issue_credentials.py OUTDIR

The reverse interop direction: the Python library is issuer and holder, with freshly
generated Ed25519 keys; our Rust verifier must accept what it writes. For each case this
issues a credential (header typ "dc+sd-jwt", kid = RFC 7638 thumbprint of the issuer key,
payload iss/iat/exp/vct/cnf.jwk, decoy digests on), creates a presentation with a KB-JWT
disclosing a subset, and writes OUTDIR/<name>.json in the test-vector format (no private
keys). expected.claims is written out by hand per case below (an independent statement of
what the verifier must return), and every file is verified once with
verify_vectors.verify_vector (sd-jwt's own verifier) before it is written, so a case where
the library disagrees with the hand-written expectation fails here.
"""

import base64
import json
import secrets
import sys
import time
from pathlib import Path

import sd_jwt.verifier  # noqa: F401  (patched in verify_vectors)
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verify_vectors import public_jwk, verify_vector  # noqa: E402

ISSUER_ISS = "https://issuer.interop.example.cn"
VCT = "urn:cn-wallet:interop-test:1"
AUD = "https://verifier.interop.example.cn"
ONE_YEAR = 365 * 24 * 3600
ALG = "EdDSA"


# Each case: name, description, user claims (SDObj marks a selectively disclosable object
# key or array element; plain otherwise), the holder's disclosure selection in sd-jwt's
# `claims_to_disclose` format (objects: {key: True | nested selection}; arrays: one entry per
# array position, True/False or a nested selection), and the claims the verifier must
# return besides iss/iat/exp/vct/cnf.
CASES = [
    {
        "name": "py-01-top-level-zh-emoji",
        "description": "Python-issued: top-level SD claims with Chinese text, a Chinese claim name and emoji; some withheld",
        "claims": {
            "document_type": "机动车驾驶证",  # plain, non-ASCII
            "issuing_country": "CN",
            "height_cm": 175,
            "emblem": "🪪",  # plain, outside the BMP
            SDObj("given_name"): "伟",
            SDObj("family_name"): "张",
            SDObj("姓名"): "张伟",
            SDObj("motto"): "安全驾驶 🚗💨",
            SDObj("birthdate"): "1990-05-17",
            SDObj("email"): "zhang.wei@example.cn",
            SDObj("weight_kg"): 72.5,
        },
        "disclose": {"given_name": True, "family_name": True, "姓名": True, "motto": True, "weight_kg": True},
        "expected": {
            "document_type": "机动车驾驶证",
            "issuing_country": "CN",
            "height_cm": 175,
            "emblem": "🪪",
            "given_name": "伟",
            "family_name": "张",
            "姓名": "张伟",
            "motto": "安全驾驶 🚗💨",
            "weight_kg": 72.5,
        },
    },
    {
        "name": "py-02-nested-objects",
        "description": "Python-issued: SD claims inside an SD object (recursive), SD claims inside a plain object, an undisclosed SD object",
        "claims": {
            SDObj("address"): {
                SDObj("street_address"): "建国路88号",
                SDObj("locality"): "朝阳区",
                SDObj("postal_code"): "100022",
                "region": "北京市",
                "country": "CN",
            },
            "licence": {
                SDObj("number"): "110105199005170000",
                SDObj("issue_date"): "2010-01-01",
                "issuing_authority": "北京市公安局公安交通管理局",
            },
            SDObj("emergency_contact"): {
                SDObj("name"): "李娜",
                "phone": "+86 10 1234 5678",
            },
        },
        "disclose": {
            "address": {"street_address": True, "postal_code": True},
            "licence": {"number": True},
        },
        "expected": {
            "address": {"street_address": "建国路88号", "postal_code": "100022", "region": "北京市", "country": "CN"},
            "licence": {"number": "110105199005170000", "issuing_authority": "北京市公安局公安交通管理局"},
        },
    },
    {
        "name": "py-03-array-elements",
        "description": "Python-issued: SD array elements (strings, objects with SD members, an SD array inside an SD element); some withheld",
        "claims": {
            "nationalities": [SDObj("CN"), SDObj("HK"), "DE"],
            "driving_privileges": [
                SDObj({"vehicle_category_code": "B", SDObj("issue_date"): "2010-01-01", "expiry_date": "2030-01-01"}),
                SDObj({"vehicle_category_code": "C1", "issue_date": "2015-06-30"}),
                {"vehicle_category_code": "AM", SDObj("note"): "摩托车 🏍️"},
            ],
            "codes": [SDObj([SDObj("01.06"), "78", SDObj("95")])],
        },
        "disclose": {
            "nationalities": [True, False],
            "driving_privileges": [{"issue_date": True}, False, {"note": True}],
            "codes": [[True, None, False]],
        },
        "expected": {
            "nationalities": ["CN", "DE"],
            "driving_privileges": [
                {"vehicle_category_code": "B", "issue_date": "2010-01-01", "expiry_date": "2030-01-01"},
                {"vehicle_category_code": "AM", "note": "摩托车 🏍️"},
            ],
            "codes": [["01.06", "78"]],
        },
    },
    {
        "name": "py-04-nothing-disclosed",
        "description": "Python-issued: every SD claim withheld; the presentation is <jwt>~<kb-jwt> with no disclosures",
        "claims": {
            "issuing_country": "CN",
            SDObj("given_name"): "伟",
            SDObj("family_name"): "张",
            "privileges": [SDObj("B"), SDObj("C1")],
        },
        "disclose": {},
        "expected": {"issuing_country": "CN", "privileges": []},
    },
    {
        "name": "py-05-falsy-values-deep",
        "description": "Python-issued: SD claims and array elements whose values are 0, false, null, \"\", {} and []; three levels of recursive SD objects",
        "claims": {
            SDObj("zero"): 0,
            SDObj("no"): False,
            SDObj("nothing"): None,
            SDObj("empty_string"): "",
            SDObj("empty_object"): {},
            SDObj("empty_array"): [],
            "falsy_elements": [SDObj(0), SDObj(False), SDObj(None), SDObj(""), SDObj({}), SDObj([])],
            SDObj("a"): {SDObj("b"): {SDObj("c"): "深 🌊"}},
        },
        "disclose": {
            "zero": True, "no": True, "nothing": True, "empty_string": True,
            "empty_object": True, "empty_array": True,
            "falsy_elements": [True, True, True, True, True, True],
            "a": {"b": {"c": True}},
        },
        "expected": {
            "zero": 0, "no": False, "nothing": None, "empty_string": "",
            "empty_object": {}, "empty_array": [],
            "falsy_elements": [0, False, None, "", {}, []],
            "a": {"b": {"c": "深 🌊"}},
        },
    },
]


def b64url_json(segment):
    padded = segment + "=" * (-len(segment) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def issue_case(case):
    issuer_key = JWK.generate(kty="OKP", crv="Ed25519")
    holder_key = JWK.generate(kty="OKP", crv="Ed25519")
    issuer_jwk = public_jwk(issuer_key.export_public(as_dict=True), "issuer_jwk")
    holder_jwk = public_jwk(holder_key.export_public(as_dict=True), "holder_jwk")

    iat = int(time.time())
    user_claims = {"iss": ISSUER_ISS, "iat": iat, "exp": iat + ONE_YEAR, "vct": VCT, **case["claims"]}
    issuer = SDJWTIssuer(
        user_claims,
        issuer_key,
        holder_key=holder_key,  # the library adds cnf: {jwk: holder public key}
        sign_alg=ALG,
        add_decoy_claims=True,
        # The library's default typ is "example+sd-jwt" (SDJWTCommon.SD_JWT_HEADER).
        extra_header_parameters={"typ": "dc+sd-jwt", "kid": issuer_key.thumbprint()},
    )

    nonce = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")
    holder = SDJWTHolder(issuer.sd_jwt_issuance)
    holder.create_presentation(case["disclose"], nonce=nonce, aud=AUD, holder_key=holder_key, sign_alg=ALG)
    presentation = holder.sd_jwt_presentation
    # The holder sets the KB-JWT iat to int(time()) and offers no way to choose it.
    now = holder.key_binding_jwt_payload["iat"]

    vector = {
        "description": case["description"],
        "type": "interop-python",
        "issuer_iss": ISSUER_ISS,
        "issuer_jwk": issuer_jwk,
        "holder_jwk": holder_jwk,
        "issuance": issuer.sd_jwt_issuance,
        "presentation": presentation,
        "nonce": nonce,
        "aud": AUD,
        "now": now,
        "expected": {
            "valid": True,
            "claims": {
                "iss": ISSUER_ISS, "iat": iat, "exp": iat + ONE_YEAR, "vct": VCT,
                "cnf": {"jwk": holder_jwk},
                **case["expected"],
            },
        },
    }

    # Self-checks before writing: header as specified, nothing private leaked, and the
    # Python verifier accepts the presentation and returns exactly expected.claims.
    header = b64url_json(presentation.split(".")[0])
    assert header == {"alg": ALG, "typ": "dc+sd-jwt", "kid": issuer_key.thumbprint()}, header
    text = json.dumps(vector, ensure_ascii=False, indent=2) + "\n"
    private_d = [issuer_key.export_private(as_dict=True)["d"], holder_key.export_private(as_dict=True)["d"]]
    assert not any(d in text for d in private_d), "private key material in the vector"
    verify_vector(json.loads(text))
    return text


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUTDIR", file=sys.stderr)
        return 2
    outdir = Path(argv[1])
    outdir.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        text = issue_case(case)
        path = outdir / f"{case['name']}.json"
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    print(f"{len(CASES)} credentials issued")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
