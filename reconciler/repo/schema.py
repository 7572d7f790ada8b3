"""The committed JSON Schemas, and their errors as located problems.

Each validator is built once per process from ``schemas/<name>.schema.json``
(with its ``$ref``s inlined, which makes validation about a third faster and
changes nothing it decides). Errors become one ``Problem`` per offending node,
worded for people: an unknown key at that key, a bad value at that value, a
missing key at its mapping.

A manifest is first checked by jsonschema-rs (compiled, about 200x faster
than the jsonschema package on a 25-tile dashboard): a valid one is done;
only an invalid one goes through jsonschema, whose errors say why. That
schema has no ``pattern``; environments.yaml's has (ECMA-262 patterns read
by Python's ``re``, whose whitespace class is not the Rust engine's), and is one small
file: it goes through jsonschema alone.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from pydantic import BaseModel
from pydantic import ValidationError as ModelError

from reconciler.repo.problem import Problem
from reconciler.repo.yaml_document import Unsupported, YamlDocument

# reconciler/schemas is a symlink to the committed top-level schemas/, so that
# a wheel (pip install .) carries the same files as a checkout.
SCHEMAS_DIR = Path(__file__).resolve().parents[1] / "schemas"
_ANNOTATIONS = frozenset({"title", "description", "$comment", "default", "examples", "$defs"})

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def schema_path(name: str) -> Path:
    return SCHEMAS_DIR / f"{name}.schema.json"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """A committed schema, as JSON."""
    result: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return result


@functools.cache
def _ecma(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262: `$` ends the input (Python's also matches before "\n")
    return re.compile(re.sub(r"(?<!\\)\$$", r"\\Z", pattern))


def _pattern(validator: Validator, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if isinstance(instance, str) and not _ecma(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Draft 2020-12 with ECMA-262 `pattern` semantics
SchemaValidator: Any = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern}
)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: _inline(value, defs) for key, value in node.items() if key not in _ANNOTATIONS}
    if isinstance(node, list):
        return [_inline(value, defs) for value in node]
    return node


@functools.cache
def validator(name: str) -> Validator:
    """The validator of a committed schema, built once."""
    schema = load_schema(name)
    inlined = _inline(schema, schema.get("$defs", {}))
    result: Validator = SchemaValidator(inlined)
    return result


# the schemas checked by jsonschema-rs first (see the module's docstring)
COMPILED_SCHEMAS = frozenset({"dashboard"})


@functools.cache
def compiled_validator(name: str) -> Any:
    """The jsonschema-rs validator of a committed schema, built once."""
    return jsonschema_rs.validator_for(load_schema(name))


def is_valid(name: str, data: Any) -> bool:
    """Whether data passes the committed schema name (the fast way where there is one)."""
    if name in COMPILED_SCHEMAS:
        try:
            return bool(compiled_validator(name).is_valid(data))
        except (ValueError, TypeError, OverflowError):
            pass  # a value with no JSON counterpart: jsonschema says what it makes of it
    return bool(validator(name).is_valid(data))


def describe(value: Any) -> str:
    """A short description of a YAML value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({shorten(value)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, Unsupported):
        return value.what
    return type(value).__name__


def shorten(value: str, limit: int = 40) -> str:
    """repr() of a string, cut to a readable length (and safe for one line)."""
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(text)


def _name(path: tuple[Any, ...]) -> str:
    for step in reversed(path):
        if isinstance(step, str):
            return step
    return "value"


Finding = tuple[tuple[Any, ...], str, bool]  # where (a node path), what, and whether at its key


def schema_problems(document: YamlDocument, data: Any, name: str,
                    model: type[BaseModel] | None = None) -> list[Problem]:
    """Every schema problem of data (parsed from document), located, sorted by location;
    without any, what the strict ``model`` refuses (if one is given)."""
    valid = is_valid(name, data)
    if not valid:
        findings = [finding for error in validator(name).iter_errors(data)
                    for finding in _findings(data, error)]
    else:
        findings = [] if model is None else _model_findings(data, model)
    located = dict.fromkeys(_located(document, findings))
    return list(located) if valid else sorted(located, key=lambda p: (p.line, p.column))


def _located(document: YamlDocument, findings: list[Finding]) -> list[Problem]:
    return [document.problem(path, message, key=key) for path, message, key in findings]


def _findings(data: Any, error: Any) -> list[Finding]:
    """What one schema error says, worded for people, at the node it is about."""
    # error is a jsonschema ValidationError (typed loosely: its fields may be "Unset")
    path = tuple(error.absolute_path)
    keyword = error.validator
    instance = error.instance

    def at(message: str) -> Finding:
        return path, message, False

    if keyword == "additionalProperties" and isinstance(instance, dict):
        known = list(error.schema.get("properties", {}))
        return [
            ((*path, key), _unknown_key(str(key), known), True)
            for key in instance
            if key not in known
        ]
    if keyword == "required" and isinstance(instance, dict):
        then = "then" in error.schema_path
        why = " (an http(s) url needs project and token_env)" if then else ""
        return [
            at(f"missing required key {key!r}{why}")
            for key in error.validator_value
            if key not in instance
        ]
    if keyword == "type":
        if "then" in error.schema_path:
            return [at(f"{_name(path)} is required for an http(s) url, got null")]
        expected = error.validator_value
        words = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_WORDS.get(word, word) for word in words if word != "null")
        if not path:
            return [at(f"a manifest must be a mapping, got {describe(instance)}")]
        return [at(f"{_name(path)}: expected {wanted}, got {describe(instance)}")]
    if keyword == "enum":
        return _enum_findings(data, error, path)
    if keyword == "oneOf" and not isinstance(instance, dict):
        return []  # its type error says it
    if keyword == "oneOf":
        both = "insight" in instance and "markdown" in instance
        tile = (
            f"tile {shorten(instance['id'])}" if isinstance(instance.get("id"), str) else "a tile"
        )
        if both:
            return [at(f"{tile} has both insight and markdown: keep exactly one")]
        return [at(f"{tile} needs exactly one of insight / markdown")]
    if keyword in ("minimum", "maximum"):
        sign = ">=" if keyword == "minimum" else "<="
        return [at(f"{_name(path)} must be {sign} {error.validator_value}, got {instance}")]
    if keyword == "minLength":
        return [at(f"{_name(path)} must not be empty")]
    if keyword == "minItems":
        count = error.validator_value
        if count == 1:
            return [at(f"{_name(path)} must not be empty")]
        return [at(f"{_name(path)} needs at least {count} items")]
    if keyword == "minProperties":
        return [at(f"{_name(path)} needs at least {error.validator_value} entry")]
    if keyword in ("pattern", "not") and "propertyNames" in error.schema_path:
        return [((*path, instance), _bad_key(instance, keyword), True)]
    if keyword == "pattern":
        return [at(f"invalid {_name(path)} {shorten(str(instance))}: {_pattern_hint(path)}")]
    message = error.message if len(error.message) <= 200 else error.message[:199] + "…"
    return [at(message)]


