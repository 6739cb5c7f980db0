"""The AWS twin's Python Lambda runtime.

Loads a function's exact code asset the way Lambda's Python runtime does
(LAMBDA_TASK_ROOT on sys.path, _HANDLER "<module>.<function>",
https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html, read 2026-12-06)
and answers invocations over the local platform's shim protocol
(probe-runtime/contracts/local-shim.ts). A handler that raises is answered with
`error` = the JSON text {errorType, errorMessage}, as Lambda reports a function
error. The function timeout arrives in _CURTAIN_TWIN_TIMEOUT_MS, removed from
the environment before the handler module is imported.
"""
import importlib
import json
import os
import sys
import time
import uuid

_started = time.perf_counter()
_timeout_ms = int(os.environ.pop("_CURTAIN_TWIN_TIMEOUT_MS", "3000"))


def _send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class _Context:
    def __init__(self, deadline):
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.time()) * 1000))


def _load():
    root = os.environ.get("LAMBDA_TASK_ROOT")
    spec = os.environ.get("_HANDLER", "")
    if not root or "." not in spec:
        raise RuntimeError("Runtime.MalformedHandlerName: LAMBDA_TASK_ROOT and _HANDLER <module>.<function> must be set")
    module_name, _, attribute = spec.rpartition(".")
    sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise RuntimeError("Runtime.ImportModuleError: Unable to import module '%s': %s" % (module_name, error)) from error
    fn = getattr(module, attribute, None)
    if not callable(fn):
        raise RuntimeError("Runtime.HandlerNotFound: Handler '%s' missing on module '%s'" % (attribute, module_name))
    return fn


def main():
    handler = _load()
    _send({"type": "ready", "pid": os.getpid(), "initMs": round((time.perf_counter() - _started) * 1000, 1)})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError:
            sys.stderr.write("lambda-runtime: ignored a line that is not JSON\n")
            continue
        if message.get("type") != "invoke" or not isinstance(message.get("id"), int):
            continue
        context = _Context(time.time() + _timeout_ms / 1000.0)
        try:
            response = handler(message.get("request"), context)
            _send({"type": "result", "id": message["id"], "response": response})
        except Exception as error:  # noqa: BLE001 - every handler error is a function error, as on Lambda
            _send({"type": "result", "id": message["id"], "error": json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)})})
    return 0


if __name__ == "__main__":
    sys.exit(main())
