"""GitHub Actions `${{ }}` expressions, evaluated the way the runner does.

Enough of the language for dashctl's action and workflow templates: literals,
context paths (`steps.run.outputs.exit-code`), indexes (`secrets[matrix.token_env]`),
`! == != < <= > >= && ||` with GitHub's loose comparison (numbers when types
differ, strings case-insensitive), and the functions contains, startsWith,
endsWith, format, join, toJSON, fromJSON and the status checks.
`&&` and `||` give an operand, not a boolean, as GitHub's do.

    evaluate("steps.run.outputs.code == '2'", {"steps": {...}})
    substitute("plan --env ${{ matrix.name }}", {"matrix": {"name": "staging"}})
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>-?\d+(?:\.\d+)?)
    | '(?P<string>(?:[^']|'')*)'
    | (?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\],.*])
    | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""", re.VERBOSE)
PLACEHOLDER = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class ExpressionError(ValueError):
    pass


@dataclass
class Status:
    """What the status functions see: has an earlier step failed, was the run cancelled."""

    failed: bool = False
    cancelled: bool = False


@dataclass
class _Parser:
    tokens: list[tuple[str, Any]]
    contexts: Mapping[str, Any]
    status: Status
    position: int = 0
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", None)

    def take(self, kind: str, value: Any = None) -> Any:
        got_kind, got = self.peek()
        if got_kind != kind or (value is not None and got != value):
            raise ExpressionError(f"expected {value or kind}, got {got!r}")
        self.position += 1
        return got

    def accept(self, value: str) -> bool:
        if self.peek() == ("op", value):
            self.position += 1
            return True
        return False

    def expression(self) -> Any:
        left = self.conjunction()
        while self.accept("||"):
            right = self.conjunction()
            left = left if truthy(left) else right
        return left

    def conjunction(self) -> Any:
        left = self.comparison()
        while self.accept("&&"):
            right = self.comparison()
            left = right if truthy(left) else left
        return left

    def comparison(self) -> Any:
        left = self.unary()
        kind, value = self.peek()
        if kind == "op" and value in ("==", "!=", "<", "<=", ">", ">="):
            self.position += 1
            return compare(value, left, self.unary())
        return left

    def unary(self) -> Any:
        if self.accept("!"):
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        value = self.primary()
        while True:
            if self.accept("."):
                if self.accept("*"):
                    value = list(value.values()) if isinstance(value, Mapping) else value
                    continue
                value = index(value, self.take("name"))
            elif self.accept("["):
                key = self.expression()
                self.take("op", "]")
                value = index(value, key)
            else:
                return value

    def primary(self) -> Any:
        kind, value = self.peek()
        self.position += 1
        if kind in ("number", "string"):
            return value
        if kind == "op" and value == "(":
            inner = self.expression()
            self.take("op", ")")
            return inner
        if kind == "name":
            if value in ("true", "false"):
                return value == "true"
            if value == "null":
                return None
            if self.accept("("):
                arguments = []
                while not self.accept(")"):
                    arguments.append(self.expression())
                    self.accept(",")
                return self.call(value, arguments)
            return self.contexts.get(value)
        raise ExpressionError(f"unexpected {value!r}")

    def call(self, name: str, arguments: list[Any]) -> Any:
        status = {
            "success": lambda: not self.status.failed and not self.status.cancelled,
            "failure": lambda: self.status.failed,
            "always": lambda: True,
            "cancelled": lambda: self.status.cancelled,
        }
        found = {**FUNCTIONS, **status, **self.functions}.get(name.lower())
        if found is None:
            raise ExpressionError(f"unknown function {name}()")
        return found(*arguments)


def tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        if match is None:
            raise ExpressionError(f"cannot read {text[position:]!r}")
        position = match.end()
        kind = match.lastgroup or ""
        raw = match[kind]
        if kind == "number":
            tokens.append((kind, float(raw) if "." in raw else int(raw)))
        elif kind == "string":
            tokens.append((kind, raw.replace("''", "'")))
        else:
            tokens.append((kind, raw))
    return tokens


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "")


