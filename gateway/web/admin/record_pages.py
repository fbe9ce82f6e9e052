"""The console's record pages (to be written)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: (rule, endpoint, view, methods)
ROUTES: tuple[tuple[str, str, Callable[..., Any], tuple[str, ...]], ...] = ()
