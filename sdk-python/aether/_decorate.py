"""The ``trace`` decorator for sync and async functions."""
import functools
import inspect
from typing import Any, Callable, Dict, Optional, Tuple

from .span import Span, current_span

Locator = Callable[[Tuple[Any, ...], Dict[str, Any]], Any]


def query_locator(fn: Callable[..., Any]) -> Locator:
    """Where a call's query is: the ``query`` parameter if there is one, else the first one that is
    not ``self``/``cls``. Worked out once per function, not per call."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return lambda args, kwargs: kwargs.get("query", args[0] if args else None)
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    chosen = next((i for i, p in enumerate(params) if p.name == "query"), None)
    if chosen is None:
        chosen = next((i for i, p in enumerate(params) if p.name not in ("self", "cls")), None)
    if chosen is None:
        return lambda args, kwargs: None
    p = params[chosen]
    name = p.name
    index = chosen if p.kind in positional else None

    def locate(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
        if name in kwargs:
            return kwargs[name]
        if index is not None and index < len(args):
            return args[index]
        return None

    return locate


def wrap(fn: Callable[..., Any], resolve: Callable[[], Any], name: Optional[str], kind: str,
         fields: Dict[str, Any]) -> Callable[..., Any]:
    """Wrap ``fn`` so each call is a trace (or a child span inside an open one) of the client that
    ``resolve()`` returns at call time; with no client the call runs untraced."""
    span_name = name or getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or "trace"
    locate = query_locator(fn)

    def open_span(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Optional[Span]:
        client = resolve()
        if client is None:
            return None
        try:
            return client._open(span_name, kind, locate(args, kwargs), fields)
        except Exception:  # noqa: BLE001 - tracing must never stop the call
            return None

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def traced_async(*args: Any, **kwargs: Any) -> Any:
            span = open_span(args, kwargs)
            if span is None:
                return await fn(*args, **kwargs)
            token = current_span.set(span)
            try:
                result = await fn(*args, **kwargs)
            except BaseException as e:
                span.set_error(e)
                raise
            else:
                span._default_response(result)
                return result
            finally:
                _reset(token)
                span.end()

        return traced_async

    @functools.wraps(fn)
    def traced(*args: Any, **kwargs: Any) -> Any:
        span = open_span(args, kwargs)
        if span is None:
            return fn(*args, **kwargs)
        token = current_span.set(span)
        try:
            result = fn(*args, **kwargs)
        except BaseException as e:
            span.set_error(e)
            raise
        else:
            span._default_response(result)
            return result
        finally:
            _reset(token)
            span.end()

    return traced


def _reset(token: Any) -> None:
    try:
        current_span.reset(token)
    except (ValueError, RuntimeError):
        current_span.set(None)
