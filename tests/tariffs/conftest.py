"""Shared fixtures of the tariff tests: the default schedule and a day it is in force."""

from __future__ import annotations

from datetime import date

import pytest

from tariffs import TariffSchedule
from tests.support.tariffs import default_schedule

DAY = date(2026, 3, 2)


@pytest.fixture
def schedule() -> TariffSchedule:
    return default_schedule()
