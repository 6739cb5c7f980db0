"""The probe core (as the Node probe.ts): instance state and the handling of one request.

Order: receive, validate, read <proc>/stat and the host fingerprint, barrier, task, read <proc>/stat
again, respond. The fingerprint is taken before the barrier so it never delays the task start.
"""
import os
import sys
from typing import Any, Dict, Mapping, Optional

from .background import BackgroundWorker
from .clock import now_ms, round_ms
from .config import resolve_config
from .covert import run_covert_channel
from .environment import collect_generation, collect_memory_mb, collect_provider_ids
from .host import collect_host, diff_cpu_times, parse_cpu_times
from .identity import InstanceTracker
from .readers import read_text
from .request import InvalidInput, check_probe_request
from . import tasks

PROBE_NAME = "python@1"


class ProbeRequestError(Exception):
    """An invalid ProbeRequest; `path` names the offending field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__("invalid probe request: " + (path + ": " if path else "") + problem)
        self.path = path
        self.problem = problem


class Probe:
    def __init__(
        self,
        proc_root: Optional[str] = None,
        sys_root: Optional[str] = None,
        tmp_dir: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
    ) -> None:
        self.config = resolve_config(proc_root, sys_root, tmp_dir, env)
        self.identity = InstanceTracker(self.config.tmp_dir)
        self.background = BackgroundWorker()
        self._stat_path = os.path.join(self.config.proc_root, "stat")

    @property
    def instance_id(self) -> str:
        return self.identity.id

    def run_task(self, task: Dict[str, Any], invocation: int, barrier_at: Optional[float] = None, request: int = 0) -> Dict[str, Any]:
        name = task["name"]
        try:
            if name == "noop":
                return tasks.result(name)
            if name == "sleep":
                return tasks.run_sleep(task)
            if name == "cpu-share":
                return tasks.run_cpu_share(task)
            if name == "cpu-work":
                return tasks.run_cpu_work(task)
            if name == "io":
                return tasks.run_io(task, self.config.tmp_dir)
            if name == "net":
                return tasks.run_net(task)
            if name == "memory":
                return tasks.run_memory(task)
            if name == "covert-channel":
                return run_covert_channel(task, self.config.tmp_dir, barrier_at, request)
            return self.background.start(task, invocation)
        except Exception as error:  # a failing task is a result, never a crash
            return tasks.result(name, {}, "%s: %s" % (name, error))

    def handle(
        self,
        raw: Any,
        received_at: Optional[float] = None,
        provider_ids: Optional[Mapping[str, str]] = None,
    ) -> Dict[str, Any]:
        """Answer one request; raises ProbeRequestError for an invalid one (never for a failing task)."""
        received_at = now_ms() if received_at is None else received_at
        instance = self.identity.next()
        background_work = self.background.report()
        try:
            request = check_probe_request(raw)
        except InvalidInput as error:
            raise ProbeRequestError(error.path, error.problem) from None

        fingerprint_start = now_ms()
        stat_before = read_text(self._stat_path)
        host = collect_host(self.config, stat_before)
        ids = collect_provider_ids(self.config.env)
        ids.update(provider_ids or {})
        fingerprint_ms = now_ms() - fingerprint_start

        barrier_start = now_ms()
        released = tasks.wait_for_barrier(request["barrierAt"])
        task_started = now_ms()
        task = self.run_task(request["task"], instance["invocation"], request["barrierAt"], request["request"])
        task_ended = now_ms()

        cpu_delta = diff_cpu_times(parse_cpu_times(stat_before), parse_cpu_times(read_text(self._stat_path)))
        barrier_ms = 0 if released is None else released - barrier_start
        responded = now_ms()
        response = {
            "v": 1,
            "probe": PROBE_NAME,
            "runtime": "python",
            "runtimeVersion": "%d.%d.%d" % sys.version_info[:3],
            "instance": instance,
            "host": host,
            "cpuDelta": cpu_delta,
            "providerIds": ids,
            "generation": collect_generation(self.config.env),
            "memoryMb": collect_memory_mb(self.config.env),
            "timing": {
                "receivedAt": round_ms(received_at),
                "barrierStartedAt": None if released is None else round_ms(barrier_start),
                "barrierReleasedAt": None if released is None else round_ms(released),
                "taskStartedAt": round_ms(task_started),
                "taskEndedAt": round_ms(task_ended),
                "respondedAt": round_ms(responded),
            },
            "overheadMs": {
                "fingerprint": round_ms(fingerprint_ms),
                "total": round_ms(responded - received_at - barrier_ms - (task_ended - task_started)),
            },
            "task": task,
            "backgroundWork": background_work,
        }
        # Padding of the requested size (payload-size studies); ASCII, so characters are bytes.
        if request.get("responseBytes"):
            response["payload"] = "x" * request["responseBytes"]
        return response

    def stop(self) -> None:
        self.background.stop()
