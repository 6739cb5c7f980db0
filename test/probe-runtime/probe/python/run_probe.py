"""Runs the Python probe for the jest tests (test/probe-runtime/probe/python.test.ts).

    python3 run_probe.py <command>   reads a JSON argument object on stdin, prints one JSON answer.

Commands:
  fingerprints       {trees: [dir...]}                   host fingerprint and cpu times per tree
  validate-requests  {cases: [input...]}                 the Python validator's verdict per input
  handle             {options, requests, pauseMs}        responses of one Probe instance (errors inline)
  lambda             {env, events}                       probe.handler with a Lambda-like context
  google             {env, calls: [{method, body}]}      main.probe with a Flask-like request
  schema             {schema, documents}                 the subset validator's errors per document
  tasks              {tmpDir, tasks}                     task results (no request validation)
  cpu-share          {durationMs, gapThresholdUs}        the task's values and the CPU time the process got meanwhile
  covert-patterns    {cases: [[seed, frame, bits]...]}   the covert channel's bit pattern per case
"""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "../../../.."))
sys.path.insert(0, os.path.join(REPO, "probe-runtime/python"))
sys.path.insert(0, HERE)

from curtain_probe import host as host_module, tasks  # noqa: E402
from curtain_probe.config import resolve_config  # noqa: E402
from curtain_probe.covert import covert_pattern  # noqa: E402
from curtain_probe.core import Probe, ProbeRequestError  # noqa: E402
from curtain_probe.readers import read_text  # noqa: E402
from curtain_probe.request import InvalidInput, check_probe_request  # noqa: E402
from jsonschema_subset import Validator  # noqa: E402


def fingerprints(args):
    out = {}
    for tree in args["trees"]:
        config = resolve_config(os.path.join(tree, "proc"), os.path.join(tree, "sys"), None, {})
        out[os.path.basename(tree)] = {
            "host": host_module.collect_host(config),
            "cpuTimes": host_module.parse_cpu_times(read_text(os.path.join(config.proc_root, "stat"))),
        }
    return out


def validate_requests(args):
    out = []
    for case in args["cases"]:
        try:
            out.append({"ok": True, "value": check_probe_request(case)})
        except InvalidInput as error:
            out.append({"ok": False, "path": error.path, "message": error.problem})
    return out


def handle(args):
    probe = Probe(env=args.get("env", {}), **args.get("options", {}))
    out = []
    for request in args["requests"]:
        try:
            out.append({"response": probe.handle(request)})
        except ProbeRequestError as error:
            out.append({"error": str(error)})
        time.sleep(args.get("pauseMs", 0) / 1000)
    probe.stop()
    return out


class LambdaContext:
    def __init__(self, request_id):
        self.aws_request_id = request_id


def lambda_(args):
    os.environ.update(args["env"])
    import probe as entry

    out = []
    for index, event in enumerate(args["events"]):
        try:
            out.append({"response": entry.handler(event, LambdaContext("req-%d" % index))})
        except ProbeRequestError as error:
            out.append({"error": str(error), "type": type(error).__name__})
    return out


class FlaskLikeRequest:
    """The part of flask.Request the Google entry uses (Flask is not installed here)."""

    def __init__(self, method, body, headers):
        self.method = method
        self._body = body
        self.headers = headers

    def get_data(self, as_text=False):
        return self._body if as_text else self._body.encode()


def google(args):
    os.environ.update(args["env"])
    import main as entry

    out = []
    for call in args["calls"]:
        body, status, headers = entry.probe(FlaskLikeRequest(call["method"], call["body"], call.get("headers", {})))
        out.append({"status": status, "headers": headers, "body": json.loads(body)})
    return out


def schema(args):
    with open(args["schema"]) as handle:
        validator = Validator(json.load(handle))
    return [validator.errors(document) for document in args["documents"]]


def run_tasks(args):
    probe = Probe(tmp_dir=args["tmpDir"], env={})
    return [probe.run_task(task, 1) for task in args["tasks"]]


def cpu_share(args):
    cpu_before = time.process_time()
    outcome = tasks.run_cpu_share({"name": "cpu-share", **args})
    return {"values": outcome["values"], "cpuMs": (time.process_time() - cpu_before) * 1000}


def covert_patterns(args):
    return [covert_pattern(seed, frame, bits) for seed, frame, bits in args["cases"]]


COMMANDS = {
    "covert-patterns": covert_patterns,
    "cpu-share": cpu_share,
    "fingerprints": fingerprints,
    "validate-requests": validate_requests,
    "handle": handle,
    "lambda": lambda_,
    "google": google,
    "schema": schema,
    "tasks": run_tasks,
}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](json.load(sys.stdin)), allow_nan=False))
