"""Name-frequency (term-frequency) adjustment: a shared common name is weaker evidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from guanxi.customers.dedup import likely_duplicates
from guanxi.customers.dedup.comparisons import comparison_vectors, pair_frequencies
from guanxi.customers.dedup.frequency import relative_frequencies
from guanxi.customers.dedup.linkage import design, prepare, reasons
from guanxi.customers.dedup.population import customer_table, default_model
from guanxi.customers.dedup.queue import scan
from guanxi.dedup.models import DedupSettings, NameFrequency

from .test_duplicate_check import cleaned


def _person(k: int, name: str, born: str) -> tuple[Any, ...]:
    return (k, "person", name, born, "", f"k{k}", "", "", "11", "1101", "110105", "")


def test_relative_frequencies_are_shares_of_the_non_blank_values() -> None:
    freq = relative_frequencies(np.array(["王伟", "王伟", "欧阳靖雯", ""], dtype=object))
    assert freq.tolist() == [2 / 3, 2 / 3, 1 / 3, 0.0]


def test_agreeing_on_a_rare_name_weighs_more_than_on_a_common_one() -> None:
    # 40 people called 王伟 and two called 欧阳靖雯, all born the same day in one district:
    # the two pairs compared below differ only in how common their shared name is.
    rows = [_person(k, "王伟", "1980-01-01") for k in range(40)]
    rows += [_person(40, "欧阳靖雯", "1980-01-01"), _person(41, "欧阳靖雯", "1980-01-01")]
    _ids, table = customer_table(rows)
    cols = prepare(table)
    comparisons, _rules = design(cols)
    left, right = np.array([0, 40]), np.array([1, 41])
    gamma = comparison_vectors(comparisons, cols, left, right)
    assert (gamma[0] == gamma[1]).all()  # the same agreement pattern
    model = default_model()
    plain = model.match_weights(gamma)
    assert plain[0] == plain[1]
    freqs = pair_frequencies(comparisons, cols, left, gamma)
    adjusted = model.match_weights(gamma, freqs)
    assert adjusted[1] > adjusted[0]
    # The difference is exactly the log ratio of the two names' frequencies (40 vs 2).
    assert abs((adjusted[1] - adjusted[0]) - np.log2(40 / 2)) < 1e-6
    first = {c: f[:1] for c, f in freqs.items()}
    why = {f: label for f, label, _w in reasons(model, comparisons, gamma[0], first)}
    assert "按名称常见程度调整" in why["姓名"]


def test_the_scan_counts_names_and_the_create_check_weighs_a_common_name_less(
    make_customer: Any, users: dict[str, Any]
) -> None:
    # Eight different people called 王伟 (one district, different phones) and one 欧阳靖雯.
    for k in range(8):
        make_customer(name="王伟", phone=f"1390000{k:04d}", birth_date="1980-01-01")
    make_customer(name="欧阳靖雯", phone="13700000001", birth_date="1980-01-01")
    new_wang = cleaned(name="王伟", phone="13600000000", birth_date="1980-01-01")
    settings = DedupSettings.current()
    settings.warn_threshold = 0.0  # see every scored candidate
    settings.save()
    # Before any scan there are no counts: the name's weight is not adjusted.
    unadjusted = likely_duplicates(new_wang, user=users["bob"], limit=20)
    assert not any("调整" in r.label for m in unadjusted for r in m.reasons)
    scan()
    assert NameFrequency.objects.get(kind="name", value="王伟").count == 8
    assert not NameFrequency.objects.filter(value="欧阳靖雯").exists()  # held once: not stored
    assert DedupSettings.current().model["tf_population"]["name"] == 9
    adjusted = likely_duplicates(new_wang, user=users["bob"], limit=20)
    assert len(adjusted) == len(unadjusted) == 8
    name_reason = next(r for r in adjusted[0].reasons if r.field == "full_name")
    assert "按名称常见程度调整" in name_reason.label
    new_ouyang = cleaned(name="欧阳靖雯", phone="13600000000", birth_date="1980-01-01")
    rare = likely_duplicates(new_ouyang, user=users["bob"], limit=1)[0]
    # Same agreement pattern, rarer name: more likely the same person.
    assert rare.probability > adjusted[0].probability
