"""A small JSON Schema (draft 2020-12) validator for the keywords Curtain's generated schemas use.

PyPI is unreachable here, so there is no `jsonschema` package. Any keyword outside the supported
subset raises UnsupportedKeyword rather than being ignored: a schema this cannot fully check fails
loudly instead of passing silently.
"""
import math
import re
from typing import Any, Dict, List

ANNOTATIONS = {"$schema", "$id", "title", "description", "default", "examples", "$comment", "$defs", "definitions"}
SUPPORTED = {
    "type", "properties", "required", "additionalProperties", "propertyNames", "items", "anyOf", "allOf",
    "oneOf", "not", "const", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "$ref",
}


class UnsupportedKeyword(Exception):
    pass


def _is_type(value: Any, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    raise UnsupportedKeyword("type " + name)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _path(base: str, key: Any) -> str:
    if isinstance(key, int):
        return "%s[%d]" % (base, key)
    return key if base == "" else base + "." + key


class Validator:
    def __init__(self, root: Dict[str, Any]) -> None:
        self.root = root

    def errors(self, value: Any) -> List[str]:
        out: List[str] = []
        self._check(self.root, value, "", out)
        return out

    def _resolve(self, ref: str) -> Dict[str, Any]:
        if not ref.startswith("#/"):
            raise UnsupportedKeyword("$ref " + ref)
        node: Any = self.root
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _check(self, schema: Any, value: Any, path: str, out: List[str]) -> None:
        if schema is True:
            return
        if schema is False:
            out.append("%s: not allowed" % (path or "(root)"))
            return
        unknown = set(schema) - SUPPORTED - ANNOTATIONS
        if unknown:
            raise UnsupportedKeyword(", ".join(sorted(unknown)))
        where = path or "(root)"
        if "$ref" in schema:
            self._check(self._resolve(schema["$ref"]), value, path, out)
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(_is_type(value, t) for t in types):
                out.append("%s: expected %s" % (where, "|".join(types)))
                return
        if "const" in schema and not _equal(value, schema["const"]):
            out.append("%s: expected %r" % (where, schema["const"]))
        if "enum" in schema and not any(_equal(value, option) for option in schema["enum"]):
            out.append("%s: expected one of %r" % (where, schema["enum"]))
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number:
            if "minimum" in schema and value < schema["minimum"]:
                out.append("%s: below minimum %s" % (where, schema["minimum"]))
            if "maximum" in schema and value > schema["maximum"]:
                out.append("%s: above maximum %s" % (where, schema["maximum"]))
            if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
                out.append("%s: not above %s" % (where, schema["exclusiveMinimum"]))
            if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
                out.append("%s: not below %s" % (where, schema["exclusiveMaximum"]))
        if isinstance(value, str):
            if "minLength" in schema and len(value) < schema["minLength"]:
                out.append("%s: shorter than %d" % (where, schema["minLength"]))
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                out.append("%s: longer than %d" % (where, schema["maxLength"]))
            if "pattern" in schema and not re.search(schema["pattern"], value):
                out.append("%s: does not match %s" % (where, schema["pattern"]))
        if isinstance(value, list):
            if "minItems" in schema and len(value) < schema["minItems"]:
                out.append("%s: fewer than %d items" % (where, schema["minItems"]))
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                out.append("%s: more than %d items" % (where, schema["maxItems"]))
            if "items" in schema:
                for index, item in enumerate(value):
                    self._check(schema["items"], item, _path(path, index), out)
        if isinstance(value, dict):
            properties = schema.get("properties", {})
            for key in schema.get("required", []):
                if key not in value:
                    out.append("%s: missing required %s" % (where, key))
            for key, item in value.items():
                if "propertyNames" in schema:
                    self._check(schema["propertyNames"], key, _path(path, key), out)
                if key in properties:
                    self._check(properties[key], item, _path(path, key), out)
                elif "additionalProperties" in schema:
                    if schema["additionalProperties"] is False:
                        out.append("%s: unexpected property %s" % (where, key))
                    else:
                        self._check(schema["additionalProperties"], item, _path(path, key), out)
        for keyword, needed in (("anyOf", 1), ("oneOf", 1)):
            if keyword in schema:
                passing = sum(1 for option in schema[keyword] if not self._sub_errors(option, value, path))
                if passing < needed or (keyword == "oneOf" and passing > 1):
                    out.append("%s: matches %d of %s" % (where, passing, keyword))
        for option in schema.get("allOf", []):
            self._check(option, value, path, out)
        if "not" in schema and not self._sub_errors(schema["not"], value, path):
            out.append("%s: matches a forbidden schema" % where)

    def _sub_errors(self, schema: Any, value: Any, path: str) -> List[str]:
        out: List[str] = []
        self._check(schema, value, path, out)
        return out
