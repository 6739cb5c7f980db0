"""Provider ids, configured memory and generation from the environment (as the Node environment.ts)."""
import re
from typing import Dict, Mapping, Optional

PROVIDER_ID_VARIABLES = (
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_EXECUTION_ENV",
    "AWS_REGION",
    "WEBSITE_INSTANCE_ID",
    "WEBSITE_SITE_NAME",
    "WEBSITE_HOSTNAME",
    "WEBSITE_SKU",
    "WEBSITE_POD_NAME",
    "CONTAINER_NAME",
    "COMPUTERNAME",
    "REGION_NAME",
    "K_SERVICE",
    "K_REVISION",
    "K_CONFIGURATION",
    "FUNCTION_TARGET",
    "FUNCTION_NAME",
    "FUNCTION_REGION",
    "X_GOOGLE_FUNCTION_VERSION",
    "CURTAIN_LOCAL_INSTANCE_ID",
    "CURTAIN_LOCAL_FUNCTION",
    "CURTAIN_STUDY",
    "CURTAIN_FUNCTION",
    "CURTAIN_TENANT",
)

MEMORY_VARIABLES = (
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "WEBSITE_MEMORY_LIMIT_MB",
    "FUNCTION_MEMORY_MB",
    "CURTAIN_MEMORY_MB",
)


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
