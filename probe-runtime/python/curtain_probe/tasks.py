"""The probe's tasks (contracts/task.ts), with the same `values` keys as the Node probe (docs/probe.md).

Each task respects its duration bound; a failure is a result with ok=False, never an exception.
"""
import os
import time
from typing import Any, Dict, Optional

from .clock import now_ms, round_ms

MIB = 1024 * 1024
UNIT_ROUNDS = 100_000
BARRIER_SPIN_MS = 20
MAX_BARRIER_WAIT_MS = 120_000
_MASK = 0xFFFFFFFF


def result(name: str, values: Optional[Dict[str, Any]] = None, error: Optional[str] = None) -> Dict[str, Any]:
    tidy = {k: round_ms(v) if isinstance(v, float) and not v.is_integer() else v for k, v in (values or {}).items()}
    return {"name": name, "ok": error is None, "error": error, "values": tidy}


def per_second(amount: float, ms: float) -> float:
    return amount * 1000 / ms if ms > 0 else 0


def work_unit(seed: int) -> int:
    """One unit of CPU work: 100,000 rounds of 32-bit xorshift, identical to the Node kernel."""
    x = (seed & _MASK) or 1
    for _ in range(UNIT_ROUNDS):
        x ^= (x << 13) & _MASK
        x ^= x >> 17
        x ^= (x << 5) & _MASK
    return x


def wait_for_barrier(barrier_at: Optional[float], max_wait_ms: float = MAX_BARRIER_WAIT_MS) -> Optional[float]:
    """Sleep until shortly before the barrier, busy-wait the rest; None without a barrier."""
    if barrier_at is None:
        return None
    deadline = min(barrier_at, now_ms() + max_wait_ms)
    sleep_ms = deadline - now_ms() - BARRIER_SPIN_MS
    if sleep_ms > 0:
        time.sleep(sleep_ms / 1000)
    while now_ms() < deadline:
        pass
    return now_ms()


def run_sleep(task: Dict[str, Any]) -> Dict[str, Any]:
    start = now_ms()
    time.sleep(task["ms"] / 1000)
    slept = now_ms() - start
    return result(task["name"], {"requestedMs": task["ms"], "sleptMs": slept, "oversleepMs": slept - task["ms"]})


def run_cpu_share(task: Dict[str, Any]) -> Dict[str, Any]:
    threshold_ns = task["gapThresholdUs"] * 1000
    clock = time.perf_counter_ns
    start = clock()
    end = start + task["durationMs"] * 1_000_000
    previous = start
    gaps = 0
    descheduled_ns = 0
    longest_ns = 0
    iterations = 0
    while True:
        now = clock()
        gap = now - previous
        if gap > threshold_ns:
            gaps += 1
            descheduled_ns += gap
            if gap > longest_ns:
                longest_ns = gap
        previous = now
        iterations += 1
        if now >= end:
            break
    wall_ns = previous - start
    return result(
        task["name"],
        {
            "share": (wall_ns - descheduled_ns) / wall_ns if wall_ns > 0 else 1,
            "wallMs": wall_ns / 1e6,
            "descheduledMs": descheduled_ns / 1e6,
            "gaps": gaps,
            "longestGapMs": longest_ns / 1e6,
            "iterations": iterations,
            "gapThresholdUs": task["gapThresholdUs"],
        },
    )


def run_cpu_work(task: Dict[str, Any]) -> Dict[str, Any]:
    start = now_ms()
    now = start
    checksum = 1
    done = 0
    while done < task["units"] and now - start < task["maxMs"]:
        checksum = work_unit(checksum)
        done += 1
        now = now_ms()
    work_ms = now - start
    return result(
        task["name"],
        {
            "units": task["units"],
            "unitsDone": done,
            "workMs": work_ms,
            "msPerUnit": work_ms / done if done else None,
            "completed": done == task["units"],
            "checksum": checksum,
        },
    )


def run_io(task: Dict[str, Any], tmp_dir: str) -> Dict[str, Any]:
    path = os.path.join(tmp_dir, "curtain-io-%d-%d.tmp" % (os.getpid(), time.time_ns()))
    total = task["megabytes"] * MIB
    block = os.urandom(min(task["blockKb"] * 1024, total))
    start = now_ms()
    written = 0
    fd = None
    try:
        # Synchronous writes as the paper's dd (oflag=dsync conv=fdatasync); see tasks/io.ts.
        dsync = getattr(os, "O_DSYNC", None)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (dsync or 0), 0o600)
        while written < total and now_ms() - start < task["maxMs"]:
            size = min(len(block), total - written)
            written += os.write(fd, block if size == len(block) else block[:size])
            if dsync is None:
                os.fsync(fd)
        wrote_at = now_ms()
        getattr(os, "fdatasync", os.fsync)(fd)
        end = now_ms()
        return result(
            task["name"],
            {
                "megabytes": task["megabytes"],
                "blockKb": task["blockKb"],
                "bytesWritten": written,
                "writeMs": wrote_at - start,
                "fsyncMs": end - wrote_at,
                "totalMs": end - start,
                "mbPerSec": per_second(written / MIB, end - start),
                "completed": written == total,
            },
        )
    except OSError as error:
        return result(task["name"], {"bytesWritten": written}, "io: " + str(error))
    finally:
        if fd is not None:
            os.close(fd)
        try:
            os.remove(path)
        except OSError:
            pass


