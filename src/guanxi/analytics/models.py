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

from .choices import ChurnReason, ClassRule, RiskLevel, RunTrigger

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
    # --- churn risk (流失预警): see docs/architecture.md "Churn risk" for each signal.
    # Weights are relative: the score is 100 × Σ weight × strength ÷ Σ weight, so a
    # weight of 0 switches a signal off. The model weight counts only once an
    # analyst has trained a classifier.
    churn_weight_not_alive = models.PositiveSmallIntegerField(_("权重：存活概率低"), default=30)
    churn_weight_frequency = models.PositiveSmallIntegerField(_("权重：购买频率下降"), default=15)
    churn_weight_amount = models.PositiveSmallIntegerField(_("权重：购买金额下降"), default=10)
    churn_weight_complaints = models.PositiveSmallIntegerField(_("权重：近期投诉"), default=15)
    churn_weight_satisfaction = models.PositiveSmallIntegerField(_("权重：满意度低"), default=15)
    churn_weight_contact = models.PositiveSmallIntegerField(_("权重：逾期未联系"), default=15)
    churn_weight_model = models.PositiveSmallIntegerField(_("权重：流失模型概率"), default=40)
    churn_alive_below = models.FloatField(
        _("存活概率低于此值触发"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    churn_trend_days = models.PositiveIntegerField(
        _("趋势比较窗口（天）"), default=90, validators=[MinValueValidator(1)]
    )
    churn_drop_share = models.FloatField(
        _("下降比例达到此值触发"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    churn_complaint_days = models.PositiveIntegerField(
        _("投诉统计天数"), default=90, validators=[MinValueValidator(1)]
    )
    churn_complaints_full = models.PositiveSmallIntegerField(
        _("投诉达到此数计满分"), default=3, validators=[MinValueValidator(1)]
    )
    churn_csat_days = models.PositiveIntegerField(
        _("满意度统计天数"), default=180, validators=[MinValueValidator(1)]
    )
    churn_csat_below = models.FloatField(
        _("平均满意度低于此值触发"),
        default=3.5,
        validators=[MinValueValidator(1.0), MaxValueValidator(5.0)],
    )
    contact_days_high = models.PositiveIntegerField(
        _("联系频率：高价值客户（天）"), default=7, validators=[MinValueValidator(1)]
    )
    contact_days_potential = models.PositiveIntegerField(
        _("联系频率：潜力客户（天）"), default=14, validators=[MinValueValidator(1)]
    )
    contact_days_general = models.PositiveIntegerField(
        _("联系频率：一般客户（天）"), default=30, validators=[MinValueValidator(1)]
    )
    contact_days_churned = models.PositiveIntegerField(
        _("联系频率：流失客户（天）"), default=90, validators=[MinValueValidator(1)]
    )
    churn_model_above = models.FloatField(
        _("模型流失概率高于此值触发"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    churn_high_from = models.PositiveSmallIntegerField(
        _("高风险起点（分）"), default=60, validators=[MaxValueValidator(100)]
    )
    churn_medium_from = models.PositiveSmallIntegerField(
        _("中风险起点（分）"), default=30, validators=[MaxValueValidator(100)]
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


class ChurnScoreQuerySet(RestrictedQuerySet["ChurnScore"]):
    restrict_path = "customer__"


# ChurnScore column of each reason's contribution (points of the 0–100 score).
REASON_COLUMNS = {
    ChurnReason.NOT_ALIVE: "not_alive_points",
    ChurnReason.FREQUENCY: "frequency_points",
    ChurnReason.AMOUNT: "amount_points",
    ChurnReason.COMPLAINTS: "complaints_points",
    ChurnReason.SATISFACTION: "satisfaction_points",
    ChurnReason.CONTACT: "contact_points",
    ChurnReason.MODEL: "model_points",
}


class ChurnScore(models.Model):
    """A customer's churn risk as of the last run: the score, its level and why.

    A table of its own beside CustomerScore (one row per customer, same key):
    the value scores and the churn scores are written by separate bulk steps,
    and the warning list filters and sorts on these columns alone. Each
    reason is a column of points, so "why" is filterable in SQL and the
    points add up to the score.
    """

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="churn"
    )
    run = models.ForeignKey(AssessmentRun, on_delete=models.SET_NULL, null=True, related_name="+")
    computed_at = models.DateTimeField(_("计算时间"))
    risk = models.PositiveSmallIntegerField(_("流失风险"))
    level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    not_alive_points = models.FloatField(default=0.0)
    frequency_points = models.FloatField(default=0.0)
    amount_points = models.FloatField(default=0.0)
    complaints_points = models.FloatField(default=0.0)
    satisfaction_points = models.FloatField(default=0.0)
    contact_points = models.FloatField(default=0.0)
    model_points = models.FloatField(default=0.0)
    # The numbers behind the reasons, shown beside them.
    p_alive = models.FloatField(_("存活概率"), null=True)
    recent_orders = models.PositiveIntegerField(_("近期订单数"), default=0)
    previous_orders = models.PositiveIntegerField(_("上期订单数"), default=0)
    recent_amount = models.FloatField(_("近期金额"), default=0.0)
    previous_amount = models.FloatField(_("上期金额"), default=0.0)
    complaints = models.PositiveIntegerField(_("近期投诉数"), default=0)
    csat = models.FloatField(_("平均满意度"), null=True)
    days_since_contact = models.PositiveIntegerField(_("距上次接触天数"), null=True)
    contact_due_days = models.PositiveIntegerField(_("应联系间隔（天）"), default=30)
    model_probability = models.FloatField(_("模型流失概率"), null=True)

    objects = ChurnScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("流失风险")
        verbose_name_plural = _("流失风险")
        indexes = [models.Index(fields=["-risk", "customer"], name="churn_risk_order")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.risk}"

    @property
    def reasons(self) -> list[tuple[str, str, float]]:
        """(code, label, points) of every reason that fired, largest first."""
        fired = [
            (str(code), str(code.label), float(getattr(self, column)))
            for code, column in REASON_COLUMNS.items()
            if getattr(self, column) > 0
        ]
        return sorted(fired, key=lambda reason: -reason[2])


class ChurnModelRunQuerySet(RestrictedQuerySet["ChurnModelRun"]):
    def restrict(self, user, action="view"):  # type: ignore[no-untyped-def]
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.role in MODEL_READERS and action == "view" else self.none()


class ChurnModelRun(models.Model):
    """One training of the supervised churn classifier: who, when, on what, how well.

    The fitted pipeline is a joblib file under the data directory (`model_file`,
    relative to it); the newest successful run with `active` set feeds the risk
    score.
    """

    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trained_at = models.DateTimeField(_("训练时间"), default=timezone.now)
    cutoff = models.DateTimeField(_("截止时间"))
    horizon_days = models.PositiveIntegerField(_("观察期（天）"))
    algorithm = models.CharField(_("算法"), max_length=32)
    rows = models.PositiveIntegerField(_("样本数"), default=0)
    positives = models.PositiveIntegerField(_("流失样本数"), default=0)
    auc = models.FloatField(_("验证集 AUC"), null=True)
    brier = models.FloatField(_("Brier 分数"), null=True)
    calibration = models.JSONField(default=list, blank=True)
    features = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), default=0.0)
    model_file = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(_("用于评分"), default=False)
    error = models.TextField(blank=True)

    objects = ChurnModelRunQuerySet.as_manager()

    class Meta:
        ordering = ["-trained_at", "-id"]
        verbose_name = _("流失模型训练")
        verbose_name_plural = _("流失模型训练")

    def __str__(self) -> str:
        return f"{self.algorithm} {self.trained_at:%Y-%m-%d %H:%M}"
