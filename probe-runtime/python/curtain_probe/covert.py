"""The covert-channel task: the same protocol, values and pattern as the Node probe.

See probe-runtime/probe/tasks/covert-channel.ts for why it is a disk channel of 4 KB direct
writes, and probe-runtime/contracts/covert-pattern.ts for the pattern (a test checks that both
probes draw identical patterns). Python can ask for an aligned buffer (mmap is page-aligned), so
no alignment search is needed here.
"""
import errno
import mmap
import os
import time
from typing import Any, Dict, List, Optional, Tuple

from .clock import now_ms
from .tasks import result

_MASK = 0xFFFFFFFF
BLOCK_BYTES = 4096
SEND_REGION_BYTES = 8 * 1024 * 1024
SEND_DUTY = 0.35
PROBE_INTERVAL_MS = 40
MAX_TASK_MS = 120_000


def _imul(a: int, b: int) -> int:
    return ((a & _MASK) * (b & _MASK)) & _MASK


def covert_pattern(seed: int, frame: int, bits: int) -> List[int]:
    """Balanced bits of a frame: a shuffle driven by a 32-bit xorshift (contracts/covert-pattern.ts)."""
    pattern = [1 if i < bits // 2 else 0 for i in range(bits)]
    x = (_imul(seed ^ 0x5BD1E995, 0x9E3779B1) ^ _imul(frame + 1, 0x85EBCA6B)) & _MASK or 1
    for i in range(bits - 1, 0, -1):
        x ^= (x << 13) & _MASK
        x ^= x >> 17
        x ^= (x << 5) & _MASK
        j = x % (i + 1)
        pattern[i], pattern[j] = pattern[j], pattern[i]
    return pattern


def _open(path: str) -> Tuple[int, str]:
    base = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    direct = getattr(os, "O_DIRECT", None)
    if direct is not None:
        try:
            return os.open(path, base | direct, 0o600), "direct"
        except OSError as error:
            if error.errno != errno.EINVAL:
                raise
    dsync = getattr(os, "O_DSYNC", None)
    return os.open(path, base | (dsync or 0), 0o600), "fsync" if dsync is None else "dsync"


def _until(at: float) -> None:
    wait = at - now_ms()
    if wait > 0:
        time.sleep(wait / 1000)


def _rank_decode(held_up: List[float]) -> List[int]:
    order = sorted(range(len(held_up)), key=lambda i: (-held_up[i], i))
    bits = [0] * len(held_up)
    for i in order[: len(held_up) // 2]:
        bits[i] = 1
    return bits


def _median(values: List[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def run_covert_channel(task: Dict[str, Any], tmp_dir: str, barrier_at: Optional[float], request: int) -> Dict[str, Any]:
    name = task["name"]
    if barrier_at is None:
        return result(name, {}, "covert-channel: needs a barrier, which aligns the frames of every instance")
    bits, bit_ms, seed = task["bits"], task["bitMs"], task["seed"]

    def slot_start(frame: int, bit: int) -> float:
        return barrier_at + (frame * bits + bit) * bit_ms

    frames_run = min(task["frames"], MAX_TASK_MS // (bits * bit_ms))
    own = request if request < frames_run else None
    path = os.path.join(tmp_dir, "curtain-covert-%d-%d.tmp" % (os.getpid(), time.time_ns()))
    block = mmap.mmap(-1, BLOCK_BYTES)
    block.write(os.urandom(BLOCK_BYTES))
    decoded: List[str] = []
    held_up_text: List[str] = []
    latencies: List[float] = []
    sent = 0
    fd = None
    try:
        fd, mode = _open(path)

        def write(position: int) -> None:
            os.pwrite(fd, block, position)
            if mode == "fsync":
                os.fsync(fd)

        for frame in range(frames_run):
            if slot_start(frame + 1, 0) <= now_ms() or frame == own:
                if frame == own:
                    pattern = covert_pattern(seed, frame, bits)
                    for bit in range(bits):
                        _until(slot_start(frame, bit))
                        stop_at = slot_start(frame, bit) + bit_ms * SEND_DUTY
                        while pattern[bit] == 1 and now_ms() < stop_at:
                            write(sent % SEND_REGION_BYTES)
                            sent += BLOCK_BYTES
                decoded.append("-" * bits)
                held_up_text.append("")
                continue
            held_up = [0.0] * bits
            frame_end = slot_start(frame + 1, 0)
            _until(slot_start(frame, 0))
            t = now_ms()
            while t < frame_end - 1:
                write(0)
                done = now_ms()
                latencies.append(done - t)
                bit = max(0, int((t - slot_start(frame, 0)) // bit_ms))
                while bit < bits:
                    overlap = min(done, slot_start(frame, bit + 1)) - max(t, slot_start(frame, bit))
                    if overlap <= 0:
                        break
                    held_up[bit] += overlap / bit_ms
                    bit += 1
                _until(min(t + PROBE_INTERVAL_MS, frame_end))
                t = now_ms()
            decoded.append("".join(str(b) for b in _rank_decode(held_up)))
            held_up_text.append(",".join(str(int(min(1.0, h) * 100 + 0.5)) for h in held_up))
        return result(
            name,
            {
                "frames": task["frames"],
                "framesRun": frames_run,
                "bits": bits,
                "bitMs": bit_ms,
                "seed": seed,
                "ownFrame": own,
                "decoded": ".".join(decoded),
                "heldUp": ".".join(held_up_text),
                "mode": mode,
                "sentBytes": sent,
                "probes": len(latencies),
                "medianProbeMs": _median(latencies) if latencies else None,
            },
        )
    except OSError as error:
        return result(name, {"sentBytes": sent}, "covert-channel: " + str(error))
    finally:
        if fd is not None:
            os.close(fd)
        block.close()
        try:
            os.remove(path)
        except OSError:
            pass
