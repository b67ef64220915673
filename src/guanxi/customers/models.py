"""Customers (organisations and individuals), their contacts, addresses, tags and stages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core import divisions
from guanxi.core.fields import EncryptedTextField
from guanxi.core.querysets import RestrictedQuerySet
from guanxi.core.validators import display_phone

from .choices import (
    AddressKind,
    ContactRole,
    CustomerKind,
    Gender,
    SourceChannel,
    Stage,
    ValueClass,
)


class Industry(models.Model):
    """行业: seeded with the industries the manuals name; admins add more."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行业")
        verbose_name_plural = _("行业")

    def __str__(self) -> str:
        return str(self.name)


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=32, unique=True)
    color = models.CharField(_("颜色"), max_length=7, default="#1677ff")

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self) -> str:
        return str(self.name)


class CustomerQuerySet(RestrictedQuerySet["Customer"]):
    restrict_path = ""

    def active(self) -> CustomerQuerySet:
        return self.filter(merged_into__isnull=True)


class Customer(models.Model):
    """A customer: an organisation (企业客户) or an individual (个人客户).

    Owner, team and region are stored on the row so that every access scope is a
    single indexed equality; purchase totals are kept up to date by the purchase
    actions so the list can sort by them at a million rows.
    """

    kind = models.CharField(_("客户类型"), max_length=8, choices=CustomerKind.choices)
    name = models.CharField(_("名称"), max_length=128)
    # Search keys, derived from the name on every write (see customers.search).
    pinyin = models.CharField(max_length=255, editable=False, default="")
    initials = models.CharField(max_length=64, editable=False, default="")

    gender = models.CharField(
        _("性别"), max_length=1, choices=Gender.choices, blank=True, default=""
    )
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    occupation = models.CharField(_("职业"), max_length=64, blank=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_bidx = models.CharField(max_length=32, blank=True, default="", editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, default="")

    phone = EncryptedTextField(_("电话"), blank=True, default="")
    phone_bidx = models.CharField(max_length=32, blank=True, default="", editable=False)
    phone_last4_bidx = models.CharField(max_length=32, blank=True, default="", editable=False)
    email = models.EmailField(_("电子邮箱"), blank=True)
    wechat_id = models.CharField(_("微信号"), max_length=64, blank=True)

    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("行业"),
        db_index=False,  # cust_*_updated leads with this column and serves its lookups
    )
    employees = models.PositiveIntegerField(_("员工人数"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("年营业额（万元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    energy_consumption = models.DecimalField(
        _("年能源消耗量"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    energy_unit = models.CharField(_("能耗单位"), max_length=16, blank=True)

    region = models.ForeignKey(
        "core.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("区域"),
        db_index=False,  # cust_*_updated leads with this column and serves its lookups
    )
    province_code = models.CharField(_("省份"), max_length=6, blank=True, default="")
    city_code = models.CharField(_("城市"), max_length=6, blank=True, default="")
    district_code = models.CharField(_("区县"), max_length=6, blank=True, default="")

    source_channel = models.CharField(
        _("信息来源"), max_length=16, choices=SourceChannel.choices, default=SourceChannel.INTERNAL
    )
    collected_at = models.DateTimeField(_("采集时间"), default=timezone.now)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("客户经理"),
        db_index=False,  # cust_*_updated leads with this column and serves its lookups
    )
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("团队"),
        db_index=False,  # cust_*_updated leads with this column and serves its lookups
    )
    value_class = models.CharField(
        _("价值分类"), max_length=16, choices=ValueClass.choices, default=ValueClass.GENERAL
    )
    stage = models.CharField(
        _("关系阶段"), max_length=16, choices=Stage.choices, default=Stage.AWARENESS
    )
    preferences = models.TextField(_("消费偏好"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers", verbose_name=_("标签"))

    purchase_count = models.PositiveIntegerField(_("购买次数"), default=0, editable=False)
    total_amount = models.DecimalField(
        _("累计金额"), max_digits=18, decimal_places=2, default=0, editable=False
    )
    first_purchase_at = models.DateTimeField(_("首次购买"), null=True, blank=True, editable=False)
    last_purchase_at = models.DateTimeField(_("最近购买"), null=True, blank=True, editable=False)

    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        indexes = [
            models.Index(fields=["name", "id"], name="cust_name"),
            models.Index(fields=["pinyin", "id"], name="cust_pinyin"),
            models.Index(fields=["initials", "id"], name="cust_initials"),
            models.Index(fields=["phone_bidx"], name="cust_phone"),
            models.Index(fields=["phone_last4_bidx"], name="cust_phone4"),
            models.Index(fields=["id_number_bidx"], name="cust_idno"),
            models.Index(fields=["updated_at", "id"], name="cust_updated"),
            models.Index(fields=["created_at", "id"], name="cust_created"),
            models.Index(fields=["total_amount", "id"], name="cust_amount"),
            models.Index(fields=["owner", "updated_at", "id"], name="cust_owner_updated"),
            models.Index(fields=["team", "updated_at", "id"], name="cust_team_updated"),
            models.Index(fields=["region", "updated_at", "id"], name="cust_region_updated"),
            models.Index(fields=["value_class", "total_amount", "id"], name="cust_class_amount"),
            models.Index(fields=["value_class", "updated_at", "id"], name="cust_class_updated"),
            models.Index(fields=["stage", "updated_at", "id"], name="cust_stage_updated"),
            models.Index(fields=["industry", "updated_at", "id"], name="cust_industry_updated"),
            # Only merged rows are indexed: an index over all-NULL merged_into
            # tempted SQLite's planner to "use" it for `merged_into IS NULL` (true
            # for every live row) instead of the search indexes — a full scan.
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="cust_merged",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=0), name="cust_total_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone) if self.phone else ""

    @property
    def location(self) -> str:
        return divisions.full_name(self.province_code, self.city_code, self.district_code)

    @property
    def is_organization(self) -> bool:
        return self.kind == CustomerKind.ORGANIZATION


class ContactQuerySet(RestrictedQuerySet["Contact"]):
    restrict_path = "customer__"


class Contact(models.Model):
    """A person at an organisation customer, with their role in buying."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=64)
    pinyin = models.CharField(max_length=255, editable=False, default="")
    initials = models.CharField(max_length=64, editable=False, default="")
    role = models.CharField(
        _("角色"), max_length=16, choices=ContactRole.choices, default=ContactRole.OTHER
    )
    title = models.CharField(_("职务"), max_length=64, blank=True)
    gender = models.CharField(
        _("性别"), max_length=1, choices=Gender.choices, blank=True, default=""
    )
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = EncryptedTextField(_("电话"), blank=True, default="")
    phone_bidx = models.CharField(
        max_length=32, blank=True, default="", editable=False, db_index=True
    )
    phone_last4_bidx = models.CharField(
        max_length=32, blank=True, default="", editable=False, db_index=True
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    wechat_id = models.CharField(_("微信号"), max_length=64, blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        indexes = [
            models.Index(fields=["pinyin"], name="contact_pinyin"),
            models.Index(fields=["name"], name="contact_name"),
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone) if self.phone else ""


class AddressQuerySet(RestrictedQuerySet["Address"]):
    restrict_path = "customer__"


class Address(models.Model):
    """An address with province/city/district codes from GB/T 2260."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(
        _("类型"), max_length=16, choices=AddressKind.choices, default=AddressKind.OFFICE
    )
    province_code = models.CharField(_("省份"), max_length=6)
    city_code = models.CharField(_("城市"), max_length=6, blank=True, default="")
    district_code = models.CharField(_("区县"), max_length=6, blank=True, default="")
    detail = models.CharField(_("详细地址"), max_length=255, blank=True)
    postal_code = models.CharField(_("邮编"), max_length=6, blank=True)
    is_primary = models.BooleanField(_("主要地址"), default=False)

    objects = AddressQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("地址")
        verbose_name_plural = _("地址")

    def __str__(self) -> str:
        return f"{self.location}{self.detail}"

    @property
    def location(self) -> str:
        return divisions.full_name(self.province_code, self.city_code, self.district_code)


class StageChangeQuerySet(RestrictedQuerySet["StageChange"]):
    restrict_path = "customer__"


class StageChange(models.Model):
    """客户关系发展阶段 history: one row per move, newest first."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-changed_at"], name="stage_customer_time")]

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"
