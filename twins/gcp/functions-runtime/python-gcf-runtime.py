"""The Google twin's Python Cloud Functions instance.

Google runs a Python function with functions-framework (Flask): it imports
`main.py` from the source directory (FUNCTION_SOURCE), calls the FUNCTION_TARGET
function with the Flask request and turns its return value into the response
(a body, or a (body, status[, headers]) tuple). That framework is a PyPI
package, not installable on this machine, so this runtime EMULATES that HTTP
contract for the request features Curtain's probe uses (method, headers,
get_data) and answers the local platform's shim protocol
(probe-runtime/contracts/local-shim.ts): a 200 answer is the result's
`response`, any other status the result's `error` as the JSON text {status, body};
an exception is a 500, as the framework answers one. docs/twins.md says so.
"""
import importlib
import json
import os
import sys
import time

_started = time.perf_counter()
_protocol = sys.stdout
sys.stdout = sys.stderr


def _send(message):
    _protocol.write(json.dumps(message) + "\n")
    _protocol.flush()


class _Request:
    """The parts of flask.Request a function reads: method, headers, get_data."""

    def __init__(self, body):
        self.method = "POST"
        self.headers = {"Content-Type": "application/json"}
        self._data = json.dumps(body).encode("utf-8")
        self.path = "/"

    def get_data(self, as_text=False, **_):
        return self._data.decode("utf-8") if as_text else self._data

    def get_json(self, silent=False, **_):
        return json.loads(self._data)


def _load():
    source = os.environ.get("FUNCTION_SOURCE") or os.getcwd()
    target = os.environ.get("FUNCTION_TARGET", "")
    if not target:
        raise RuntimeError("FUNCTION_TARGET is not set")
    sys.path.insert(0, source)
    module = importlib.import_module("main")
    function = getattr(module, target, None)
    if not callable(function):
        raise RuntimeError("File %s/main.py is expected to contain a function named %s" % (source, target))
    return function


def _answer(function, message):
    try:
        result = function(_Request(message.get("request")))
        status, body = 200, result
        if isinstance(result, tuple):
            body = result[0]
            status = int(result[1]) if len(result) > 1 else 200
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        try:
            parsed = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            parsed = text
    except Exception as error:  # the framework answers an exception with 500
        status, parsed = 500, {"error": "%s: %s" % (type(error).__name__, error)}
    if status == 200:
        return {"type": "result", "id": message["id"], "response": parsed}
    return {"type": "result", "id": message["id"], "error": json.dumps({"status": status, "body": parsed})}


def main():
    function = _load()
    _send({"type": "ready", "pid": os.getpid(), "initMs": round((time.perf_counter() - _started) * 1000, 1)})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except ValueError:
            sys.stderr.write("gcf-runtime: ignored a line that is not JSON\n")
            continue
        if message.get("type") != "invoke" or not isinstance(message.get("id"), int):
            continue
        _send(_answer(function, message))


if __name__ == "__main__":
    main()
