#!/usr/bin/env python3
"""billing-sim's seed from assets/demo (as tests/app/e2e's demoSimSeed builds it): the roster
with the demo shop's plain PINs (README), reason codes, rules and invoices.

    sim_seed.py ASSETS_DIR TOKEN > seed.json
"""
import json
import sys

PINS = {"adv-anna": "1111", "cash-carl": "2222", "sup-sara": "4321", "sup-sam": "8765"}


def main() -> None:
    assets, token = sys.argv[1], sys.argv[2]

    def load(name):
        with open(f"{assets}/demo/{name}", encoding="utf-8") as f:
            return json.load(f)

    roster = load("roster.json")
    reasons = load("reason-codes.json")
    staff = []
    for s in roster["staff"]:
        s = dict(s)
        s.pop("pinVerifier", None)
        s["pin"] = PINS[s["userId"]]
        staff.append(s)
    seed = {
        "token": token,
        "roster": {
            "maxOfflineAgeSeconds": roster.get("maxOfflineAgeSeconds", 86400),
            "pinHashing": {"opsLimit": 2, "memLimitBytes": 8 << 20},
            "staff": staff,
        },
        "reasonCodes": {
            "PO_OVERRIDE": reasons["PO_OVERRIDE"]["reasonCodes"],
            "REPRINT": reasons["REPRINT"]["reasonCodes"],
        },
        "rules": load("rules.json")["rules"],
        "invoices": load("invoices.json")["invoices"],
        "usedPoNumbers": [],
        "receiptPolicy": {"maxReprints": 2, "windowSeconds": 2592000,
                          "requiresReasonCode": True, "requiresElevation": True},
        "lockout": {"maxFailures": 5, "seconds": 300},
    }
    json.dump(seed, sys.stdout)


if __name__ == "__main__":
    main()