def run_memory(task: Dict[str, Any]) -> Dict[str, Any]:
    bound_ms = max(100, task["megabytes"])
    start = now_ms()
    chunks = []
    touched = 0
    try:
        while touched < task["megabytes"] and now_ms() - start < bound_ms:
            mb = min(64, task["megabytes"] - touched)
            chunk = bytearray(mb * MIB)
            chunks.append(chunk)
            for offset in range(0, len(chunk), 4096):
                chunk[offset] = 1
            touched += mb
    except MemoryError:
        return result(task["name"], {"megabytes": task["megabytes"], "touchedMb": touched}, "memory: out of memory")
    total_ms = now_ms() - start
    chunks.clear()
    return result(
        task["name"],
        {
            "megabytes": task["megabytes"],
            "touchedMb": touched,
            "totalMs": total_ms,
            "mbPerSec": per_second(touched, total_ms),
            "completed": touched == task["megabytes"],
        },
    )


def _transfer(task: Dict[str, Any], start: float, progress: Dict[str, Any]) -> Optional[str]:
    """One request on a fresh connection; a watchdog shuts the socket at maxMs. Returns an error or None."""
    # Imported here: http.client costs tens of ms, and the shim's start-up is a measured cold start.
    import http.client
    import socket
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(task["url"])
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    deadline = start + task["maxMs"]
    connection = connection_class(parts.hostname, parts.port, timeout=task["maxMs"] / 1000)
    limit = task["megabytes"] * MIB
    upload = task["direction"] == "upload"

    def cut() -> None:
        progress["timedOut"] = True
        if connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(task["maxMs"] / 1000, cut)
    watchdog.start()
    try:
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        if upload:
            connection.putrequest("PUT", target)
            connection.putheader("Content-Type", "application/octet-stream")
            connection.putheader("Content-Length", str(limit))
            connection.endheaders()
            chunk = os.urandom(64 * 1024)
            while progress["bytes"] < limit and now_ms() < deadline:
                size = min(len(chunk), limit - progress["bytes"])
                connection.send(chunk if size == len(chunk) else chunk[:size])
                progress["bytes"] += size
        else:
            connection.request("GET", target)
        response = connection.getresponse()
        progress["status"] = response.status
        if response.status >= 400:
            return "HTTP %d" % response.status
        while not progress["timedOut"]:
            data = response.read1(64 * 1024)
            if not data:
                break
            if progress["firstByteMs"] is None:
                progress["firstByteMs"] = now_ms() - start
            if not upload:
                progress["bytes"] += len(data)
                if progress["bytes"] >= limit:
                    break
        return None
    except (OSError, http.client.HTTPException) as failure:
        if progress["timedOut"] or isinstance(failure, TimeoutError) or now_ms() >= deadline:
            progress["timedOut"] = True  # cut by the watchdog or the socket timeout: the bound, not an error
            return None
        return str(failure) or type(failure).__name__
    finally:
        watchdog.cancel()
        connection.close()


def run_net(task: Dict[str, Any]) -> Dict[str, Any]:
    values: Dict[str, Any] = {"direction": task["direction"], "megabytes": task["megabytes"]}
    if not task.get("url"):
        return result(task["name"], values, "net: the task has no url (the provider target fills it in)")
    scheme = task["url"].split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        return result(task["name"], values, "net: unsupported protocol %s:" % scheme)
    start = now_ms()
    progress: Dict[str, Any] = {"bytes": 0, "timedOut": False, "status": None, "firstByteMs": None}
    error = _transfer(task, start, progress)
    ms = now_ms() - start
    values.update(
        {
            "bytes": progress["bytes"],
            "ms": ms,
            "mbitPerSec": per_second(progress["bytes"] * 8 / 1e6, ms),
            "status": progress["status"],
            "firstByteMs": progress["firstByteMs"],
            "completed": not progress["timedOut"] and error is None and progress["bytes"] >= task["megabytes"] * MIB,
        }
    )
    if error is not None:
        return result(task["name"], values, "net: " + error)
    if progress["timedOut"] and progress["bytes"] == 0:
        return result(task["name"], values, "net: nothing transferred within %d ms" % task["maxMs"])
    return result(task["name"], values)
