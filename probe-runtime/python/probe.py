"""Curtain's Python probe: AWS Lambda entry (`probe.handler`) and the local platform's instance process.

    handler(event, context)   Lambda: event is the ProbeRequest the driver passed to Invoke; an invalid
                              request raises ProbeRequestError, which Lambda returns as a function error.
    python3 probe.py --shim   the local shim protocol over stdin/stdout (contracts/local-shim.ts).

Standard library only (Python 3.11+).
"""
import sys
from typing import Any, Dict

from curtain_probe.clock import now_ms
from curtain_probe.core import Probe, ProbeRequestError

__all__ = ["handler", "ProbeRequestError"]

_probe = None


def _instance() -> Probe:
    # Created on first use in the init phase (module import happens there on Lambda).
    global _probe
    if _probe is None:
        _probe = Probe()
    return _probe


def handler(event: Any, context: Any = None) -> Dict[str, Any]:
    received_at = now_ms()
    request_id = getattr(context, "aws_request_id", None)
    return _instance().handle(event, received_at, {"awsRequestId": request_id} if request_id else None)


if __name__ == "__main__":
    if sys.argv[1:] == ["--shim"]:
        from curtain_probe.shim import serve

        sys.exit(serve())
    sys.stderr.write("usage: python3 probe.py --shim   (the local platform's instance process)\n")
    sys.exit(2)
else:
    _instance()
