"""Epoch milliseconds from the monotonic clock, anchored to the epoch once at start-up.

Durations computed from these timestamps are immune to wall-clock steps, as in the Node probe
(performance.timeOrigin + performance.now()).
"""
import time

_EPOCH_MS = time.time_ns() / 1e6
_PERF_NS = time.perf_counter_ns()


def now_ms() -> float:
    return _EPOCH_MS + (time.perf_counter_ns() - _PERF_NS) / 1e6


def round_ms(ms: float) -> float:
    """Microsecond precision: no false precision, compact JSON."""
    return round(ms, 3)


def process_ms() -> float:
    """Milliseconds since this module was first imported (the probe's start-up)."""
    return (time.perf_counter_ns() - _PERF_NS) / 1e6
