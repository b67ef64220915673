"""Import files for tests: valid Chinese customers with a few bad rows mixed in."""

from __future__ import annotations

import csv
import random
from pathlib import Path

HEADER = ["客户名称", "手机号", "省份", "城市", "区县", "详细地址", "邮箱", "性别"]
PLACES = [("广东", "深圳", "南山区"), ("北京", "北京", "朝阳区"), ("浙江省", "杭州市", "西湖区")]
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def customer_rows(count: int, seed: int = 1, bad_every: int = 0) -> list[list[str]]:
    """`count` rows with distinct phones; every `bad_every`-th row has an invalid phone."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        name = rng.choice(FAMILY) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        phone = f"139{n:08d}"
        if bad_every and n % bad_every == bad_every - 1:
            phone = "12345"
        province, city, district = rng.choice(PLACES)
        rows.append([name, phone, province, city, district, f"{n}号", f"u{n}@qq.com",
                     rng.choice("男女")])  # fmt: skip
    return rows


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def write_table(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig"
) -> Path:
    """Any header: contacts and purchases files."""
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Sheet1")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path
