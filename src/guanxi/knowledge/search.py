"""Chinese full-text search: CJK bigram tokens indexed by SQLite FTS5 or PostgreSQL tsvector.

Chinese is written without spaces, so a word tokeniser (FTS5's unicode61,
PostgreSQL's default parser) sees a whole sentence as one "word" and finds
nothing inside it. We tokenise ourselves, the way Lucene's CJKAnalyzer and
Elasticsearch's `cjk_bigram` do, and hand the databases space-separated tokens:

- text is NFKC-normalised (full-width ＶＩＮ → VIN), converted to Simplified
  Chinese (發票 → 发票, zhconv) and lowercased;
- every run of Chinese characters gives its single characters and every pair of
  neighbours: 发票报销 → 发 票 报 销 发票 票报 报销; a two-character word is then
  one token, a longer one a chain of bigrams that must all be present;
- latin words and numbers stay whole (VIN码 → vin 码).

The article keeps the tokens in `search_title` and `search_body`; the database
indexes those columns (migration 0002): an FTS5 table kept in sync by triggers
on SQLite, a generated weighted tsvector column with a GIN index on
PostgreSQL. Both rank (bm25 / ts_rank) with title matches weighing more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import zhconv
from django.db import connection

# CJK Unified Ideographs (+ Extension A) and the compatibility block.
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Characters that carry no topic: a query bigram containing one (我的, 了吗) would
# match almost every article, so free-text suggestions drop those bigrams.
FUNCTION_CHARS = frozenset(
    "的了是我你他她它们在吗呢吧啊呀和与或也就都很还又要会能可以这那个有没不请问怎么样什么哪为"
)
# A suggestion query from a long ticket text is cut to this many tokens.
MAX_QUERY_TOKENS = 48
# bm25 weight of the title column against the body (SQLite); PostgreSQL weighs
# title 'A' (1.0) against body 'B' (0.4) with ts_rank's default weights.
TITLE_WEIGHT = 10.0


def normalise(text: str) -> str:
    """NFKC, traditional → simplified, lower case."""
    text = unicodedata.normalize("NFKC", text or "")
    return zhconv.convert(text, "zh-cn").lower()


def runs(text: str) -> list[str]:
    """Runs of Chinese characters and latin/number words, in order."""
    return _RUN.findall(normalise(text))


def document_tokens(text: str) -> str:
    """The index form of a text: unigrams and bigrams of Chinese, whole latin words."""
    tokens: list[str] = []
    for run in runs(text):
        if _CJK.match(run):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return " ".join(tokens)


def query_groups(text: str) -> list[list[str]]:
    """What the search box asks for: every group must match, any token within a group.

    - a latin word or a single Chinese character: itself;
    - a two-character run (发票, 保养): that bigram, i.e. the word;
    - a longer run (车辆保养): each of its characters, and at least one of its
      bigrams. Requiring every bigram would make it a phrase query, and 车辆保养
      would miss 车辆定期保养; requiring only the characters would match them
      scattered anywhere. The bigrams found also lift the rank.
    """
    groups: list[list[str]] = []
    for run in runs(text):
        if not _CJK.match(run) or len(run) == 1:
            groups.append([run])
        elif len(run) == 2:
            groups.append([run])
        else:
            groups.extend([c] for c in dict.fromkeys(run))
            groups.append(list(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1))))
    unique: dict[tuple[str, ...], list[str]] = {}
    for group in groups:
        unique.setdefault(tuple(group), group)
    return list(unique.values())


def query_tokens(text: str) -> list[str]:
    """The tokens of free text (a ticket being typed), any of which may match.

    Bigrams of Chinese runs (single characters only when a run is one
    character), latin words; bigrams containing a function character are
    dropped, and the list is capped.
    """
    seen: dict[str, None] = {}
    for run in runs(text):
        if not _CJK.match(run):
            seen.setdefault(run, None)
        elif len(run) == 1:
            if run not in FUNCTION_CHARS:
                seen.setdefault(run, None)
        else:
            for i in range(len(run) - 1):
                pair = run[i : i + 2]
                if pair[0] in FUNCTION_CHARS or pair[1] in FUNCTION_CHARS:
                    continue
                seen.setdefault(pair, None)
    return list(seen)[:MAX_QUERY_TOKENS]


def _expression(groups: Sequence[Sequence[str]], *, postgresql: bool) -> str:
    """FTS5 MATCH or tsquery text; tokens hold only letters, digits and CJK, so quoting is safe."""
    quote, and_, or_ = ("'", " & ", " | ") if postgresql else ('"', " AND ", " OR ")
    parts = []
    for group in groups:
        alternatives = or_.join(f"{quote}{t}{quote}" for t in group)
        parts.append(f"({alternatives})" if len(group) > 1 else alternatives)
    return and_.join(parts)


def ranked_ids(
    candidates: Any, groups: Sequence[Sequence[str]], *, limit: int = 20
) -> list[tuple[int, float]]:
    """[(article id, score)] best first, among the ids the `candidates` queryset selects.

    `groups` must all match, any token within a group (`query_groups`; free text
    is one group). `candidates` is an already restricted queryset of articles;
    its SQL becomes an `IN (…)` filter, so scoping stays with `restrict()` and
    ranking with the search index. A higher score is better on both databases.
    """
    if not groups or not all(groups):
        return []
    scope_sql, scope_params = candidates.values("id").query.sql_with_params()
    if connection.vendor == "postgresql":
        sql = (
            "SELECT a.id, ts_rank(a.search_vector, q) AS score "
            "FROM knowledge_article a, CAST(%s AS tsquery) q "
            f"WHERE a.search_vector @@ q AND a.id IN ({scope_sql}) "
            "ORDER BY score DESC, a.id DESC LIMIT %s"
        )
    else:
        # The hits are materialised first: with `rowid IN (…)` next to MATCH,
        # FTS5 chose to run the whole full-text query once per candidate rowid
        # (3 s for one word over 3,000 articles).
        sql = (
            "WITH hits AS MATERIALIZED ("
            f"SELECT rowid AS id, -bm25(knowledge_article_fts, {TITLE_WEIGHT}, 1.0) AS score "
            "FROM knowledge_article_fts WHERE knowledge_article_fts MATCH %s) "
            f"SELECT id, score FROM hits WHERE id IN ({scope_sql}) "
            "ORDER BY score DESC, id DESC LIMIT %s"
        )
    query = _expression(groups, postgresql=connection.vendor == "postgresql")
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, *scope_params, limit])
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def in_rank_order(rows: Iterable[Any], ranking: Sequence[tuple[int, float]]) -> list[Any]:
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk, _ in ranking if pk in by_id]
