"""Identity numbers and phone numbers that pass the same validators real input does."""

from __future__ import annotations

import random
from datetime import date

# 公民身份号码 (GB 11643): weights of the first 17 digits for the ISO 7064 MOD 11-2 check.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Mobile prefixes the three carriers actually issue (and libphonenumber accepts).
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "191", "198", "199",
)  # fmt: skip

# 统一社会信用代码 (GB 32100) character set and weights; the embedded 组织机构代码
# (GB 11714) has its own check character.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_number(district: str, birth: date, sequence: int, gender: str) -> str:
    """18-digit ID: district code, birth date, 3-digit sequence (odd for men), check digit."""
    if (sequence % 2 == 1) != (gender == "M"):
        sequence = sequence + 1 if sequence < 999 else sequence - 1
    body = f"{district}{birth:%Y%m%d}{sequence:03d}"
    total = sum(int(ch) * w for ch, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def mobile(rng: random.Random) -> str:
    return f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"


def landline(rng: random.Random, area_code: str) -> str:
    return f"+86{area_code}{rng.randint(2, 8)}{rng.randrange(10_000_000):07d}"


def credit_code(rng: random.Random, district: str) -> str:
    """A well-formed unified social credit code for an enterprise (91…) registered in `district`."""
    org = "".join(rng.choice("0123456789") for _ in range(8))
    org_total = sum(int(ch) * w for ch, w in zip(org, _ORG_WEIGHTS, strict=True))
    org_check = (11 - org_total % 11) % 11
    org += "X" if org_check == 10 else str(org_check)
    body = f"91{district}{org}"
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]
