"""Words for a churn score: each reason that fired, its points and the numbers behind it.

The warning list, the customer 360 and the text copied into a win-back task
all explain a score the same way, from the stored columns alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import ChurnReason
from .models import AssessmentConfig, ChurnScore


@dataclass
class Reason:
    code: str
    label: str
    points: float
    detail: str


def _detail(code: str, score: ChurnScore, config: AssessmentConfig) -> str:
    days = config.churn_trend_days
    if code == ChurnReason.NOT_ALIVE:
        return _("存活概率 %(p).0f%%") % {"p": 100 * (score.p_alive or 0)}
    if code == ChurnReason.FREQUENCY:
        return _("近 %(d)s 天 %(r)s 单，此前 %(d)s 天 %(p)s 单") % {
            "d": days, "r": score.recent_orders, "p": score.previous_orders,
        }  # fmt: skip
    if code == ChurnReason.AMOUNT:
        return _("近 %(d)s 天 ¥%(r).0f，此前 %(d)s 天 ¥%(p).0f") % {
            "d": days, "r": score.recent_amount, "p": score.previous_amount,
        }  # fmt: skip
    if code == ChurnReason.COMPLAINTS:
        return _("近 %(d)s 天投诉 %(n)s 次") % {
            "d": config.churn_complaint_days, "n": score.complaints,
        }  # fmt: skip
    if code == ChurnReason.SATISFACTION:
        return _("平均满意度 %(s).1f / 5") % {"s": score.csat or 0}
    if code == ChurnReason.CONTACT:
        return _("%(n)s 天未接触（应每 %(d)s 天联系）") % {
            "n": score.days_since_contact, "d": score.contact_due_days,
        }  # fmt: skip
    if code == ChurnReason.MODEL:
        return _("模型流失概率 %(p).0f%%") % {"p": 100 * (score.model_probability or 0)}
    return ""


def reasons(score: ChurnScore, config: AssessmentConfig) -> list[Reason]:
    """The reasons that fired, largest contribution first."""
    return [
        Reason(code, label, points, _detail(code, score, config))
        for code, label, points in score.reasons
    ]


def win_back_notes(score: ChurnScore, config: AssessmentConfig) -> str:
    """The text a win-back task carries: the score, its level and every reason."""
    lines = [
        _("流失风险 %(risk)s 分（%(level)s），%(when)s 评估")
        % {
            "risk": score.risk,
            "level": score.get_level_display(),
            "when": f"{score.computed_at:%Y-%m-%d}",
        }  # fmt: skip
    ]
    for reason in reasons(score, config):
        lines.append(f"- {reason.label}：{reason.points:.0f} 分（{reason.detail}）")
    return "\n".join(lines)
