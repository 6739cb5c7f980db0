"""Where the probe reads its host fingerprint and writes scratch files (see the Node probe-config.ts).

The local platform points each instance at its emulated host: CURTAIN_PROC_ROOT, CURTAIN_SYS_ROOT and
CURTAIN_TMP_DIR; on the clouds the defaults are /proc, /sys and the OS temp dir.
"""
import os
from typing import Mapping, NamedTuple, Optional


class ProbeConfig(NamedTuple):
    proc_root: str
    sys_root: str
    tmp_dir: str
    env: Mapping[str, str]
    # Only the machine's own /proc allows falling back to OS calls (hostname, interfaces).
    real_proc: bool


def _os_tmp_dir(env: Mapping[str, str]) -> str:
    # As Node's os.tmpdir() on Linux; tempfile.gettempdir() would cost the shim's start-up more.
    return env.get("TMPDIR") or env.get("TMP") or env.get("TEMP") or "/tmp"


def resolve_config(
    proc_root: Optional[str] = None,
    sys_root: Optional[str] = None,
    tmp_dir: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
) -> ProbeConfig:
    env = os.environ if env is None else env
    proc = os.path.abspath(proc_root or env.get("CURTAIN_PROC_ROOT") or "/proc")
    return ProbeConfig(
        proc_root=proc,
        sys_root=os.path.abspath(sys_root or env.get("CURTAIN_SYS_ROOT") or "/sys"),
        tmp_dir=os.path.abspath(tmp_dir or env.get("CURTAIN_TMP_DIR") or _os_tmp_dir(os.environ)),
        env=env,
        real_proc=proc == "/proc",
    )
