"""The Azure twin's Python Functions worker: loads a v2-model app's
function_app.py from AzureWebJobsScriptRoot as the Azure Functions Python worker
does (https://learn.microsoft.com/azure/azure-functions/functions-reference-python
"Folder structure", read 2026-12-06), with the twin's stand-in of `azure.functions`
(python/azure/functions), and answers over the local platform's shim protocol
(probe-runtime/contracts/local-shim.ts).

  python3 python-worker.py --index   prints {"functions": [{name, bindings}]} in the Node worker's metadata shape
  python3 python-worker.py           ready, then invocations; with _CURTAIN_TWIN_HTTP={"function","url"}
                                     (a probe instance) a request is the JSON body of an HTTP POST to that function.
"""
import importlib
import json
import os
import sys
import time

_started = time.perf_counter()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
_http = json.loads(os.environ.pop("_CURTAIN_TWIN_HTTP", "null"))
os.environ.pop("_CURTAIN_TWIN_HOSTS", None)


def _send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _load():
    root = os.environ.get("AzureWebJobsScriptRoot")
    if not root:
        raise RuntimeError("AzureWebJobsScriptRoot is not set")
    sys.path.insert(0, root)
    module = importlib.import_module("function_app")
    import azure.functions as func

    apps = [v for v in vars(module).values() if isinstance(v, func.FunctionApp)]
    functions = {f["name"]: f for app in apps for f in app.get_functions()}
    if not functions:
        raise RuntimeError("function_app.py registers no functions")
    return func, functions


def _metadata(f):
    trigger = {"type": "httpTrigger", "direction": "in", "authLevel": f["authLevel"], "route": f["route"]}
    if f["methods"]:
        trigger["methods"] = f["methods"]
    return {"name": f["name"], "bindings": {"req": trigger, "$return": {"type": "http", "direction": "out"}}}


def _answer(func, functions, request):
    if _http is None:
        raise RuntimeError("the Python worker of the twin serves HTTP triggers only")
    f = functions[_http["function"]]
    req = func.HttpRequest("POST", _http["url"], headers={"content-type": "application/json"}, body=json.dumps(request).encode("utf-8"))
    res = f["handler"](req)
    body = res.get_body().decode(res.charset or "utf-8")
    if res.status_code != 200:
        return {"error": "HTTP %d: %s" % (res.status_code, body[:500])}
    return {"response": json.loads(body) if body else None}


def main():
    try:
        func, functions = _load()
    except Exception as error:  # noqa: BLE001 - any load failure is the app's, reported in one line
        sys.stderr.write("python-worker: %s: %s\n" % (type(error).__name__, error))
        return 1
    if "--index" in sys.argv:
        _send({"functions": [_metadata(f) for f in functions.values()]})
        return 0
    _send({"type": "ready", "pid": os.getpid(), "initMs": round((time.perf_counter() - _started) * 1000, 1)})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("type") != "invoke" or not isinstance(message.get("id"), int):
            continue
        try:
            _send({"type": "result", "id": message["id"], **_answer(func, functions, message.get("request"))})
        except Exception as error:  # noqa: BLE001 - a handler error is a 500 from the function, as on Azure
            _send({"type": "result", "id": message["id"], "error": "%s: %s" % (type(error).__name__, error)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
