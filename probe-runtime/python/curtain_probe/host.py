"""The host fingerprint (contract 3, HostFingerprint), read through the configured proc and sys roots.

Same rules as the Node collectors (probe-runtime/probe/collectors/*.ts); the tests hold both to the
same expectations on every fixture tree.
"""
import os
import re
from typing import Dict, List, Optional

from .config import ProbeConfig
from .readers import clean_field, read_text, trim_ascii

CPU_TIME_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")

_BTIME = re.compile(r"^btime[ \t]+([0-9]{1,15})[ \t]*$", re.M)
_CPU_LINE = re.compile(r"^cpu[ \t]+([^\n]*)$", re.M)
_MEMTOTAL = re.compile(r"^MemTotal:[ \t]*([0-9]{1,15})[ \t]*kB[ \t]*$", re.M)
_CGROUP_LINE = re.compile("^[0-9]+:[^:]*:[^\x00-\x1f\x7f\ufffd]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^0[xX][0-9a-fA-F]{1,4}$")
_IPV4 = re.compile(r"^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$")
_FIB_LEAF = re.compile(r"^[ \t|]*\|--[ \t]+(\S+)[ \t]*$", re.ASCII)
_FIB_LOCAL = re.compile(r"^[ \t|]*/32[ \t]+host[ \t]+LOCAL[ \t]*$")
_FIB_NODE = re.compile(r"^[ \t|]*\+--")
_FIB_TABLE = re.compile(r"^\S", re.ASCII)
_BLANKS = re.compile(r"[ \t]+")
_COUNTER = re.compile(r"[0-9]{1,15}")
_REVISION = re.compile(r"[0-9]{1,4}")
_PROCESSOR = re.compile(r"[0-9]+")

# arm64 MIDR decoding: the same tables as the Node probe's cpuinfo.ts.
IMPLEMENTERS = {
    "0x41": "ARM",
    "0x42": "Broadcom",
    "0x43": "Cavium",
    "0x46": "Fujitsu",
    "0x48": "HiSilicon",
    "0x4e": "NVIDIA",
    "0x51": "Qualcomm",
    "0x61": "Apple",
    "0xc0": "Ampere",
}
PARTS = {
    "0x41:0xd03": "Cortex-A53",
    "0x41:0xd07": "Cortex-A57",
    "0x41:0xd08": "Cortex-A72",
    "0x41:0xd0b": "Cortex-A76",
    "0x41:0xd0c": "Neoverse-N1",
    "0x41:0xd40": "Neoverse-V1",
    "0x41:0xd49": "Neoverse-N2",
    "0x41:0xd4f": "Neoverse-V2",
    "0x41:0xd84": "Neoverse-V3",
    "0x41:0xd8e": "Neoverse-N3",
    "0xc0:0xac3": "Ampere-1",
    "0xc0:0xac4": "Ampere-1a",
}


def parse_boot_time(stat: Optional[str]) -> Optional[int]:
    match = _BTIME.search(stat) if stat else None
    if not match:
        return None
    value = int(match.group(1))
    return value if value > 0 else None


def parse_cpu_times(stat: Optional[str]) -> Optional[Dict[str, int]]:
    """The first eight counters of the aggregate cpu line (clock ticks); None without steal."""
    match = _CPU_LINE.search(stat) if stat else None
    if not match:
        return None
    columns = _BLANKS.split(match.group(1).strip(" \t"))
    if len(columns) < len(CPU_TIME_FIELDS):
        return None
    times = {}
    for field, column in zip(CPU_TIME_FIELDS, columns):
        if not _COUNTER.fullmatch(column):
            return None
        times[field] = int(column)
    return times


def diff_cpu_times(before: Optional[Dict[str, int]], after: Optional[Dict[str, int]]) -> Optional[Dict[str, int]]:
    if before is None or after is None:
        return None
    return {field: after[field] - before[field] for field in CPU_TIME_FIELDS}


def _blocks(text: str) -> List[Dict[str, str]]:
    blocks: List[Dict[str, str]] = []
    current: Dict[str, str] = {}
    for line in text.split("\n"):
        colon = line.find(":")
        if trim_ascii(line) == "":
            if current:
                blocks.append(current)
            current = {}
        elif colon > 0:
            key = trim_ascii(line[:colon])
            current.setdefault(key, trim_ascii(line[colon + 1 :]))
    if current:
        blocks.append(current)
    return blocks


def _hex_code(value: Optional[str]) -> Optional[str]:
    return "0x" + value[2:].lower() if value and _HEX.fullmatch(value) else None


