"""Azure Functions entry (Python v2 programming model) of the Curtain Python probe.

Registers the HTTP trigger `probe` (POST, function-key auth: only the driver holds
the key) and adapts the Azure request to the Google entry `main.probe(request)`
of the probe-python bundle, so Azure runs exactly the probe code the other
clouds run. `azure.functions` comes with the Azure Functions Python worker.
"""
import json

import azure.functions as func

import main  # the probe-python bundle's Google Cloud Functions entry

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)


class _FlaskLikeRequest:
    """The part of a Flask request that main.probe reads."""

    def __init__(self, req):
        self._req = req
        self.method = req.method
        self.headers = dict(req.headers)

    def get_data(self, as_text=False):
        body = self._req.get_body()
        return body.decode("utf-8") if as_text else body

    def get_json(self, silent=False, force=False):
        try:
            return json.loads(self._req.get_body() or b"null")
        except ValueError:
            if silent:
                return None
            raise


def _as_http_response(result):
    """Functions Framework return values (a body, or (body, status[, headers])) as an Azure response."""
    status, headers, body = 200, {}, result
    if isinstance(result, tuple):
        body = result[0]
        status = result[1] if len(result) > 1 else 200
        headers = dict(result[2]) if len(result) > 2 else {}
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    return func.HttpResponse(body, status_code=status, headers=headers, mimetype="application/json")


@app.route(route="probe", methods=["POST"])
def probe(req):
    return _as_http_response(main.probe(_FlaskLikeRequest(req)))
