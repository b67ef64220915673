"""Products and purchases (orders with lines)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.querysets import RestrictedQuerySet

from .choices import OrderChannel, ProductCategory, Unit


class ProductQuerySet(RestrictedQuerySet["Product"]):
    """The catalogue is not personal data: every signed-in role may read it."""

    def restrict(self, user, action="view"):  # type: ignore[no-untyped-def]
        from guanxi.core.choices import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if action == "view" or user.role == Role.ADMIN:
            return self
        return self.none()


class Product(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    category = models.CharField(_("类别"), max_length=16, choices=ProductCategory.choices)
    unit = models.CharField(_("单位"), max_length=8, choices=Unit.choices)
    list_price = models.DecimalField(_("标准单价"), max_digits=14, decimal_places=2, default=0)
    active = models.BooleanField(_("在售"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0), name="product_price_nonneg"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_unit_display()}）"


class OrderQuerySet(RestrictedQuerySet["Order"]):
    restrict_path = "customer__"


class Order(models.Model):
    """A purchase (购买记录): one order with its lines, time and channel."""

    number = models.CharField(_("订单号"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders"
    )
    ordered_at = models.DateTimeField(_("下单时间"), default=timezone.now)
    channel = models.CharField(
        _("渠道"), max_length=16, choices=OrderChannel.choices, default=OrderChannel.DIRECT
    )
    total_amount = models.DecimalField(_("金额"), max_digits=18, decimal_places=2, default=0)
    notes = models.CharField(_("备注"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("购买记录")
        verbose_name_plural = _("购买记录")
        indexes = [
            models.Index(fields=["customer", "-ordered_at"], name="order_customer_time"),
            # The purchase list of a whole region or company pages by time.
            models.Index(fields=["ordered_at", "id"], name="order_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=0), name="order_total_nonneg"
            )
        ]

    def __str__(self) -> str:
        return str(self.number)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("单价"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("金额"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_qty_pos"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="line_price_nonneg"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="line_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"
