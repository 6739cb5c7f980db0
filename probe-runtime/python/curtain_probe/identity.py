"""Instance identity: random id and start time at init, invocation counter, /tmp marker (as identity.ts)."""
import json
import os
from typing import Dict

from .clock import now_ms, round_ms

TMP_MARKER_FILE = ".curtain-probe-instance"


def random_instance_id() -> str:
    """A random version-4 UUID (the uuid module costs more start-up than the rest of the probe)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    text = raw.hex()
    return "%s-%s-%s-%s-%s" % (text[:8], text[8:12], text[12:16], text[16:20], text[20:])


class InstanceTracker:
    def __init__(self, tmp_dir: str) -> None:
        self.id = random_instance_id()
        self.started_at = round_ms(now_ms())
        marker = os.path.join(tmp_dir, TMP_MARKER_FILE)
        self.tmp_marker_found = os.path.exists(marker)
        try:
            with open(marker, "w") as handle:
                json.dump({"id": self.id, "startedAt": self.started_at}, handle)
        except OSError:
            pass  # a read-only or missing tmp dir must not stop the probe
        self.invocation = 0

    def next(self) -> Dict[str, object]:
        self.invocation += 1
        return {
            "id": self.id,
            "startedAt": self.started_at,
            "invocation": self.invocation,
            "cold": self.invocation == 1,
            "tmpMarkerFound": self.tmp_marker_found,
        }
