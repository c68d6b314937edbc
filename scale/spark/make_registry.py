#!/usr/bin/env python3
"""A synthetic registry export for the national-scale check (docs/scale.md): N JSON lines
`{"ref": N, "claims": {...driving licence...}, "holder_jwk": {...}}` as an agency's registry
would export them for `wallet issue-batch` (which reads `claims` and `holder_jwk` and ignores
`ref`, the registry's own record number).

Every record is a distinct, valid driving licence: an 18-digit resident ID number with its
GB 11643-1999 check digit, whose birth date and sex digit agree with the claims (the type's
rules check both), a name, an address and dates in order. Holder keys rotate over the public
JWKs given (`--holders DIR` with holder-K.pub.jwk, K = ref % count), so a sample can later be
presented with the matching private key.

Usage: make_registry.py N --holders DIR --out REGISTRY.jsonl [--seed S]
"""

import argparse
import datetime
import json
import os
import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯健俊帆帅旭宁龙林欣怡佳琪思雨晨阳博文轩子涵梓萱雅婷嘉怡一诺"
DISTRICTS = [("310101", "黄浦区"), ("310104", "徐汇区"), ("310105", "长宁区"), ("310106", "静安区"),
             ("310107", "普陀区"), ("310109", "虹口区"), ("310110", "杨浦区"), ("310112", "闵行区"),
             ("310113", "宝山区"), ("310114", "嘉定区"), ("310115", "浦东新区"), ("310116", "金山区")]
ROADS = ["花木路", "世纪大道", "南京西路", "淮海中路", "四川北路", "中山北路", "漕溪北路", "长宁路"]
CLASSES = ["C1", "C1", "C1", "C2", "B2", "A1", "C1E"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def id_number(region: str, birth: datetime.date, seq: int, male: bool) -> str:
    # Sequence code: three digits, the last odd for men and even for women: 500 numbers per
    # region, birth date and sex (`record` keeps `seq` below that).
    seq3 = seq * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq3:03d}"
    return body + CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def record(ref: int, rng: random.Random, holders: list, used: dict) -> dict:
    while True:
        region, district = rng.choice(DISTRICTS)
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 42))
        male = rng.random() < 0.5
        # The next free sequence number of this region, birth date and sex: numbers never
        # repeat (a full combination, 500 people, draws again).
        seq = used.get((region, birth, male), 0)
        if seq < 500:
            used[(region, birth, male)] = seq + 1
            break
    first = birth.replace(year=min(birth.year + 18 + rng.randrange(0, 20), 2025), day=1)
    valid_from = first.replace(year=min(first.year + rng.choice([0, 6, 12]), 2026))
    valid_until = valid_from.replace(year=valid_from.year + rng.choice([6, 10, 16]))
    if valid_until.year < 2031:
        valid_until = valid_until.replace(year=2031 + rng.randrange(0, 6))
    claims = {
        "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))),
        "sex": "男" if male else "女",
        "nationality": "CHN",
        "birth_date": birth.isoformat(),
        "address": f"上海市{district}{rng.choice(ROADS)}{rng.randrange(1, 3000)}号{rng.randrange(101, 2800)}室",
        "licence_number": id_number(region, birth, seq, male),
        "licence_class": rng.choice(CLASSES),
        "first_issue_date": first.isoformat(),
        "valid_from": valid_from.isoformat(),
        "valid_until": valid_until.isoformat(),
    }
    return {"ref": ref, "claims": claims, "holder_jwk": holders[ref % len(holders)]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("n", type=int)
    p.add_argument("--holders", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=22)
    a = p.parse_args()
    names = sorted(f for f in os.listdir(a.holders) if f.startswith("holder-") and f.endswith(".pub.jwk"))
    names.sort(key=lambda f: int(f[len("holder-"):-len(".pub.jwk")]))
    holders = [json.load(open(os.path.join(a.holders, f), encoding="utf-8")) for f in names]
    if not holders:
        raise SystemExit("no holder-K.pub.jwk in --holders")
    rng = random.Random(a.seed)
    used: dict = {}
    tmp = a.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for ref in range(a.n):
            f.write(json.dumps(record(ref, rng, holders, used), ensure_ascii=False, separators=(",", ":")) + "\n")
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
