"""flask-smorest's Blueprint with typed decorators, and the two rules every route keeps.

flask-smorest ships no type information: each of its decorators would make the view it
decorates untyped. This subclass declares them `Callable[[F], F]` and delegates.

It also holds the routes to the gate's order (`gateway.api.auth.gate`):
- the gate is the outermost decorator of every gated view, so nothing of the route runs
  before it: a route whose gate is wrapped by anything is refused when it is registered;
- the gate checks the caller before anything is parsed, and the Caf the action targets
  once the route's arguments are parsed (the target may be named by the body or the
  query). `arguments` therefore puts, below the last argument parsed, a hook that runs the
  route's gate's `after_parsing` with the parsed arguments, just before the view.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar, cast

import flask_smorest
from flask import current_app, request
from flask.views import MethodView

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: The attribute by which a view carries its gate (set by `gateway.api.auth.gate`).
GATE_ATTRIBUTE = "gate"
#: Set on a view whose arguments are parsed through this module (copied up by `wraps`).
PARSES_ARGUMENTS = "parses_arguments"


class RouteGate(Protocol):
    """What the argument hook asks of a route's gate."""

    def after_parsing(self, *args: Any, **kwargs: Any) -> None: ...


def view_of_request() -> Callable[..., Any] | None:
    """Return the function that will answer this request (a MethodView's method), if any."""
    if request.url_rule is None or request.endpoint is None:
        return None  # no route: the 404 or 405 follows
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    method = request.method.lower()
    if method == "head" and not hasattr(view_class, "head"):
        method = "get"
    found: Callable[..., Any] | None = getattr(view_class, method, None)
    return found


def gate_of(view: object) -> RouteGate | None:
    """Return the gate a view carries, if any."""
    found: RouteGate | None = getattr(view, GATE_ATTRIBUTE, None)
    return found


def _after_parsing(view: F) -> F:
    """Run the request's gate on the parsed arguments, then the view."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        gate = gate_of(view_of_request())
        if gate is not None:
            gate.after_parsing(*args, **kwargs)
        return view(*args, **kwargs)

    setattr(checked, PARSES_ARGUMENTS, True)
    return cast(F, checked)


def stacked(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Compose decorators written in this order, as one (for routes that share a stack)."""

    def decorator(view: F) -> F:
        for apply in reversed(decorators):
            view = apply(view)
        return view

    return decorator


def misplaced_gates(view_class: type[MethodView]) -> list[str]:
    """Name the methods of a view whose gate is not the outermost decorator."""
    misplaced = []
    for method in sorted(view_class.methods or ()):
        function = getattr(view_class, method.lower())
        # `wraps` copies the gate up to every wrapper: the gate's own wrapper is the one
        # whose wrapped function carries none.
        if gate_of(getattr(function, "__wrapped__", None)) is not None:
            misplaced.append(method)
    return misplaced


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # flask-smorest has no types
    """flask-smorest's Blueprint, typed, keeping the gate outermost and the target parsed."""

    def route(self, rule: str, **options: Any) -> Callable[[T], T]:
        decorator: Callable[[T], T] = super().route(rule, **options)
        return decorator

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: Any = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        """Register a route, refusing one whose gate is not its outermost decorator."""
        if isinstance(view_func, type) and issubclass(view_func, MethodView):
            misplaced = misplaced_gates(view_func)
            if misplaced:
                raise TypeError(
                    f"{self.name} {rule} {', '.join(misplaced)}: @gate must be the outermost "
                    "decorator (written first, above @blp.arguments and @blp.response)"
                )
        super().add_url_rule(rule, endpoint, view_func, provide_automatic_options, **options)

    def arguments(self, schema: Any, **options: Any) -> Callable[[F], F]:
        """Parse and validate the arguments of `schema` (flask-smorest's `arguments`)."""
        parse: Callable[[F], F] = super().arguments(schema, **options)

        def decorator(view: F) -> F:
            # Decorators apply bottom-up: the first `arguments` applied is the last to parse.
            if not getattr(view, PARSES_ARGUMENTS, False):
                view = _after_parsing(view)
            return parse(view)

        return decorator

    def response(self, status_code: int, schema: Any = None, **options: Any) -> Callable[[F], F]:
        decorator: Callable[[F], F] = super().response(status_code, schema, **options)
        return decorator

    def alt_response(self, status_code: int, **options: Any) -> Callable[[F], F]:
        decorator: Callable[[F], F] = super().alt_response(status_code, **options)
        return decorator

    @staticmethod
    def doc(**documentation: Any) -> Callable[[F], F]:
        decorator: Callable[[F], F] = flask_smorest.Blueprint.doc(**documentation)
        return decorator
