"""Generate one batch of demo customers with their contacts, addresses, tags and orders.

Rows come out as plain tuples in table column order, ready for executemany or
COPY. Everything a batch needs arrives in a picklable `Plan`, so batches can be
generated in worker processes; each batch seeds its own `random.Random` from
(template, seed, batch number), so the data is the same however many workers
run. Money is integer fen and quantities integer thousandths until they are
formatted, so totals are exact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from guanxi.core import crypto
from guanxi.customers.search import pinyin_keys

from . import identity, names, places
from .templates import AUTO_SERVICE_PARTS, CONTACT_ROLES, TEMPLATES, Segment, Template

HISTORY_DAYS = 4 * 365  # how far back purchase histories reach
CHURN_DAYS = 365  # no purchase for this long: 流失客户
RECENT_DAYS = 180  # first purchase this recent: 潜力客户
SOURCE_CHANNELS = ("internal", "public", "third_party", "self_service", "social_media")
SOURCE_WEIGHTS = (45, 15, 15, 15, 10)
MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "139.com")

CUSTOMER_COLUMNS = (
    "id", "kind", "name", "pinyin", "initials", "gender", "birth_date", "occupation",
    "id_number", "id_number_bidx", "credit_code", "phone", "phone_bidx", "phone_last4_bidx",
    "email", "wechat_id", "industry_id", "employees", "annual_revenue", "energy_consumption",
    "energy_unit", "region_id", "province_code", "city_code", "district_code",
    "source_channel", "collected_at", "verified_at", "owner_id", "team_id", "value_class",
    "stage", "preferences", "notes", "purchase_count", "total_amount", "first_purchase_at",
    "last_purchase_at", "merged_into_id", "created_at", "updated_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "customer_id", "name", "pinyin", "initials", "role", "title", "gender", "birth_date",
    "phone", "phone_bidx", "phone_last4_bidx", "email", "wechat_id", "is_primary", "notes",
    "created_at",
)  # fmt: skip
ADDRESS_COLUMNS = (
    "customer_id", "kind", "province_code", "city_code", "district_code", "detail",
    "postal_code", "is_primary",
)  # fmt: skip
TAG_COLUMNS = ("customer_id", "tag_id")
# The first value of an order row is its index within the batch; the writer
# turns it into the real id, which only it knows (batches run in parallel).
ORDER_COLUMNS = (
    "id", "number", "customer_id", "ordered_at", "channel", "total_amount", "notes",
    "created_by_id", "created_at",
)  # fmt: skip
LINE_COLUMNS = ("order_id", "product_id", "quantity", "unit_price", "amount")


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs to generate batches, without touching the database."""

    template: str
    seed: int
    orders_per_customer: float
    today: date
    product_ids: dict[str, int]
    industry_ids: dict[str, int]
    region_by_prefix: dict[str, int]
    reps_by_region: dict[int, list[tuple[int, int | None]]]
    tag_ids: dict[str, int]
    tz_suffix: str  # "" for SQLite (naive UTC text), "+00" for PostgreSQL


@dataclass
class Batch:
    customers: list[tuple[object, ...]] = field(default_factory=list)
    contacts: list[tuple[object, ...]] = field(default_factory=list)
    addresses: list[tuple[object, ...]] = field(default_factory=list)
    tags: list[tuple[object, ...]] = field(default_factory=list)
    orders: list[tuple[object, ...]] = field(default_factory=list)
    lines: list[tuple[object, ...]] = field(default_factory=list)
    value_classes: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.customers,
                self.contacts,
                self.addresses,
                self.tags,
                self.orders,
                self.lines,
            )
        )


