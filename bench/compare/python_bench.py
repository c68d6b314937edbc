#!/usr/bin/env python3
"""Times the Python reference sd-jwt 0.10.4 on the same 10-claim driving licence.

Usage: python_bench.py CLAIMS.json [ROUNDS]

CLAIMS.json is written by our compare_bench example: iss, vct, iat, exp, aud, the claims and
which of them are selectively disclosable. The library issues them with an Ed25519 issuer key
(decoys on, as ours), the holder presents every disclosable claim with a KB-JWT, and the
verifier checks both signatures, the disclosures and aud/nonce. Each operation is timed in
batches; the median of the per-call times is printed as one JSON object (microseconds).
"""

import json
import statistics
import sys
import time

import sd_jwt.verifier
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

# The verifier checks the KB-JWT with DEFAULT_SIGNING_ALG and offers no parameter for it.
sd_jwt.verifier.DEFAULT_SIGNING_ALG = "EdDSA"
ALG = "EdDSA"
NONCE = "n-0S6_WzA2Mj"


def median_us(rounds, per, fn):
    fn()
    samples = []
    for _ in range(rounds):
        t = time.perf_counter_ns()
        for _ in range(per):
            fn()
        samples.append((time.perf_counter_ns() - t) / per / 1000.0)
    return statistics.median(samples)


def main(argv):
    spec = json.loads(open(argv[1], encoding="utf-8").read())
    rounds = int(argv[2]) if len(argv) > 2 else 15
    issuer_key = JWK.generate(kty="OKP", crv="Ed25519")
    holder_key = JWK.generate(kty="OKP", crv="Ed25519")
    disclosable = set(spec["disclosable"])
    user_claims = {"iss": spec["iss"], "iat": spec["iat"], "exp": spec["exp"], "vct": spec["vct"]}
    for name, value in spec["claims"].items():
        user_claims[SDObj(name) if name in disclosable else name] = value
    header = {"typ": "dc+sd-jwt", "kid": issuer_key.thumbprint()}

    def issue():
        return SDJWTIssuer(
            user_claims, issuer_key, holder_key=holder_key, sign_alg=ALG,
            add_decoy_claims=True, extra_header_parameters=header,
        ).sd_jwt_issuance

    issuance = issue()
    to_disclose = {name: True for name in disclosable}

    def present():
        holder = SDJWTHolder(issuance)
        holder.create_presentation(to_disclose, nonce=NONCE, aud=spec["aud"], holder_key=holder_key, sign_alg=ALG)
        return holder.sd_jwt_presentation

    presentation = present()
    public_issuer = JWK(**issuer_key.export_public(as_dict=True))

    def verify():
        v = SDJWTVerifier(presentation, lambda iss, _h: public_issuer, expected_aud=spec["aud"], expected_nonce=NONCE)
        return v.get_verified_payload()

    claims = verify()
    missing = [n for n in disclosable if n not in claims]
    assert not missing, f"verified payload lacks {missing}"

    results = {"issue_us": [], "present_us": [], "verify_us": []}
    for _ in range(3):
        results["issue_us"].append(median_us(rounds, 10, issue))
        results["present_us"].append(median_us(rounds, 10, present))
        results["verify_us"].append(median_us(rounds, 10, verify))
    out = {"implementation": "python sd-jwt 0.10.4", "presentation_bytes": len(presentation)}
    out.update({k: statistics.median(v) for k, v in results.items()})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
