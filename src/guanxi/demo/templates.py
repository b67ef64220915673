"""Industry templates: what each kind of demo customer is, buys, and how often.

A template is data, so adding an industry means adding a table here, not code
in the generator. Prices are in fen (integer cents) and quantities in
thousandths of a unit, so every amount is exact integer arithmetic and the
order totals equal the sum of their lines to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Month weights (Jan…Dec) for seasonal demand.
FLAT = (1.0,) * 12
# Heating gas: the northern heating season runs mid-November to mid-March.
HEATING = (1.9, 1.7, 1.3, 0.8, 0.6, 0.5, 0.5, 0.5, 0.6, 0.9, 1.5, 1.9)
# Diesel: spring sowing and construction, summer/autumn harvest, quiet at Spring Festival.
DIESEL = (0.6, 0.6, 1.2, 1.3, 1.4, 1.4, 1.0, 0.9, 1.3, 1.4, 1.0, 0.8)
# Gasoline and car sales: holidays (Spring Festival, May Day, National Day).
HOLIDAY = (1.2, 1.1, 0.9, 1.0, 1.1, 1.0, 1.0, 1.0, 1.1, 1.3, 1.0, 1.1)
# Enterprise buying: budgets spent before the year closes.
BUDGET = (0.7, 0.6, 1.0, 1.0, 1.0, 1.1, 0.9, 0.9, 1.1, 1.0, 1.2, 1.6)


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    category: str
    unit: str
    price: int  # list price in fen
    quantity: tuple[float, float]  # typical quantity range for a mid-sized buyer
    whole: bool = False  # vehicles and parts come in whole units


@dataclass(frozen=True)
class Segment:
    """One kind of customer: who they are, what they buy, how they buy."""

    key: str
    share: float
    kind: str  # "org" or "person"
    industry: str  # Industry.code, "" for individuals
    trades: tuple[str, ...]  # 行业 words in a company name: 石化, 燃气, 物流 …
    products: tuple[str, ...]  # product codes, the first one is the main product
    pattern: str  # "contract", "regular", "occasional" or "vehicle"
    frequency: float  # relative number of orders
    season: tuple[float, ...] = FLAT
    size_sigma: float = 0.8  # spread of customer size (log-normal), the long tail
    extra_line: float = 0.45  # chance of each further line in an order
    high_amount: int = 0  # lifetime spend (yuan) from which a customer is 高价值
    channels: tuple[str, ...] = ("direct",)
    tags: tuple[str, ...] = ()
    employees: tuple[int, int] = (0, 0)
    energy_unit: str = ""


@dataclass(frozen=True)
class Template:
    key: str
    products: tuple[ProductSpec, ...]
    segments: tuple[Segment, ...]
    tags: tuple[str, ...]
    prospects: float = 0.08  # customers collected but never bought
    churned: float = 0.12  # customers who stopped buying over a year ago
    occupations: tuple[str, ...] = ()
    product_index: dict[str, ProductSpec] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.product_index.update({p.code: p for p in self.products})


CONTACT_ROLES = (
    ("decision_maker", ("总经理", "董事长", "副总经理")),
    ("purchasing", ("采购经理", "采购主管", "物资部经理")),
    ("finance", ("财务经理", "财务总监")),
    ("technical", ("设备主管", "技术总监", "车队队长")),
    ("user", ("调度员", "站长", "仓库主管")),
)

ENERGY = Template(
    key="energy",
    products=(
        ProductSpec("CRUDE", "原油", "crude", "t", 420_000, (2_000, 20_000)),
        ProductSpec("DSL-0", "0号柴油", "fuel", "t", 780_000, (10, 120)),
        ProductSpec("DSL-10", "-10号柴油", "fuel", "t", 810_000, (5, 60)),
        ProductSpec("GAS-92", "92号汽油", "fuel", "L", 760, (2_000, 40_000)),
        ProductSpec("GAS-95", "95号汽油", "fuel", "L", 810, (1_000, 20_000)),
        ProductSpec("LNG", "液化天然气(LNG)", "gas", "t", 520_000, (20, 300)),
        ProductSpec("NG-PIPE", "管道天然气", "gas", "m3", 320, (50_000, 900_000)),
        ProductSpec("CNG", "压缩天然气(CNG)", "gas", "m3", 410, (5_000, 60_000)),
        ProductSpec("LUBE-CI4", "柴油机油 CI-4 15W-40", "lubricant", "L", 3_200, (200, 4_000)),
        ProductSpec("LUBE-SN", "汽油机油 SN 5W-30", "lubricant", "L", 4_500, (50, 1_000)),
        ProductSpec("ASPHALT", "道路石油沥青", "chemical", "t", 430_000, (50, 800)),
        ProductSpec("PX", "对二甲苯(PX)", "chemical", "t", 750_000, (100, 2_000)),
        ProductSpec("CARD-92", "加油卡充值·92号汽油", "fuel", "L", 760, (100, 600)),
        ProductSpec("LUBE-CAR", "汽车机油 4L装", "lubricant", "piece", 29_800, (1, 4), True),
    ),
    segments=(
        Segment(
            "refinery",
            0.01,
            "org",
            "refining",
            ("石化", "炼化", "石油化工"),
            ("CRUDE", "PX"),
            "contract",
            2.5,
            FLAT,
            0.5,
            0.5,
            1_500_000_000,
            ("contract",),
            ("合同客户", "大宗采购", "重点关注"),
            (800, 6_000),
            "t",
        ),
        Segment(
            "pipeline",
            0.01,
            "org",
            "pipeline",
            ("管道", "油气储运"),
            ("NG-PIPE", "LUBE-CI4"),
            "contract",
            2.0,
            HEATING,
            0.5,
            0.6,
            60_000_000,
            ("contract",),
            ("合同客户", "大宗采购"),
            (200, 2_000),
            "m3",
        ),
        Segment(
            "gas_distributor",
            0.04,
            "org",
            "gas_distribution",
            ("燃气", "天然气", "能源"),
            ("NG-PIPE", "LNG", "CNG"),
            "contract",
            2.2,
            HEATING,
            0.7,
            0.65,
            80_000_000,
            ("contract", "direct"),
            ("合同客户", "冬季用气高峰", "大宗采购"),
            (100, 3_000),
            "m3",
        ),
        Segment(
            "power",
            0.02,
            "org",
            "power",
            ("热电", "能源", "发电"),
            ("NG-PIPE", "LNG"),
            "contract",
            1.8,
            HEATING,
            0.6,
            0.5,
            80_000_000,
            ("contract",),
            ("合同客户", "冬季用气高峰"),
            (150, 1_500),
            "m3",
        ),
        Segment(
            "logistics",
            0.15,
            "org",
            "logistics",
            ("物流", "运输", "货运", "供应链"),
            ("DSL-0", "DSL-10", "LUBE-CI4"),
            "regular",
            1.4,
            DIESEL,
            0.9,
            0.75,
            25_000_000,
            ("direct", "contract", "phone"),
            ("车队客户", "价格敏感"),
            (20, 800),
            "t",
        ),
        Segment(
            "factory",
            0.13,
            "org",
            "manufacturing",
            ("机械", "制造", "钢铁", "陶瓷", "纺织"),
            ("NG-PIPE", "DSL-0", "LUBE-CI4"),
            "regular",
            1.2,
            HEATING,
            0.9,
            0.7,
            60_000_000,
            ("direct", "contract"),
            ("合同客户", "价格敏感"),
            (50, 3_000),
            "m3",
        ),
        Segment(
            "chemical",
            0.03,
            "org",
            "chemicals",
            ("化工", "新材料"),
            ("PX", "LNG", "DSL-0"),
            "regular",
            1.2,
            FLAT,
            0.7,
            0.7,
            200_000_000,
            ("direct", "contract"),
            ("大宗采购",),
            (100, 2_000),
            "t",
        ),
        Segment(
            "construction",
            0.07,
            "org",
            "construction",
            ("建设", "建工", "路桥", "市政工程"),
            ("DSL-0", "ASPHALT", "LUBE-CI4"),
            "regular",
            1.0,
            DIESEL,
            0.9,
            0.75,
            30_000_000,
            ("direct", "phone"),
            ("季节性需求", "价格敏感"),
            (50, 2_000),
            "t",
        ),
        Segment(
            "fuel_station",
            0.10,
            "org",
            "fuel_retail",
            ("石油", "能源", "油品"),
            ("GAS-92", "GAS-95", "DSL-0"),
            "regular",
            1.6,
            HOLIDAY,
            0.8,
            0.85,
            20_000_000,
            ("distributor", "contract"),
            ("加油站", "合同客户"),
            (5, 60),
            "L",
        ),
        Segment(
            "farm",
            0.08,
            "org",
            "agriculture",
            ("农机", "农业", "种植", "农牧"),
            ("DSL-0", "LUBE-CI4"),
            "occasional",
            0.7,
            DIESEL,
            0.8,
            0.6,
            8_000_000,
            ("direct", "phone"),
            ("季节性需求",),
            (5, 200),
            "t",
        ),
        Segment(
            "individual",
            0.36,
            "person",
            "",
            (),
            ("CARD-92", "LUBE-CAR"),
            "occasional",
            0.6,
            HOLIDAY,
            0.7,
            0.6,
            45_000,
            ("store", "online"),
            ("加油卡客户",),
        ),
    ),  # fmt: skip
    tags=(
        "合同客户",
        "大宗采购",
        "重点关注",
        "冬季用气高峰",
        "车队客户",
        "价格敏感",
        "季节性需求",
        "加油站",
        "加油卡客户",
    ),  # fmt: skip
    occupations=("司机", "个体经营", "教师", "工程师", "公务员", "医生", "销售", "自由职业"),
)

AUTO = Template(
    key="auto",
    products=(
        ProductSpec(
            "CAR-A", "紧凑型轿车 1.5L 舒适版", "vehicle", "vehicle", 12_980_000, (1, 1), True
        ),
        ProductSpec(
            "CAR-SUV", "中型SUV 2.0T 豪华版", "vehicle", "vehicle", 18_980_000, (1, 1), True
        ),
        ProductSpec(
            "CAR-EV", "纯电动轿车 长续航版", "vehicle", "vehicle", 15_980_000, (1, 1), True
        ),
        ProductSpec("CAR-MPV", "商务MPV 七座", "vehicle", "vehicle", 23_980_000, (1, 1), True),
        ProductSpec("TRUCK-L", "轻型厢式货车", "vehicle", "vehicle", 9_800_000, (1, 1), True),
        ProductSpec("SVC-MINOR", "常规保养(小保养)", "service", "service", 68_000, (1, 1), True),
        ProductSpec("SVC-MAJOR", "大保养", "service", "service", 158_000, (1, 1), True),
        ProductSpec("SVC-REPAIR", "维修工时", "service", "hour", 18_000, (1, 6)),
        ProductSpec("P-OILF", "机油滤清器", "parts", "piece", 6_500, (1, 1), True),
        ProductSpec("P-BRAKE", "前刹车片(套)", "parts", "piece", 48_000, (1, 1), True),
        ProductSpec("P-TYRE", "轮胎 225/55 R17", "parts", "piece", 85_000, (1, 4), True),
        ProductSpec("P-BATT", "蓄电池", "parts", "piece", 78_000, (1, 1), True),
        ProductSpec("P-ACF", "空调滤芯", "parts", "piece", 12_000, (1, 1), True),
        ProductSpec("WARRANTY", "延长保修(2年)", "service", "service", 360_000, (1, 1), True),
    ),
    segments=(
        Segment(
            "owner",
            0.86,
            "person",
            "",
            (),
            ("CAR-A", "CAR-SUV", "CAR-EV", "CAR-MPV"),
            "vehicle",
            1.0,
            HOLIDAY,
            0.3,
            0.8,
            300_000,
            ("store", "online"),
            ("新车主", "保养提醒", "新能源", "延保客户"),
        ),
        Segment(
            "taxi",
            0.04,
            "org",
            "logistics",
            ("出租汽车", "出租车", "客运"),
            ("CAR-A", "CAR-EV"),
            "vehicle",
            1.6,
            FLAT,
            0.8,
            0.85,
            3_000_000,
            ("direct", "contract"),
            ("车队客户", "大客户"),
            (50, 1_500),
        ),
        Segment(
            "logistics",
            0.05,
            "org",
            "logistics",
            ("物流", "快运", "城配"),
            ("TRUCK-L", "CAR-MPV"),
            "vehicle",
            1.6,
            FLAT,
            0.8,
            0.85,
            3_000_000,
            ("direct", "contract"),
            ("车队客户",),
            (30, 2_000),
        ),
        Segment(
            "rental",
            0.05,
            "org",
            "automotive",
            ("汽车租赁", "租车"),
            ("CAR-A", "CAR-SUV", "CAR-MPV"),
            "vehicle",
            1.6,
            HOLIDAY,
            0.8,
            0.85,
            3_000_000,
            ("direct",),
            ("车队客户", "大客户"),
            (20, 800),
        ),
    ),  # fmt: skip
    tags=("新车主", "保养提醒", "新能源", "延保客户", "车队客户", "大客户"),
    prospects=0.10,
    churned=0.12,
    occupations=("工程师", "教师", "医生", "个体经营", "公务员", "销售", "程序员", "设计师"),
)

GENERAL = Template(
    key="general",
    products=(
        ProductSpec("OFFICE-PC", "办公电脑", "other", "piece", 520_000, (2, 40), True),
        ProductSpec("PRINTER", "多功能打印机", "other", "piece", 320_000, (1, 5), True),
        ProductSpec("TONER", "打印耗材套装", "other", "piece", 45_000, (2, 40), True),
        ProductSpec("SW-LIC", "软件年度许可", "service", "service", 1_200_000, (1, 20), True),
        ProductSpec("CONSULT", "技术咨询服务", "service", "hour", 80_000, (4, 80)),
        ProductSpec("MAINT", "设备维保服务", "service", "service", 600_000, (1, 4), True),
        ProductSpec("GIFT-BOX", "节日礼盒", "other", "piece", 39_800, (1, 200), True),
        ProductSpec("MEMBER", "会员年卡", "service", "service", 99_900, (1, 1), True),
        ProductSpec("GOODS", "日用商品", "other", "piece", 8_800, (1, 10), True),
    ),
    segments=(
        Segment(
            "enterprise",
            0.22,
            "org",
            "manufacturing",
            ("科技", "实业", "贸易", "制造"),
            ("OFFICE-PC", "TONER", "MAINT", "CONSULT"),
            "regular",
            1.2,
            BUDGET,
            0.9,
            0.75,
            8_000_000,
            ("direct", "online", "phone"),
            ("重点客户", "续约提醒"),
            (10, 2_000),
        ),
        Segment(
            "software",
            0.08,
            "org",
            "it",
            ("信息技术", "网络科技", "软件"),
            ("SW-LIC", "CONSULT", "OFFICE-PC"),
            "contract",
            1.0,
            BUDGET,
            0.8,
            0.7,
            6_000_000,
            ("direct", "contract"),
            ("续约提醒", "重点客户"),
            (10, 800),
        ),
        Segment(
            "retailer",
            0.08,
            "org",
            "retail",
            ("商贸", "百货", "超市"),
            ("GIFT-BOX", "GOODS", "PRINTER"),
            "regular",
            1.2,
            HOLIDAY,
            0.9,
            0.7,
            3_000_000,
            ("distributor", "direct"),
            ("价格敏感",),
            (5, 500),
        ),
        Segment(
            "public",
            0.04,
            "org",
            "public",
            ("城市服务", "公用事业", "水务"),
            ("OFFICE-PC", "MAINT", "SW-LIC"),
            "occasional",
            0.8,
            BUDGET,
            0.6,
            0.7,
            5_000_000,
            ("direct",),
            ("重点客户",),
            (50, 3_000),
        ),
        Segment(
            "individual",
            0.58,
            "person",
            "",
            (),
            ("GOODS", "MEMBER", "GIFT-BOX"),
            "occasional",
            0.9,
            HOLIDAY,
            0.6,
            0.65,
            60_000,
            ("store", "online"),
            ("新客户", "会员"),
        ),
    ),  # fmt: skip
    tags=("重点客户", "续约提醒", "价格敏感", "新客户", "会员"),
    occupations=("教师", "工程师", "医生", "个体经营", "公务员", "学生", "销售", "退休"),
)

TEMPLATES: dict[str, Template] = {t.key: t for t in (ENERGY, AUTO, GENERAL)}

# Service lines of a car visit, by how often a visit includes them.
AUTO_SERVICE_PARTS = (("P-OILF", 0.9), ("P-ACF", 0.35), ("P-BRAKE", 0.12), ("P-TYRE", 0.08),
                      ("P-BATT", 0.05))  # fmt: skip
