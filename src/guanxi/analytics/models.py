"""Value assessment: the rules an admin edits, per-customer scores, class history, runs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import Role
from guanxi.core.querysets import RestrictedQuerySet
from guanxi.customers.choices import ValueClass

from .choices import ClassRule, RunTrigger

# Roles that read model-level results (fitted parameters, holdout checks): they
# describe the whole customer base, so only roles that see all of it get them.
MODEL_READERS = (Role.ADMIN, Role.ANALYST)


class AssessmentConfig(models.Model):
    """The thresholds of RFM and the value-class rules; one row, seeded with the defaults.

    docs/architecture.md ("Value assessment") explains each rule; admins change
    the numbers here, never in code.
    """

    rfm_bins = models.PositiveSmallIntegerField(
        _("RFM 分档数"), default=5, validators=[MinValueValidator(2), MaxValueValidator(10)]
    )
    churn_inactive_days = models.PositiveIntegerField(_("多少天未购买视为流失"), default=365)
    churn_p_alive = models.FloatField(
        _("存活概率低于此值视为流失"),
        default=0.1,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    high_top_share = models.FloatField(
        _("高价值：消费额前百分比"),
        default=0.2,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    high_recent_days = models.PositiveIntegerField(_("高价值：最近购买天数内"), default=180)
    potential_new_days = models.PositiveIntegerField(_("潜力：首次购买天数内"), default=90)
    potential_clv_share = models.FloatField(
        _("潜力：预测价值前百分比"),
        default=0.2,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    rising_window_days = models.PositiveIntegerField(_("频率比较窗口（天）"), default=180)
    clv_horizon_months = models.PositiveSmallIntegerField(
        _("CLV 预测月数"), default=12, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    monthly_discount_rate = models.FloatField(
        _("月折现率"), default=0.01, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    holdout_weeks = models.PositiveSmallIntegerField(
        _("验证期周数"), default=26, validators=[MinValueValidator(1), MaxValueValidator(260)]
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("价值评估规则")
        verbose_name_plural = _("价值评估规则")

    def __str__(self) -> str:
        return "价值评估参数"

    @classmethod
    def current(cls) -> AssessmentConfig:
        config, _created = cls.objects.get_or_create(pk=1)
        return config

    def snapshot(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in self._meta.fields
            if f.name not in ("id", "updated_at", "updated_by")
        }


class AssessmentRunQuerySet(RestrictedQuerySet["AssessmentRun"]):
    def restrict(self, user, action="view"):  # type: ignore[no-untyped-def]
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.role in MODEL_READERS and action == "view" else self.none()


class AssessmentRun(models.Model):
    """One recompute: when, who started it, the fitted models and what moved."""

    trigger = models.CharField(_("触发方式"), max_length=16, choices=RunTrigger.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    customers = models.PositiveIntegerField(_("客户数"), default=0)
    changes = models.PositiveIntegerField(_("分类变化数"), default=0)
    config = models.JSONField(default=dict)
    bgnbd = models.JSONField(default=dict, blank=True)
    gamma_gamma = models.JSONField(default=dict, blank=True)
    class_counts = models.JSONField(default=dict, blank=True)
    seconds = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    objects = AssessmentRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("价值评估运行")
        verbose_name_plural = _("价值评估运行")

    def __str__(self) -> str:
        return f"{self.trigger} {self.started_at:%Y-%m-%d %H:%M}"


class CustomerScoreQuerySet(RestrictedQuerySet["CustomerScore"]):
    restrict_path = "customer__"


class CustomerScore(models.Model):
    """RFM, CLV and value class of one customer as of the last run (one row per customer).

    Rewritten in bulk by every run. Later scores (churn risk) become more
    nullable columns here, so the 360 page still reads one row.
    """

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="score"
    )
    run = models.ForeignKey(AssessmentRun, on_delete=models.SET_NULL, null=True, related_name="+")
    computed_at = models.DateTimeField(_("计算时间"))
    recency_days = models.PositiveIntegerField(_("距最近购买天数"), null=True)
    frequency = models.PositiveIntegerField(_("购买次数"), default=0)
    purchase_days = models.PositiveIntegerField(_("购买天数"), default=0)
    monetary = models.DecimalField(_("累计金额"), max_digits=18, decimal_places=2, default=0)
    average_order = models.DecimalField(_("平均每单"), max_digits=18, decimal_places=2, default=0)
    purchasing_power = models.DecimalField(
        _("购买力（年均消费）"), max_digits=18, decimal_places=2, default=0
    )
    contribution = models.FloatField(_("贡献度"), default=0.0)
    r_score = models.PositiveSmallIntegerField(_("R 分"), default=0)
    f_score = models.PositiveSmallIntegerField(_("F 分"), default=0)
    m_score = models.PositiveSmallIntegerField(_("M 分"), default=0)
    recent_orders = models.PositiveIntegerField(default=0)
    previous_orders = models.PositiveIntegerField(default=0)
    p_alive = models.FloatField(_("存活概率"), null=True)
    expected_purchases = models.FloatField(_("预期购买次数"), null=True)
    expected_spend = models.DecimalField(
        _("预期平均每单"), max_digits=18, decimal_places=2, null=True
    )
    clv = models.DecimalField(_("客户生命周期价值"), max_digits=18, decimal_places=2, null=True)
    value_class = models.CharField(_("价值分类"), max_length=16, choices=ValueClass.choices)
    rule = models.CharField(_("分类依据"), max_length=16, choices=ClassRule.choices)

    objects = CustomerScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户评分")
        verbose_name_plural = _("客户评分")

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.computed_at:%Y-%m-%d}"

    @property
    def rfm(self) -> str:
        return f"{self.r_score}{self.f_score}{self.m_score}"


class ValueClassChangeQuerySet(RestrictedQuerySet["ValueClassChange"]):
    restrict_path = "customer__"


class ValueClassChange(models.Model):
    """A customer moved value class: from, to, when, by which rule, with the numbers then."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="value_class_changes"
    )
    run = models.ForeignKey(AssessmentRun, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(_("变化时间"))
    from_class = models.CharField(_("原分类"), max_length=16, choices=ValueClass.choices)
    to_class = models.CharField(_("新分类"), max_length=16, choices=ValueClass.choices)
    rule = models.CharField(_("分类依据"), max_length=16, choices=ClassRule.choices)
    recency_days = models.PositiveIntegerField(null=True)
    frequency = models.PositiveIntegerField(default=0)
    monetary = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    p_alive = models.FloatField(null=True)
    clv = models.DecimalField(max_digits=18, decimal_places=2, null=True)

    objects = ValueClassChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("价值分类变化")
        verbose_name_plural = _("价值分类变化")
        indexes = [models.Index(fields=["customer", "-changed_at"], name="vcc_customer_time")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_class or '—'} → {self.to_class}"
