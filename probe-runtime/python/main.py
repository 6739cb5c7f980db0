"""Google Cloud Functions entry (entry point `probe`): `probe(request)` with a Flask request object.

Flask is not imported: the functions framework passes its request and accepts a (body, status,
headers) tuple, so the probe stays standard library only and also runs without Flask installed.
"""
import json
from typing import Any, Dict, Tuple

from curtain_probe.clock import now_ms
from curtain_probe.core import Probe, ProbeRequestError

_probe = Probe()
_JSON = {"Content-Type": "application/json"}


def _reply(status: int, body: Any) -> Tuple[str, int, Dict[str, str]]:
    return json.dumps(body, separators=(",", ":"), allow_nan=False), status, _JSON


def probe(request: Any) -> Tuple[str, int, Dict[str, str]]:
    received_at = now_ms()
    if getattr(request, "method", "POST") != "POST":
        return _reply(405, {"error": "use POST with a ProbeRequest body"})
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        return _reply(400, {"error": "invalid probe request: the body is not JSON"})
    headers = getattr(request, "headers", {}) or {}
    execution_id = headers.get("Function-Execution-Id")
    try:
        response = _probe.handle(body, received_at, {"executionId": execution_id} if execution_id else None)
    except ProbeRequestError as error:
        return _reply(400, {"error": str(error)})
    except Exception as error:
        return _reply(500, {"error": "probe failed: %s" % error})
    return _reply(200, response)