def money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def quantity(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


def line_amount(milli: int, fen: int) -> int:
    """quantity × unit price in fen, rounded half-even like Decimal.quantize."""
    whole, rest = divmod(milli * fen, 1000)
    if rest > 500 or (rest == 500 and whole % 2):
        whole += 1
    return whole


def fast_phone_indexes(e164: str) -> tuple[str, str]:
    """`search.phone_indexes` for the +86 numbers generated here, without parsing.

    phone_indexes parses the number again with phonenumbers to find its national
    digits, a fifth of the generation time; for a +86 number they are simply the
    last four characters. tests/demo checks the two agree.
    """
    return crypto.blind_index(e164, "phone"), crypto.blind_index(e164[-4:], "phone4")


class BatchGenerator:
    """Turns a plan and a batch number into rows; one instance per process."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.template: Template = TEMPLATES[plan.template]
        self.segments = self.template.segments
        self.segment_weights = [s.share for s in self.segments]
        # Scale each segment's order count so the mean over buyers is orders_per_customer.
        self.mean_frequency = sum(s.share * s.frequency for s in self.segments)
        self.today = plan.today.toordinal()
        self.start = self.today - HISTORY_DAYS
        self._days: dict[int, str] = {}
        self.contact_created = self._stamp(self.today - 1, 3600)

    def _adult_years(self, district: str) -> list[tuple[int, int]]:
        """Birth-year ranges valid for the district's code and an age of 20-70."""
        low, high = self.plan.today.year - 69, self.plan.today.year - 21
        return [
            (max(a, low), min(b, high))
            for a, b in places.birth_years(district)
            if max(a, low) <= min(b, high)  # also drops the table's few inverted ranges
        ]

    # -- formatting -------------------------------------------------------
    def _stamp(self, day: int, seconds: int) -> str:
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = date.fromordinal(day).isoformat()
        # Business hours in Asia/Shanghai (08:00-18:00) are 00:00-10:00 UTC.
        h, rest = divmod(seconds, 3600)
        return f"{text} {h:02d}:{rest // 60:02d}:{rest % 60:02d}{self.plan.tz_suffix}"

    # -- the batch ----------------------------------------------------------
    def batch(self, number: int, first_id: int, count: int) -> Batch:
        rng = random.Random(f"guanxi-demo:{self.plan.template}:{self.plan.seed}:{number}")
        out = Batch()
        for offset in range(count):
            self._customer(rng, first_id + offset, out)
        return out

    def _customer(self, rng: random.Random, cid: int, out: Batch) -> None:
        plan, template = self.plan, self.template
        segment = rng.choices(self.segments, self.segment_weights)[0]
        place = places.random_place(rng)
        person = segment.kind == "person"

        gender = birth = occupation = id_number = id_bidx = credit = email = wechat = ""
        employees: int | None = None
        revenue: str | None = None
        if person:
            gender = "M" if rng.random() < 0.56 else "F"
            name = names.person_name(rng, gender)
            years = self._adult_years(place.district)
            while not years:  # a code too new or retired too long ago for an adult's ID
                place = places.random_place(rng)
                years = self._adult_years(place.district)
            first_year, last_year = rng.choice(years)
            oldest = max(self.today - 70 * 365, date(first_year, 1, 1).toordinal())
            youngest = min(self.today - 20 * 365, date(last_year, 12, 31).toordinal())
            birth_day = date.fromordinal(rng.randint(oldest, youngest))
            birth = birth_day.isoformat()
            id_number = identity.id_number(
                place.district, birth_day, rng.randrange(1, 1000), gender
            )
            id_bidx = crypto.blind_index(id_number, "id_number")
            occupation = rng.choice(template.occupations)
            phone = identity.mobile(rng)
        else:
            name = names.company_name(rng, place.short_name, rng.choice(segment.trades))
            credit = identity.credit_code(rng, place.district)
            area = places.AREA_CODES.get(place.city)
            phone = (
                identity.landline(rng, area)
                if area and rng.random() < 0.7
                else identity.mobile(rng)
            )
            low, high = segment.employees
            employees = min(high, max(low, int(low * rng.lognormvariate(0.8, 1.0))))
            revenue = money(employees * rng.randint(20, 200) * 100)  # 万元
        # After the name: an individual's place may have been drawn again.
        region_id = plan.region_by_prefix[place.province[:2]]
        owner_id, team_id = rng.choice(plan.reps_by_region[region_id])
        pinyin, initials = pinyin_keys(name)
        if person and rng.random() < 0.4:
            email = f"{pinyin}{rng.randint(1, 9999)}@{rng.choice(MAIL_DOMAINS)}"
        if rng.random() < 0.5:
            wechat = f"wx_{initials}{rng.randint(1000, 99_999_999)}"
        phone_bidx, last4_bidx = fast_phone_indexes(phone)

        orders = self._history(rng, segment, cid, owner_id, out)
        count = len(orders)
        total = sum(o[1] for o in orders)
        first_day = orders[0][0] if orders else None
        last_day = orders[-1][0] if orders else None
        # Two orders on one day get random times, so take the extremes, not the ends.
        first_at = min(o[2] for o in orders) if orders else None
        last_at = max(o[2] for o in orders) if orders else None
        value_class, stage = self._classify(rng, segment, count, total, first_day, last_day)
        out.value_classes[value_class] = out.value_classes.get(value_class, 0) + 1

        known = (first_day or self.today - rng.randint(1, 700)) - rng.randint(0, 120)
        collected = self._stamp(known, rng.randrange(36_000))
        verified = (
            self._stamp(known + rng.randint(0, 30), rng.randrange(36_000))
            if rng.random() < 0.7
            else None
        )
        updated = last_at or collected
        consumption = None
        if segment.energy_unit:
            # Yearly volume of the main product, in hundredths (the column has 2 places).
            consumption = money(sum(o[3] for o in orders) // 10 // (HISTORY_DAYS // 365))

        out.customers.append((
            cid, segment.kind, name, pinyin, initials, gender, birth or None, occupation,
            crypto.encrypt(id_number) if id_number else "", id_bidx, credit,
            crypto.encrypt(phone), phone_bidx, last4_bidx, email, wechat,
            plan.industry_ids.get(segment.industry), employees, revenue, consumption,
            segment.energy_unit, region_id, place.province, place.city, place.district,
            rng.choices(SOURCE_CHANNELS, SOURCE_WEIGHTS)[0], collected, verified, owner_id,
            team_id, value_class, stage, "", "", count, money(total),
            first_at, last_at, None, collected,
            updated,
        ))  # fmt: skip
        kind = "home" if person else "registered"
        out.addresses.append((cid, kind, place.province, place.city, place.district,
                              places.street_address(rng, not person), "", True))  # fmt: skip
        if not person:
            if rng.random() < 0.3:
                out.addresses.append((cid, "delivery", place.province, place.city, place.district,
                                      places.street_address(rng, True), "", False))  # fmt: skip
            self._contacts(rng, cid, out)
        for tag in segment.tags:
            if rng.random() < 0.3:
                out.tags.append((cid, plan.tag_ids[tag]))

    def _contacts(self, rng: random.Random, cid: int, out: Batch) -> None:
        how_many = 1 + (rng.random() < 0.6) + (rng.random() < 0.3)
        roles = rng.sample(CONTACT_ROLES, how_many)
        for index, (role, titles) in enumerate(roles):
            gender = "M" if rng.random() < 0.65 else "F"
            name = names.person_name(rng, gender)
            pinyin, initials = pinyin_keys(name)
            phone = identity.mobile(rng)
            bidx, last4 = fast_phone_indexes(phone)
            out.contacts.append((
                cid, name, pinyin, initials, role, rng.choice(titles), gender, None,
                crypto.encrypt(phone), bidx, last4, "", f"wx_{pinyin}{rng.randint(10, 9999)}",
                index == 0, "", self.contact_created,
            ))  # fmt: skip

    # -- purchase history ---------------------------------------------------
    def _history(
        self, rng: random.Random, segment: Segment, cid: int, owner_id: int, out: Batch
    ) -> list[tuple[int, int, str, int]]:
        """Write the customer's orders; return (day, total fen, stamp, main qty) per order."""
        template = self.template
        if rng.random() < template.prospects:
            return []
        churned = rng.random() < template.churned / (1 - template.prospects)
        end = self.today - (rng.randint(CHURN_DAYS + 1, 900) if churned else rng.randint(0, 20))
        mean = self.plan.orders_per_customer * segment.frequency / self.mean_frequency
        wanted = max(1, min(150, round(rng.gammavariate(1.6, mean / 1.6))))
        if segment.pattern == "vehicle":
            days = self._service_days(rng, end, wanted)
        else:
            days = self._buying_days(rng, segment, end, wanted)
        size = rng.lognormvariate(0, segment.size_sigma)
        channel = rng.choice(segment.channels)
        contract = segment.pattern == "contract" or channel == "contract"
        notes = f"年度供应合同 HT{cid:08d}" if contract else ""
        history = []
        for k, day in enumerate(days):
            if segment.pattern == "vehicle":
                lines = self._vehicle_lines(rng, segment, k, size)
            else:
                lines = self._product_lines(rng, segment, day, size)
            stamp = self._stamp(day, rng.randrange(36_000))
            local = len(out.orders)
            total = 0
            for product_id, milli, fen in lines:
                amount = line_amount(milli, fen)
                total += amount
                out.lines.append((local, product_id, quantity(milli), money(fen), money(amount)))
            number = f"SO{date.fromordinal(day):%Y%m%d}C{cid:09d}{k:03d}"
            out.orders.append(
                (local, number, cid, stamp, channel, money(total), notes, owner_id, stamp)
            )
            history.append((day, total, stamp, lines[0][1]))
        return history

    def _buying_days(
        self, rng: random.Random, segment: Segment, end: int, wanted: int
    ) -> list[int]:
        earliest = max(self.start, end - HISTORY_DAYS)
        # Spans skew long, but some customers are new: they become 潜力客户.
        span = max(1, int((end - earliest) * rng.random() ** 0.7))
        first = end - span
        wanted = min(wanted, max(1, span // 7))
        if segment.pattern == "contract":
            step = span / wanted
            return [
                min(end, int(first + step * (k + rng.uniform(0.0, 0.3)))) for k in range(wanted)
            ]
        season = segment.season
        top = max(season)
        # The last order falls on `end`: a customer who is still buying has bought
        # lately, and one who churned did so after that day.
        days = [end]
        while len(days) < wanted:
            day = rng.randint(first, end)
            if rng.random() * top <= season[date.fromordinal(day).month - 1]:
                days.append(day)
        days.sort()
        return days

    def _service_days(self, rng: random.Random, end: int, wanted: int) -> list[int]:
        """A vehicle purchase, then a service visit every 5-8 months (保养/维修)."""
        gaps = [rng.randint(150, 245) for _ in range(wanted - 1)]
        while gaps and sum(gaps) > end - self.start:
            gaps.pop()
        day = end - sum(gaps) - rng.randint(0, 60)
        day = max(self.start, day)
        days = [day]
        for gap in gaps:
            day = min(end, day + gap)
            days.append(day)
        return days

    def _price(
        self, rng: random.Random, code: str, day: int, size: float, season: tuple[float, ...]
    ) -> tuple[int, int]:
        spec = self.template.product_index[code]
        factor = 1 + rng.uniform(-0.04, 0.04) + 0.03 * (season[date.fromordinal(day).month - 1] - 1)
        if size > 2:
            factor -= 0.03  # volume discount for the big buyers
        return self.plan.product_ids[code], max(1, round(spec.price * factor))

    def _product_lines(
        self, rng: random.Random, segment: Segment, day: int, size: float
    ) -> list[tuple[int, int, int]]:
        codes = [segment.products[0] if rng.random() < 0.7 else rng.choice(segment.products)]
        while len(codes) < len(segment.products) and rng.random() < segment.extra_line:
            codes.append(rng.choice([c for c in segment.products if c not in codes]))
        lines = []
        for code in codes:
            spec = self.template.product_index[code]
            product_id, fen = self._price(rng, code, day, size, segment.season)
            amount = rng.uniform(*spec.quantity) * size
            if spec.whole or spec.unit in ("L", "m3"):
                milli = max(1, round(amount)) * 1000
            else:
                milli = max(1, round(amount * 1000))
            lines.append((product_id, milli, fen))
        return lines

    def _vehicle_lines(
        self, rng: random.Random, segment: Segment, visit: int, size: float
    ) -> list[tuple[int, int, int]]:
        fleet = segment.kind == "org"
        units = max(1, round(rng.uniform(3, 30) * size)) if fleet else 1
        today = self.today
        if visit == 0 or (fleet and rng.random() < 0.15) or (not fleet and rng.random() < 0.02):
            code = rng.choice(segment.products)
            lines = [(*self._price(rng, code, today, 1.0, segment.season), units)]
            if rng.random() < 0.3:
                lines.append((*self._price(rng, "WARRANTY", today, 1.0, segment.season), units))
            return [(pid, n * 1000, fen) for pid, fen, n in lines]
        serviced = max(1, units // 3) if fleet else 1
        kind = "SVC-MAJOR" if visit % 2 == 0 else "SVC-MINOR"
        lines = [(*self._price(rng, kind, today, 1.0, segment.season), serviced * 1000)]
        for code, chance in AUTO_SERVICE_PARTS:
            if rng.random() < chance:
                count = rng.randint(1, 4) if code == "P-TYRE" else 1
                pid, fen = self._price(rng, code, today, 1.0, segment.season)
                lines.append((pid, fen, count * serviced * 1000))
        if rng.random() < 0.12:
            pid, fen = self._price(rng, "SVC-REPAIR", today, 1.0, segment.season)
            lines.append((pid, fen, rng.randint(2, 12) * 500))
        return [(pid, milli, fen) for pid, fen, milli in lines]

    def _classify(
        self, rng: random.Random, segment: Segment, count: int, total: int,
        first_day: int | None, last_day: int | None,
    ) -> tuple[str, str]:  # fmt: skip
        """Value class and stage that agree with the purchase history."""
        if not count or first_day is None or last_day is None:
            return "general", "awareness" if rng.random() < 0.6 else "contact"
        if self.today - last_day > CHURN_DAYS:
            return "churned", "cooperation"
        if total >= segment.high_amount * 100:
            return "high", "stable"
        if self.today - first_day <= RECENT_DAYS:
            return "potential", "cooperation"
        return "general", "stable" if count >= 6 else "cooperation"
