"""Chinese personal names and company brands for demo data.

Short hand-made lists instead of Faker: drawing from a few tuples with one
`random.Random` is what makes a million names take a second, and the same seed
gives the same names on every machine.
"""

from __future__ import annotations

import random

# The most common family names, heaviest first (roughly their share of the population).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
SURNAME_WEIGHTS = tuple(max(1.0, 60.0 / (i + 1) ** 0.7) for i in range(len(SURNAMES)))
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "慕容")

MALE_GIVEN = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建国志海东晨博文斌瑞峰亮成康泽"
)
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀玲桂英华红梅燕萍雪琳婷倩颖慧洁晶欣雅琪怡佳悦瑶璐月莉蕾薇菲冰彤"

BRAND_CHARS = "恒通宏达鑫源华泰瑞丰盛安信诚永利兴隆远航金海天成中联新创卓越嘉和汇德正大荣昌鼎盛广元博润泰康协力众合凯旋长江东方宝龙晟"

LEGAL_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")


def person_name(rng: random.Random, gender: str) -> str:
    """A two- or three-character name; one in two hundred gets a compound surname."""
    if rng.random() < 0.005:
        surname = rng.choice(COMPOUND_SURNAMES)
    else:
        surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
    pool = MALE_GIVEN if gender == "M" else FEMALE_GIVEN
    given = rng.choice(pool)
    if rng.random() < 0.7:
        given += rng.choice(pool)
    return surname + given


def brand(rng: random.Random) -> str:
    first = rng.choice(BRAND_CHARS)
    second = rng.choice(BRAND_CHARS)
    while second == first:
        second = rng.choice(BRAND_CHARS)
    return first + second


def company_name(rng: random.Random, place: str, trade: str) -> str:
    """城市 + 字号 + 行业 + 组织形式, e.g. 苏州恒通物流有限公司."""
    return f"{place}{brand(rng)}{trade}{rng.choice(LEGAL_SUFFIXES)}"
