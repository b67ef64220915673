"""Maintenance appointments: a place in a bay's day, never more than its capacity.

The seat is taken with one conditional UPDATE (`booked < capacity`), and a check
constraint backs it up, so two customers racing for the last place cannot both
win on either database.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from guanxi.core.actions import ActionError

from .models import BayDay, Booking, ServiceBay, Ticket


def _bay_day(bay: ServiceBay, day: date) -> BayDay:
    found = BayDay.objects.filter(bay=bay, day=day).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():  # a savepoint: losing the race to create is fine
            return BayDay.objects.create(bay=bay, day=day, capacity=bay.daily_capacity)
    except IntegrityError:
        return BayDay.objects.get(bay=bay, day=day)


def book(ticket: Ticket, bay: ServiceBay, day: date) -> Booking:
    if not bay.active:
        raise ActionError(_("该工位已停用。"), code="bay_inactive", field="bay")
    slot = _bay_day(bay, day)
    taken = BayDay.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise ActionError(
            _("%(bay)s %(day)s 已约满，请选择其他日期或工位。") % {"bay": bay.name, "day": day},
            code="fully_booked",
            field="appointment_day",
        )
    return Booking.objects.create(ticket=ticket, bay_day=slot)


def free_places(bay: ServiceBay, day: date) -> int:
    slot = BayDay.objects.filter(bay=bay, day=day).first()
    return bay.daily_capacity if slot is None else slot.capacity - slot.booked