def _unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"unknown key {shorten(key)} (did you mean {close[0]!r}?)"
    return f"unknown key {shorten(key)} (expected one of: {', '.join(known)})"


def _bad_key(key: Any, keyword: str) -> str:
    if keyword == "not":
        return f"{shorten(str(key))} is reserved and cannot name an environment"
    return (
        f"invalid name {shorten(str(key))}: use letters, digits and '_'"
        " (environment names may also use '-' and '.')"
    )


def _pattern_hint(path: tuple[Any, ...]) -> str:
    name = _name(path)
    if name == "url":
        return "expected https://HOST... or sqlite:PATH"
    if name == "token_env":
        return "expected the name of an environment variable, e.g. DASHCTL_TOKEN_PROD"
    if name == "exclude":
        return "expected a file name in base/, e.g. experiments.yaml"
    return "does not match the expected form"


def _enum_findings(data: Any, error: Any, path: tuple[Any, ...]) -> list[Finding]:
    instance = error.instance
    schema_path = list(error.schema_path)
    if "dependentSchemas" in schema_path:  # a tile whose type disagrees with its body
        if instance not in _tile_types():
            return []  # the plain enum error of `type` reports it
        tile = data
        for step in path[:-1]:
            tile = tile[step]
        if "insight" in tile and "markdown" in tile:
            return []  # the oneOf error reports it
        body = schema_path[schema_path.index("dependentSchemas") + 1]
        message = f"type {shorten(str(instance))} does not agree with the {body} body"
        return [(path, message, False)]
    values = [str(value) for value in error.validator_value if value is not None]
    shown = shorten(instance) if isinstance(instance, str) else describe(instance)
    # the closest known spelling, whatever the case ('Line', 'COUNT'), as for unknown keys
    by_case = {value.lower(): value for value in values}
    near = isinstance(instance, str) and len(instance) <= 100
    close = difflib.get_close_matches(instance.lower(), by_case, n=1) if near else []
    hint = f"did you mean {by_case[close[0]]!r}? " if close else ""
    known = ", ".join(values)
    return [(path, f"unknown {_name(path)} {shown} ({hint}known: {known})", False)]


@functools.cache
def _tile_types() -> frozenset[str]:
    values = load_schema("dashboard")["$defs"]["tile"]["properties"]["type"]["enum"]
    return frozenset(value for value in values if value is not None)


def model_problems(document: YamlDocument, data: Any, model: type[BaseModel]) -> list[Problem]:
    """What the strict pydantic ``model`` refuses in ``data`` (what the schema let through),
    as located problems."""
    return list(dict.fromkeys(_located(document, _model_findings(data, model))))


def _model_findings(data: Any, model: type[BaseModel]) -> list[Finding]:
    try:
        model.model_validate(data, strict=True)
    except ModelError as error:
        return [(tuple(step for step in item["loc"] if isinstance(step, str | int)),
                 item["msg"].removeprefix("Value error, "), False) for item in error.errors()]
    return []