def to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip() or 0)
        except ValueError:
            return math.nan
    return math.nan


def compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        a: Any = left.casefold()
        b: Any = right.casefold()
    elif type(left) is type(right) and not isinstance(left, bool | int | float):
        a, b = left, right
        if op in ("==", "!="):
            return (a is b) == (op == "==")
    else:
        a, b = to_number(left), to_number(right)
    result = {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b,
              "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b}[op]()
    return bool(result)


def index(value: Any, key: Any) -> Any:
    if isinstance(value, Mapping):
        if isinstance(key, str):
            for name, item in value.items():
                if name.casefold() == key.casefold():
                    return item
        return None
    if isinstance(value, list) and isinstance(key, int | float) and 0 <= key < len(value):
        return value[int(key)]
    if isinstance(value, list) and isinstance(key, str):  # a filter: list.*.name
        return [index(item, key) for item in value]
    return None


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping | list):
        return json.dumps(value, indent=2)
    return str(value)


def _format(template: str, *arguments: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: to_string(arguments[int(m[1])]),
                  template.replace("{{", "\0").replace("}}", "\1")
                  ).replace("\0", "{").replace("\1", "}")


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):
        return any(compare("==", item, needle) for item in haystack)
    return to_string(needle).casefold() in to_string(haystack).casefold()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "contains": _contains,
    "startswith": lambda s, p: to_string(s).casefold().startswith(to_string(p).casefold()),
    "endswith": lambda s, p: to_string(s).casefold().endswith(to_string(p).casefold()),
    "format": _format,
    "join": lambda items, sep=",": to_string(sep).join(map(to_string, items or [])),
    "tojson": lambda value: json.dumps(value, indent=2),
    "fromjson": lambda text: json.loads(text),
}


def evaluate(
    text: str, contexts: Mapping[str, Any], status: Status | None = None,
    functions: dict[str, Callable[..., Any]] | None = None,
) -> Any:
    """The value of one expression (the text inside `${{ }}`, or an `if:`)."""
    parser = _Parser(tokenize(text), contexts, status or Status(), functions=functions or {})
    value = parser.expression()
    if parser.peek()[0] != "end":
        raise ExpressionError(f"unexpected {parser.peek()[1]!r} in {text!r}")
    return value


def substitute(text: str, contexts: Mapping[str, Any], status: Status | None = None,
               functions: dict[str, Callable[..., Any]] | None = None) -> str:
    """``text`` with each `${{ expr }}` replaced by its value as a string."""
    return PLACEHOLDER.sub(
        lambda m: to_string(evaluate(m[1], contexts, status, functions)), text)


def value_of(text: Any, contexts: Mapping[str, Any], status: Status | None = None,
             functions: dict[str, Callable[..., Any]] | None = None) -> Any:
    """A YAML value: one whole `${{ }}` keeps its type (a matrix from fromJSON), else a string."""
    if not isinstance(text, str):
        return text
    whole = PLACEHOLDER.fullmatch(text.strip())
    if whole and len(PLACEHOLDER.findall(text)) == 1:
        return evaluate(whole[1], contexts, status, functions)
    return substitute(text, contexts, status, functions)


def condition(text: Any, contexts: Mapping[str, Any], status: Status,
              functions: dict[str, Callable[..., Any]] | None = None) -> bool:
    """An `if:`: a bare expression or one in `${{ }}`; success() when absent."""
    if text is None:
        return not status.failed and not status.cancelled
    if isinstance(text, bool):
        return text
    body = str(text).strip()
    whole = PLACEHOLDER.fullmatch(body)
    body = whole[1] if whole else body
    uses_status = re.search(r"\b(success|failure|always|cancelled)\s*\(", body)
    if not uses_status:  # GitHub's implicit `success() && (...)`
        body = f"success() && ({body})"
    return truthy(evaluate(body, contexts, status, functions))
