"""Knowledge-base search speed: Chinese full-text search p99 over BENCH_ARTICLES articles.

Fresh database (SQLite file in GUANXI_DATA_DIR by default, or GUANXI_DATABASE_URL):

    GUANXI_DEBUG=0 GUANXI_DATA_DIR=/tmp/gx-bench-kb BENCH_ARTICLES=50000 \\
      .venv/bin/python bench/knowledge_search.py

1. Writes BENCH_ARTICLES synthetic articles (titles and bodies drawn from a
   Zipf-weighted vocabulary of after-sales and billing words, so a few words such
   as 保养/发票 are in thousands of articles and most are rare; 10 % traditional
   characters, some latin codes like VIN/4S/ETC). Rows go in by raw executemany
   / COPY with the token columns computed by `search.document_tokens` (the
   actions' code path, timed separately as "tokenise"); the FTS5 triggers or the
   generated tsvector column index them as they land. No versions are written:
   search never reads them.
2. Times, as a rep (reads published internal + public articles, so the scope
   filter is part of the query), BENCH_ROUNDS runs of each query class through
   `search_articles` (top 20, ranked) and `suggest_articles` (top 5 for a ticket
   sentence), the htmx fragment `GET /knowledge/suggest/` through the test client,
   and, in the same run, two baselines: a primary-key read through restrict() and
   an unranked `LIKE '%word%'` scan on title/body (the naive alternative).

Prints a JSON summary, also written to bench/out/knowledge-<vendor>.json.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
os.environ.setdefault("GUANXI_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_ARTICLES", "50000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
WARMUP = 10
OUT = Path(__file__).resolve().parent / "out"
COLUMNS = (
    "title", "body", "category_id", "keywords", "visibility", "status", "version",
    "helpful_count", "unhelpful_count", "search_title", "search_body", "created_by_id",
    "updated_by_id", "created_at", "updated_at", "published_at",
)  # fmt: skip

WORDS = (
    "保养 发票 车辆 预约 维修 配件 更换 轮胎 机油 刹车 空调 电池 保险 理赔 退款 退货 积分 会员 "
    "优惠券 订单 付款 支付宝 微信 转账 增值税 专用发票 普通发票 抬头 税号 开票 红冲 作废 里程 "
    "公里 周期 检查 故障 灯亮 异响 漏油 胎压 定位 四轮 喷漆 钣金 玻璃 雨刮 滤芯 火花塞 变速箱 "
    "发动机 底盘 悬挂 转向 安全带 气囊 导航 蓝牙 倒车影像 钥匙 遥控 门锁 天窗 座椅 加热 通风 "
    "充电 充电桩 续航 电费 燃油 加油 油耗 排放 年检 年审 违章 过户 上牌 贷款 首付 月供 利率 "
    "合同 质保 延保 召回 投诉 建议 咨询 回访 满意度 客服 热线 门店 营业时间 地址 停车 洗车 美容 "
    "代步车 救援 拖车 备胎 补胎 扎胎 换季 冬季 夏季 防冻液 玻璃水 空气 过滤 清洗 消毒 异味 "
    "软件 升级 系统 故障码 诊断 仪表盘 提示 警告 设置 恢复 出厂 账户 密码 登录 注册 手机号 "
    "验证码 实名 认证 发货 物流 快递 签收 延迟 取消 修改 地址变更 发票邮寄 电子发票 下载 打印"
).split()
LATIN = ["VIN码", "4S店", "ETC", "OBD", "APP", "ABS", "ESP", "GPS", "USB", "NFC"]
TRADITIONAL = {"发票": "發票", "车辆": "車輛", "保养": "保養", "维修": "維修", "预约": "預約"}

QUERIES: dict[str, list[str]] = {
    # Words in thousands of articles: the ranking has the most rows to score.
    "common 2-char word": ["保养", "发票", "车辆", "预约", "维修"],
    "rare word": ["火花塞", "倒车影像", "防冻液", "出厂", "过户"],
    "two words (AND)": ["发票 红冲", "轮胎 补胎", "会员 积分", "电池 续航", "退款 支付宝"],
    "mixed latin+Chinese": ["VIN码", "4S店 保养", "ETC 办理", "APP 登录", "OBD 故障码"],
    "traditional input": ["發票", "車輛保養", "維修預約", "發票 抬頭", "保養 週期"],
    "long run (chars + a bigram)": ["增值税专用发票", "车辆保养周期", "充电桩安装", "电子发票下载"],
}
TICKETS = [
    "客户反映车辆仪表盘故障灯亮，想预约维修，顺便问下保养周期",
    "我的增值税专用发票抬头写错了，怎么红冲重开？",
    "轮胎扎了一个钉子，可以免费补胎吗？4S店营业时间是几点",
    "APP 登录不了，验证码一直收不到，手机号已经实名认证",
    "想把会员积分兑换成优惠券，订单付款时怎么使用",
]


def article_rows(count: int, start: int, user_id: int) -> Iterator[tuple[Any, ...]]:
    from guanxi.knowledge.search import document_tokens

    rng = random.Random(20261123 + start)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]  # Zipf: few words everywhere
    now = timezone.now()
    for i in range(start, count):
        title_words = rng.choices(WORDS, weights, k=rng.randint(2, 4))
        body_words = rng.choices(WORDS, weights, k=rng.randint(30, 90))
        for _ in range(rng.randint(0, 2)):
            body_words.insert(rng.randrange(len(body_words)), rng.choice(LATIN))
        title = "".join(title_words) + f"（{i}）"
        body = "".join(w + rng.choice("，。、；的和") for w in body_words)
        if i % 10 == 0:  # a tenth written in traditional characters
            for simplified, traditional in TRADITIONAL.items():
                body = body.replace(simplified, traditional)
        keywords = ", ".join(rng.sample(WORDS[:60], 2))
        status = "published" if i % 20 else "draft"
        visibility = "public" if i % 3 == 0 else "internal"
        when = now - timedelta(minutes=i)
        yield (title, body, None, keywords, visibility, status, 1, 0, 0,
               document_tokens(f"{title} {keywords}"), document_tokens(body), user_id, user_id,
               when, when, when if status == "published" else None)  # fmt: skip


def load(rows: Iterator[tuple[Any, ...]], progress: Callable[[int], None]) -> None:
    table, names = "knowledge_article", ", ".join(COLUMNS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for n, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if n % 10_000 == 0:
                        progress(n)
        return
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    adapt = connection.ops.adapt_datetimefield_value
    batch: list[tuple[Any, ...]] = []
    done = 0
    for row in rows:
        batch.append(tuple(adapt(v) if hasattr(v, "tzinfo") else v for v in row))
        if len(batch) == 5_000:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, batch)
            done += len(batch)
            batch = []
            if done % 10_000 == 0:
                progress(done)
    if batch:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)


def timed(call: Callable[[int], Any], rounds: int) -> list[float]:
    times = []
    for i in range(rounds + WARMUP):
        t = time.perf_counter()
        call(i)
        if i >= WARMUP:
            times.append((time.perf_counter() - t) * 1000)
    return sorted(times)


def summary(times: list[float]) -> dict[str, float]:
    p99 = times[max(int(len(times) * 0.99) - 1, 0)]
    return {"p50_ms": round(statistics.median(times), 2), "p99_ms": round(p99, 2)}


def main() -> None:
    call_command("migrate", verbosity=0)
    from guanxi.core.actions import add_user
    from guanxi.core.models import User
    from guanxi.knowledge import search
    from guanxi.knowledge.models import Article
    from guanxi.knowledge.queries import search_articles, suggest_articles

    def user(name: str, role: str) -> Any:
        return User.objects.filter(username=name).first() or add_user(
            name, "Bench-Password-1", role=role, by=None
        )

    agent, rep = user("bench-kb-agent", "agent"), user("bench-kb-rep", "rep")
    have = Article.objects.count()
    t0 = time.perf_counter()
    if have < N:
        load(
            article_rows(N, have, agent.pk),
            lambda n: print(f"  loaded {have + n:,} ({time.perf_counter() - t0:.0f} s)"),
        )
    load_s = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sample = list(Article.objects.order_by("id").values_list("title", "body")[:2000])
    t = time.perf_counter()
    for title, body in sample:
        search.document_tokens(title), search.document_tokens(body)
    tokenise_ms = (time.perf_counter() - t) * 1000 / len(sample)

    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "articles": Article.objects.count(),
        "load_s": round(load_s, 1),
        "tokenise_ms_per_article": round(tokenise_ms, 3),
        "rounds": ROUNDS,
        "search_top20_as_rep": {},
    }
    for label, queries in QUERIES.items():
        hits = [len(search_articles(q, rep, limit=20)) for q in queries]
        times = timed(lambda i, qs=queries: search_articles(qs[i % len(qs)], rep, limit=20), ROUNDS)
        result["search_top20_as_rep"][label] = {**summary(times), "hits_of_20": hits}
    result["suggest_top5_ticket_sentence"] = summary(
        timed(lambda i: suggest_articles(TICKETS[i % len(TICKETS)], rep, 5), ROUNDS)
    )
    client = Client()
    client.force_login(rep)
    result["htmx_fragment_GET_knowledge_suggest"] = summary(
        timed(lambda i: client.get("/knowledge/suggest/", {"q": TICKETS[i % len(TICKETS)]}), ROUNDS)
    )
    # Baselines in the same run.
    ids = list(Article.objects.order_by("?").values_list("id", flat=True)[:100])
    result["baseline_pk_read_restricted"] = summary(
        timed(
            lambda i: Article.objects.restrict(rep, "view").filter(pk=ids[i % 100]).first(), ROUNDS
        )
    )
    scanned = QUERIES["rare word"] + QUERIES["common 2-char word"]

    def like(i: int) -> list[Any]:
        word = scanned[i % len(scanned)]
        qs = Article.objects.restrict(rep, "view")
        return list(qs.filter(Q(title__contains=word) | Q(body__contains=word))[:20])

    result["baseline_like_scan_unranked_top20"] = summary(timed(like, max(ROUNDS // 4, 20)))
    OUT.mkdir(exist_ok=True)
    (OUT / f"knowledge-{connection.vendor}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2)
    )
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