def _arm_model(block: Dict[str, str]) -> Optional[str]:
    implementer = _hex_code(block.get("CPU implementer"))
    part = _hex_code(block.get("CPU part"))
    if not implementer or not part:
        return None
    vendor = IMPLEMENTERS.get(implementer)
    core = PARTS.get(implementer + ":" + part)
    if vendor and core:
        name = vendor + " " + core
    else:
        name = (vendor or "implementer " + implementer) + " part " + part
    variant = _hex_code(block.get("CPU variant"))
    revision = block.get("CPU revision")
    if variant and revision and _REVISION.fullmatch(revision):
        name += " r%dp%d" % (int(variant, 16), int(revision))
    return name


def parse_cpuinfo(text: Optional[str]) -> Dict[str, object]:
    """x86 `model name`; arm64 from implementer/part; board `Model` then `Hardware`; count of processors."""
    if text is None:
        return {"model": None, "count": None}
    blocks = _blocks(text)
    count = sum(1 for block in blocks if _PROCESSOR.fullmatch(block.get("processor", "")))

    def first(key: str) -> Optional[str]:
        block = next((b for b in blocks if key in b), None)
        return clean_field(block[key]) if block else None

    model = first("model name")
    if model is None:
        arm = next((b for b in blocks if "CPU implementer" in b), None)
        model = clean_field(_arm_model(arm)) if arm else None
    if model is None:
        model = first("Model")
    if model is None:
        model = first("Hardware")
    return {"model": model, "count": count if count > 0 else None}


def parse_mem_total_kb(meminfo: Optional[str]) -> Optional[int]:
    match = _MEMTOTAL.search(meminfo) if meminfo else None
    return int(match.group(1)) if match else None


def parse_cgroup(text: Optional[str]) -> Optional[List[str]]:
    if text is None:
        return None
    lines = [line for line in text.split("\n") if line != ""]
    if not lines or not all(_CGROUP_LINE.fullmatch(line) for line in lines):
        return None
    return lines


def parse_uuid(text: Optional[str]) -> Optional[str]:
    value = clean_field(text)
    return value if value is not None and _UUID.fullmatch(value) else None


def _valid_ipv4(address: str) -> bool:
    match = _IPV4.fullmatch(address)
    return bool(match) and all(int(octet) <= 255 for octet in match.groups())


def parse_fib_trie_local_addresses(text: Optional[str]) -> List[str]:
    """The `/32 host LOCAL` leaves of a fib_trie, in order, without duplicates."""
    if text is None:
        return []
    found: List[str] = []
    leaf: Optional[str] = None
    for line in text.split("\n"):
        leaf_match = _FIB_LEAF.match(line)
        if leaf_match:
            leaf = leaf_match.group(1) if _valid_ipv4(leaf_match.group(1)) else None
        elif leaf and _FIB_LOCAL.match(line) and leaf not in found:
            found.append(leaf)
        elif _FIB_NODE.match(line) or _FIB_TABLE.match(line):
            leaf = None
    return found


def pick_private_ipv4(addresses: List[str]) -> Optional[str]:
    """No loopback or 0.0.0.0; an ordinary address before a link-local (169.254/16) one."""
    usable = [a for a in addresses if _valid_ipv4(a) and not a.startswith("127.") and a != "0.0.0.0"]
    ordinary = [a for a in usable if not a.startswith("169.254.")]
    return (ordinary or usable or [None])[0]


def _os_address() -> Optional[str]:
    """The address of the default route's interface: a UDP connect sends no packet."""
    import socket  # only for the real /proc's fallbacks: kept off the start-up path

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(("10.255.255.255", 1))
            return sock.getsockname()[0]
    except OSError:
        return None


def collect_private_ip(fib_trie: Optional[str], real_proc: bool) -> Optional[str]:
    found = pick_private_ipv4(parse_fib_trie_local_addresses(fib_trie))
    if found is None and real_proc:
        address = _os_address()
        found = pick_private_ipv4([address]) if address else None
    return found


def collect_host(config: ProbeConfig, stat: Optional[str] = None) -> Dict[str, object]:
    def proc(path: str) -> Optional[str]:
        return read_text(os.path.join(config.proc_root, path))

    def sys(path: str) -> Optional[str]:
        return read_text(os.path.join(config.sys_root, path))

    if stat is None:
        stat = proc("stat")
    cpu = parse_cpuinfo(proc("cpuinfo"))
    hostname = clean_field(proc("sys/kernel/hostname"))
    if hostname is None and config.real_proc:
        hostname = clean_field(os.uname().nodename)
    return {
        "bootTime": parse_boot_time(stat),
        "cgroup": parse_cgroup(proc("self/cgroup")),
        "cpuModel": cpu["model"],
        "cpuCount": cpu["count"],
        "memTotalKb": parse_mem_total_kb(proc("meminfo")),
        "kernel": clean_field(proc("sys/kernel/osrelease")),
        "hostname": hostname,
        "privateIp": collect_private_ip(proc("net/fib_trie"), config.real_proc),
        "hypervisorUuid": parse_uuid(sys("hypervisor/uuid")),
        "dmiProductUuid": parse_uuid(sys("class/dmi/id/product_uuid")),
    }
