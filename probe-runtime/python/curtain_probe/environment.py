"""Provider ids, configured memory and generation from the environment (as the Node environment.ts)."""
import re
from typing import Dict, Mapping, Optional

# One table for both probes: generated from collectors/environment.ts.
from .platform_variables import MEMORY_VARIABLES, PROVIDER_ID_VARIABLES


def collect_provider_ids(env: Mapping[str, str]) -> Dict[str, str]:
    return {name: env[name] for name in PROVIDER_ID_VARIABLES if env.get(name)}


def collect_memory_mb(env: Mapping[str, str]) -> Optional[float]:
    for name in MEMORY_VARIABLES:
        value = (env.get(name) or "").strip()
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", value) and float(value) > 0:
            number = float(value)
            return int(number) if number.is_integer() else number
    return None


def collect_generation(env: Mapping[str, str]) -> Optional[str]:
    return env.get("CURTAIN_GENERATION") or None
