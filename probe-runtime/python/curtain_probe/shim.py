"""The local platform's runtime shim protocol (contracts/local-shim.ts) over stdin/stdout.

`ready` once initialised, then one `result` per `invoke` line, in order; stdout carries protocol
lines only, diagnostics go to stderr; the process ends when the platform closes stdin. initMs counts
from the probe's first import, not from the interpreter's start (Python offers no portable way to
read the latter); the platform times the whole cold start itself.
"""
import json
import os
import sys
from typing import Any, Dict, TextIO

from .clock import now_ms, process_ms, round_ms
from .core import Probe, ProbeRequestError


def _send(out: TextIO, message: Dict[str, Any]) -> None:
    out.write(json.dumps(message, separators=(",", ":"), allow_nan=False) + "\n")
    out.flush()


def _answer(probe: Probe, line: str, out: TextIO) -> None:
    received_at = now_ms()
    try:
        message = json.loads(line)
    except ValueError:
        sys.stderr.write("probe-python: ignored a line that is not JSON: %s\n" % line[:200])
        return
    message_id = message.get("id") if isinstance(message, dict) else None
    valid_id = isinstance(message_id, int) and not isinstance(message_id, bool)
    if not isinstance(message, dict) or message.get("type") != "invoke" or not valid_id:
        sys.stderr.write("probe-python: ignored a line that is not an invoke message: %s\n" % line[:200])
        if valid_id:
            _send(out, {"type": "result", "id": message_id, "error": 'expected {"type":"invoke","id":<int>,"request":{...}}'})
        return
    try:
        _send(out, {"type": "result", "id": message_id, "response": probe.handle(message.get("request"), received_at)})
    except ProbeRequestError as error:
        _send(out, {"type": "result", "id": message_id, "error": str(error)})
    except Exception as error:  # the instance survives anything a request can cause
        _send(out, {"type": "result", "id": message_id, "error": "probe failed: %s" % error})


def serve(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    probe = Probe()
    _send(stdout, {"type": "ready", "pid": os.getpid(), "initMs": round_ms(process_ms())})
    for line in iter(stdin.readline, ""):
        line = line.strip()
        if line:
            _answer(probe, line, stdout)
    return 0
