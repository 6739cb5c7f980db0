"""Instance identity: random id and start time at init, invocation counter, /tmp marker (as identity.ts)."""
import json
import os
import uuid
from typing import Dict

from .clock import now_ms, round_ms

TMP_MARKER_FILE = ".curtain-probe-instance"


class InstanceTracker:
    def __init__(self, tmp_dir: str) -> None:
        self.id = str(uuid.uuid4())
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
