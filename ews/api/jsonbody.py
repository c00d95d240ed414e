"""One strict reader for every JSON request body, and the guard on query strings.

`request.get_json()` goes through `StrictJSONProvider.loads` (the app's JSON provider), so no
view can forget a check: bodies nested deeper than MAX_DEPTH (Python's own parser would hit
its recursion limit and answer 500), unpaired surrogates in any string (valid JSON, but not
text: storing it fails), duplicate keys (the last one would silently win, even for `nik`)
and the non-JSON constants NaN/Infinity are refused as 400/422 problem+json.
"""

from __future__ import annotations

import json
import re

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import abort
from marshmallow import Schema, ValidationError
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 32  # no API body nests deeper than 3 levels
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PARAM_NAME = re.compile(r"[a-z_]{1,32}")
# A key path worth naming in an error: field names and list indexes, no long digit runs (a
# NIK or phone number sent as a key must not come back in the answer).
_KEY_PATH = re.compile(r"(?!.*\d{5})[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z0-9_]{1,64}){0,8}")


def _named(path: str) -> str:
    return path if _KEY_PATH.fullmatch(path) else "_schema"


class JSONBodyError(ValueError):
    """A body that is not acceptable JSON: `status` 400 or 422, `errors` per key."""

    def __init__(self, status: int, detail: str, errors: dict | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors


def _object(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    seen: set = set()
    for key, _ in pairs:  # name the first key that repeats
        if key in seen:
            break
        seen.add(key)
    raise JSONBodyError(422, "A key appears twice in a JSON object.",
                        {_named(key): ["This key appears twice; send it once."]})


def _constant(name: str):
    raise JSONBodyError(400, f"'{name}' is not a JSON value; send a number or null.")


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_value(value) -> None:
    """Raise JSONBodyError for nesting deeper than MAX_DEPTH or an unpaired surrogate."""
    stack = [(value, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            if not _is_text(node):
                raise JSONBodyError(422, "A string contains an unpaired surrogate escape "
                                         "(\\ud800-\\udfff): send valid Unicode text.",
                                    {_named(path): ["Not valid Unicode text."]})
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise JSONBodyError(400, f"The JSON body is nested deeper than {MAX_DEPTH} levels.")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and not _is_text(key):
                stack.append((key, depth, name))
            stack.append((child, depth + 1, name))


def loads_strict(data: str | bytes):
    """Parse JSON text strictly (see the module docstring); raise JSONBodyError or ValueError."""
    try:
        value = json.loads(data, object_pairs_hook=_object, parse_constant=_constant)
    except RecursionError:
        raise JSONBodyError(400, f"The JSON body is nested deeper than {MAX_DEPTH} "
                                 f"levels.") from None
    if _may_need_check(data):
        check_value(value)
    return value


def _may_need_check(data: str | bytes) -> bool:
    """Return False when the text can hold neither a surrogate escape nor deep nesting.

    A surrogate reaches a string only through a \\uD800-\\uDFFF escape; nesting deeper than
    MAX_DEPTH needs more than MAX_DEPTH opening brackets. The flat checklist passes this in
    a few microseconds instead of a walk over every value. UTF-16 and UTF-32 bodies (which
    `json.loads` accepts) are always walked.
    """
    text = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if json.detect_encoding(text) != "utf-8" or b"\\ud" in text or b"\\uD" in text:
        return True
    return text.count(b"{") + text.count(b"[") > MAX_DEPTH


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with `loads_strict` for reading."""

    def loads(self, s: str | bytes, **kwargs):
        """Parse JSON strictly (request bodies and anything else read through `app.json`)."""
        return loads_strict(s)


class StrictRequest(Request):
    """A request whose JSON errors become problem+json with a specific detail."""

    def on_json_loading_failed(self, e: ValueError | None):
        """Answer 400/422 naming the problem (and the key) instead of a bare 400."""
        if isinstance(e, JSONBodyError):
            abort(e.status, message=e.detail, **({"errors": e.errors} if e.errors else {}))
        return super().on_json_loading_failed(e)


class StrictParser(FlaskParser):
    """webargs' parser for `@bp.arguments`, reading JSON bodies through `loads_strict` too."""

    def _raw_load_json(self, req: Request):
        if not is_json_request(req):
            return missing
        return req.get_json()  # the app's strict provider; errors become problem+json


PARSER = StrictParser()


def load_body(schema: Schema) -> dict:
    """Validate the JSON body with `schema`; 415 when not JSON, 400/422 otherwise."""
    payload = request.get_json()
    try:
        return schema.load(payload if isinstance(payload, dict) else {"_schema": payload})
    except ValidationError as err:
        abort(422, errors=err.messages)
    raise AssertionError("unreachable")


def refuse_control_characters() -> None:
    """Refuse query parameters with control characters (CR/LF would split a redirect)."""
    if not request.environ.get("QUERY_STRING"):
        return  # nothing to parse (every submission)
    for name, value in request.args.items(multi=True):
        if _CONTROL.search(value) or _CONTROL.search(name):
            # Name the parameter when it is one of ours, never echo anything else.
            which = f"'{name}'" if _PARAM_NAME.fullmatch(name) else "a"
            raise BadRequest(f"The query parameter {which} contains a control character.")


def init_app(app: Flask) -> None:
    """Install the strict JSON reader and the query guard on `app`."""
    app.json = StrictJSONProvider(app)
    app.request_class = StrictRequest
    app.before_request(refuse_control_characters)
