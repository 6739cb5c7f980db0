"""Validation of the ProbeRequest (contract 3, with contracts/task.ts's tasks), mirroring the zod schemas.

Like the Node probe's validation/probe-request.ts it returns the request with defaults applied or raises
InvalidInput naming the path of the first problem; the tests run both on the same table of valid and
invalid requests against zod. JSON has no undefined: an absent key takes its default.
URLs are checked with urllib.parse, an approximation of the WHATWG parser zod uses: a scheme, and a
host for the special schemes (http, https, ws, wss, ftp).
"""
import json
import math
import re
from typing import Any, Callable, Dict, List

MAX_TASK_MS = 120_000
MAX_SAFE_INTEGER = 2**53 - 1

_ABSENT = object()
Check = Callable[[Any, str], Any]


class InvalidInput(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path + ": " + problem if path else problem)
        self.path = path
        self.problem = problem


def _received(value: Any) -> str:
    if value is None or value is _ABSENT:
        return "null" if value is None else "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number" if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number(value: Any, path: str) -> float:
    if not _is_number(value):
        raise InvalidInput(path, "expected number, received " + _received(value))
    return value


def integer(minimum: int, maximum: int = MAX_SAFE_INTEGER) -> Check:
    def check(value: Any, path: str) -> int:
        n = number(value, path)
        if isinstance(n, float):
            if not n.is_integer():
                raise InvalidInput(path, "expected int, received %s" % n)
            n = int(n)
        if n < minimum:
            raise InvalidInput(path, "too small: expected a number >= %d" % minimum)
        if n > maximum:
            raise InvalidInput(path, "too big: expected a number <= %d" % maximum)
        return n

    return check


def string(min_length: int = 0) -> Check:
    def check(value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise InvalidInput(path, "expected string, received " + _received(value))
        if len(value) < min_length:
            raise InvalidInput(path, "too small: expected a string of at least %d character(s)" % min_length)
        return value

    return check


def literal(expected: Any) -> Check:
    def check(value: Any, path: str) -> Any:
        same_kind = _is_number(value) if _is_number(expected) else isinstance(value, type(expected))
        if same_kind and value == expected:
            return expected
        raise InvalidInput(path, "expected " + json.dumps(expected))

    return check


def one_of(options: List[str]) -> Check:
    def check(value: Any, path: str) -> str:
        if isinstance(value, str) and value in options:
            return value
        raise InvalidInput(path, "expected one of " + "|".join('"%s"' % o for o in options))

    return check


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_SPECIAL = ("http", "https", "ws", "wss", "ftp")


def url(value: Any, path: str) -> str:
    from urllib.parse import urlsplit  # only requests with a url need it

    trimmed = string()(value, path).strip()
    try:
        parts = urlsplit(trimmed)
        ok = bool(_SCHEME.fullmatch(parts.scheme)) and (parts.scheme.lower() not in _SPECIAL or bool(parts.hostname))
        parts.port  # raises ValueError for an invalid port
    except ValueError:
        ok = False
    if not ok:
        raise InvalidInput(path, "invalid URL")
    return re.sub(r"[\t\n\r]", "", trimmed)


def nullable(check: Check) -> Check:
    return lambda value, path: None if value is None else check(value, path)


def with_default(check: Check, fallback: Any) -> Check:
    return lambda value, path: fallback if value is _ABSENT else check(value, path)


def optional(check: Check) -> Check:
    return lambda value, path: _ABSENT if value is _ABSENT else check(value, path)


def _child(path: str, key: str) -> str:
    return path + "." + key if path else key


def obj(shape: Dict[str, Check]) -> Check:
    """A strict object: every key of the shape checked, unknown keys refused."""

    def check(value: Any, path: str) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise InvalidInput(path, "expected object, received " + _received(value))
        out = {}
        for key, key_check in shape.items():
            result = key_check(value.get(key, _ABSENT), _child(path, key))
            if result is not _ABSENT:
                out[key] = result
        unknown = [key for key in value if key not in shape]
        if unknown:
            raise InvalidInput(path, "unknown key%s %s" % ("s" if len(unknown) > 1 else "", ", ".join('"%s"' % k for k in unknown)))
        return out

    return check


def discriminated(key: str, options: Dict[str, Check]) -> Check:
    def check(value: Any, path: str) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise InvalidInput(path, "expected object, received " + _received(value))
        tag = value.get(key)
        if not isinstance(tag, str) or tag not in options:
            raise InvalidInput(_child(path, key), "expected one of " + "|".join('"%s"' % o for o in options))
        return options[tag](value, path)

    return check


_duration = integer(1, MAX_TASK_MS)


def _task(name: str, **params: Check) -> Check:
    return obj({"name": literal(name), **params})


TASK = discriminated(
    "name",
    {
        "noop": _task("noop"),
        "sleep": _task("sleep", ms=_duration),
        "cpu-share": _task("cpu-share", durationMs=with_default(_duration, 1000), gapThresholdUs=with_default(integer(10, 100_000), 200)),
        "cpu-work": _task("cpu-work", units=with_default(integer(1, 100_000), 1000), maxMs=with_default(_duration, 30_000)),
        "io": _task(
            "io",
            megabytes=with_default(integer(1, 1024), 64),
            blockKb=with_default(integer(4, 16_384), 1024),
            maxMs=with_default(_duration, 60_000),
        ),
        "net": _task(
            "net",
            direction=with_default(one_of(["download", "upload"]), "download"),
            megabytes=with_default(integer(1, 1024), 16),
            url=optional(url),
            maxMs=with_default(_duration, 60_000),
        ),
        "memory": _task("memory", megabytes=with_default(integer(1, 10_240), 64)),
        "background": _task("background", durationMs=with_default(_duration, 60_000)),
        "covert-channel": _task(
            "covert-channel",
            frames=integer(1, 64),
            bits=with_default(integer(4, 64), 16),
            bitMs=with_default(integer(10, 1000), 50),
            seed=with_default(integer(0, 2_147_483_647), 1),
        ),
    },
)

PROBE_REQUEST = obj(
    {
        "v": literal(1),
        "study": string(1),
        "run": string(1),
        "step": integer(0),
        "request": integer(0),
        "attempt": integer(1),
        "target": string(1),
        "task": TASK,
        "barrierAt": nullable(number),
        "sentAt": number,
        "payload": optional(string()),
        "responseBytes": optional(integer(0)),
    }
)


def check_probe_request(raw: Any) -> Dict[str, Any]:
    """The validated request with defaults applied; raises InvalidInput."""
    return PROBE_REQUEST(raw, "")
