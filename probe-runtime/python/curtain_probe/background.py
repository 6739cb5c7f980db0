"""Background work (task `background`, paper E10): a daemon thread doing work units after the handler returned.

The next invocation reports a snapshot (ProbeResponse.backgroundWork) taken when its request arrived.
The thread works in chunks of about CHUNK_MS; the GIL lets the main thread serve requests meanwhile.
workMs is the thread's CPU time (time.thread_time), so time the instance spends frozen by the platform
or waiting for the GIL is not counted as work (a wall-clock sum would report a whole freeze as work).
"""
from typing import Any, Dict, Optional

from .clock import now_ms, round_ms
from .tasks import result, work_unit

CHUNK_MS = 5
# A gap between two work units at least this long (longer than a CFS throttling period) is a pause:
# a freeze or a long descheduling, recorded as the latest pause, as the Node probe does.
PAUSE_MS = 100


class BackgroundWorker:
    def __init__(self) -> None:
        self._run: Optional[Dict[str, Any]] = None

    def start(self, task: Dict[str, Any], invocation: int) -> Dict[str, Any]:
        started_at = now_ms()
        run = {
            "startedInvocation": invocation,
            "startedAt": started_at,
            "durationMs": task["durationMs"],
            "unitsDone": 0,
            "workMs": 0.0,
            "lastProgressAt": None,
            "running": True,
            "lastPause": None,
        }
        self._run = run
        import threading  # loaded by the first background task, not at start-up

        threading.Thread(target=self._work, args=(run,), daemon=True, name="curtain-background").start()
        return result(task["name"], {"durationMs": task["durationMs"], "chunkMs": CHUNK_MS, "startedAt": started_at})

    def _work(self, run: Dict[str, Any]) -> None:
        import time

        checksum = 1
        deadline = run["startedAt"] + run["durationMs"]
        while self._run is run and run["running"]:
            chunk_start = now = now_ms()
            cpu_start = time.thread_time()
            last = run["lastProgressAt"]
            if last is not None and chunk_start - last >= PAUSE_MS:
                run["lastPause"] = {"at": last, "resumedAt": chunk_start, "workMsBefore": run["workMs"]}
            while now - chunk_start < CHUNK_MS and now < deadline:
                checksum = work_unit(checksum)
                run["unitsDone"] += 1
                before = now
                run["lastProgressAt"] = now = now_ms()
                if now - before >= PAUSE_MS:
                    done = run["workMs"] + (time.thread_time() - cpu_start) * 1000.0
                    run["lastPause"] = {"at": before, "resumedAt": now, "workMsBefore": done}
            run["workMs"] += (time.thread_time() - cpu_start) * 1000.0
            if now >= deadline:
                run["running"] = False

    def report(self) -> Optional[Dict[str, Any]]:
        run = self._run
        if run is None:
            return None
        return {
            "startedInvocation": run["startedInvocation"],
            "startedAt": round_ms(run["startedAt"]),
            "durationMs": run["durationMs"],
            "unitsDone": run["unitsDone"],
            "workMs": round_ms(run["workMs"]),
            "lastProgressAt": None if run["lastProgressAt"] is None else round_ms(run["lastProgressAt"]),
            "running": run["running"],
            "lastPause": _rounded_pause(run["lastPause"]),
        }

    def stop(self) -> None:
        if self._run is not None:
            self._run["running"] = False


def _rounded_pause(pause: Optional[Dict[str, float]]) -> Optional[Dict[str, float]]:
    if pause is None:
        return None
    return {"at": round_ms(pause["at"]), "resumedAt": round_ms(pause["resumedAt"]), "workMsBefore": round_ms(pause["workMsBefore"])}
