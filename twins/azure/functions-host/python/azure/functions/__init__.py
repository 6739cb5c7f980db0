"""The Azure twin's stand-in for the `azure-functions` library (the one the Azure
Functions Python worker provides to v2-model apps): the part of its API that
HTTP-triggered apps use -- FunctionApp with the `route` decorator, AuthLevel,
HttpRequest, HttpResponse -- with the library's names and defaults
(https://learn.microsoft.com/azure/azure-functions/functions-reference-python,
read 2026-12-06: route defaults to the function name, methods to all, auth level
to the app's http_auth_level). It is emulated: the real library is not on
PyPI-free machines; anything an app uses beyond this fails loudly at import or call.
"""
import enum
import json as _json


class AuthLevel(str, enum.Enum):
    FUNCTION = "function"
    ANONYMOUS = "anonymous"
    ADMIN = "admin"


class HttpMethod(str, enum.Enum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"


class HttpRequest:
    def __init__(self, method, url, headers=None, params=None, route_params=None, body=b""):
        self.method = method
        self.url = url
        self.headers = dict(headers or {})
        self.params = dict(params or {})
        self.route_params = dict(route_params or {})
        self._body = body if isinstance(body, bytes) else str(body).encode("utf-8")

    def get_body(self):
        return self._body

    def get_json(self):
        return _json.loads(self._body)


class HttpResponse:
    def __init__(self, body=None, status_code=200, headers=None, mimetype=None, charset="utf-8"):
        if isinstance(body, str):
            body = body.encode(charset)
        self._body = body or b""
        self.status_code = status_code
        self.headers = dict(headers or {})
        self.mimetype = mimetype
        self.charset = charset

    def get_body(self):
        return self._body


class FunctionApp:
    def __init__(self, http_auth_level=AuthLevel.FUNCTION):
        self.http_auth_level = AuthLevel(http_auth_level)
        self.functions = []

    def route(self, route=None, trigger_arg_name="req", binding_arg_name="$return", methods=None, auth_level=None):
        def decorator(fn):
            self.functions.append(
                {
                    "name": fn.__name__,
                    "handler": fn,
                    "route": route if route is not None else fn.__name__,
                    "methods": [str(getattr(m, "value", m)).upper() for m in methods] if methods else None,
                    "authLevel": AuthLevel(auth_level or self.http_auth_level).value,
                }
            )
            return fn

        return decorator

    def get_functions(self):
        return list(self.functions)
