"""Validation of configuration files and options against pydantic models.

Scenario files, spec files and the command-line options of ``partition plan``
are validated by the same pydantic models (:mod:`partition.spec`,
:mod:`partition.scenario`): unknown keys are refused (``extra="forbid"``),
types are strict (``anchors = "false"`` is text, not a boolean), choices are
``Literal`` and numbers have ranges. A failure becomes one
:class:`~partition.errors.SpecError` naming the file and line of the offending
key (or the command-line option) and the fix, never Python internals.

``tomllib`` gives no positions, so :func:`key_lines` scans the TOML text for
the line of each key within its table.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from partition.errors import SpecError

Loc = tuple[str | int, ...]

_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_HEADER = re.compile(rf"^\[(?P<aot>\[)?\s*(?P<key>{_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^(?P<key>{_DOTTED})\s*=(?P<value>.*)$")


class StrictModel(BaseModel):
    """Base of the configuration models: unknown keys refused, no coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_BARE_OR_QUOTED, dotted)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _open_brackets(value: str) -> int:
    """Brackets ``[``/``{`` left open by a value (text in strings and comments ignored)."""
    depth, quote, i = 0, "", 0
    while i < len(value):
        c = value[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            break
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        i += 1
    return depth


def key_lines(text: str) -> dict[Loc, int]:
    """Map the path of every table and key in a TOML text to its 1-based line.

    Paths are tuples as pydantic reports locations: ``("spec", "size", 1, "tolerance")``
    for ``tolerance`` in the second ``[[spec.size]]`` table. Keys inside inline tables
    and multi-line arrays are not listed; their enclosing key is.

    Parameters
    ----------
    text
        The TOML document.

    Returns
    -------
    dict
        Path -> line of its first appearance.
    """
    lines: dict[Loc, int] = {}
    aot_index: dict[tuple[str, ...], int] = {}
    table: Loc = ()
    depth = 0
    in_multiline = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if in_multiline:
            if line.count(in_multiline) % 2:
                in_multiline = ""
            continue
        if depth > 0:
            depth += _open_brackets(line)
            continue
        if not line or line.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header:
            keys = _split_key(header.group("key"))
            if header.group("aot"):
                aot_index[keys] = aot_index.get(keys, -1) + 1
            path: list[str | int] = []
            for i, key in enumerate(keys):
                path.append(key)
                if keys[: i + 1] in aot_index:
                    path.append(aot_index[keys[: i + 1]])
            table = tuple(path)
            lines.setdefault(table, number)
            if header.group("aot"):
                lines.setdefault(table[:-1], number)
            continue
        match = _KEY.match(line)
        if match:
            keys = _split_key(match.group("key"))
            for end in range(1, len(keys) + 1):  # a dotted key defines its tables too
                lines.setdefault((*table, *keys[:end]), number)
            value = match.group("value").strip()
            for quotes in ('"""', "'''"):
                if value.startswith(quotes) and value.count(quotes) == 1:
                    in_multiline = quotes
            depth = _open_brackets(value)
    return lines


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """Line of the longest prefix of ``loc`` found in ``lines`` (from :func:`key_lines`), else None."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def toml_value(value: Any, limit: int = 60) -> str:
    """A value written as in TOML (``"text"``, ``true``, ``[1, 2]``), shortened to ``limit`` characters."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(toml_value(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{ " + ", ".join(f"{k} = {toml_value(v, limit)}" for k, v in value.items()) + " }"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as ``list[SizeSchema]`` or ``Locks | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, tuple, dict, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _unwrap_model(arg)
            if found is not None:
                return found
    return None


def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the table at ``loc`` (list indices skipped), or None."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None
        current = _unwrap_model(current.model_fields[part].annotation)
    return current


def field_at(model: type[BaseModel], loc: Loc) -> FieldInfo | None:
    """The pydantic field of the last key in ``loc``, or None."""
    keys = [p for p in loc if isinstance(p, str)]
    if not keys:
        return None
    parent = model_at(model, tuple(keys[:-1]))
    return parent.model_fields.get(keys[-1]) if parent is not None else None


@dataclass
class Source:
    """Where validated data came from: a file (with its text) or command-line options.

    Parameters
    ----------
    name
        File path, or a description such as ``"options"``.
    text
        The file's text, to find the line of a key; empty for options.
    prefix
        Path of the validated data within the file (``("spec",)`` for a ``[spec]`` table).
    options
        For options: model field name -> option (``{"random_state": "--seed"}``).
    """

    name: str
    text: str = ""
    prefix: Loc = ()
    options: Mapping[str, str] = field(default_factory=dict)

    def where(self, loc: Loc) -> str:
        """``file, line N`` (line when known) or ``option --x``."""
        if self.options:
            keys = [p for p in loc if isinstance(p, str)]
            for key in reversed(keys):
                if key in self.options:
                    return f"option {self.options[key]}"
            return "options"
        line = line_of(key_lines(self.text), (*self.prefix, *loc)) if self.text else None
        return f"{self.name}, line {line}" if line else self.name

    def label(self, loc: Loc) -> tuple[str, str]:
        """The offending key as the user wrote it and its table: ``("anchors", "[spec]")`` or ``("--seed", "")``."""
        keys = [p for p in loc if isinstance(p, str)]
        if self.options:
            for key in reversed(keys):
                if key in self.options:
                    return self.options[key], ""
            return "options", ""
        full = (*self.prefix, *loc)
        if not any(isinstance(p, str) for p in full):
            return "the file", ""
        # the key is the last name; an index after it is an item of a list value
        last = max(i for i, p in enumerate(full) if isinstance(p, str))
        item = f" item {full[last + 1] + 1}" if last + 1 < len(full) and isinstance(full[last + 1], int) else ""
        table_parts = [p for p in full[:last] if isinstance(p, str)]
        if not table_parts:
            return f"{full[last]}{item}", ""
        table = ".".join(table_parts)
        return f"{full[last]}{item}", f"[[{table}]]" if isinstance(full[last - 1], int) else f"[{table}]"


def _choices(ctx: Mapping[str, Any]) -> list[str]:
    return re.findall(r"'([^']*)'", str(ctx.get("expected", "")))


def _suggest(word: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def _describe(error: Mapping[str, Any], model: type[BaseModel], source: Source) -> tuple[str, str]:
    """(message, fix) for one pydantic error, in the user's terms."""
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    name, table = source.label(loc)
    info = field_at(model, loc)
    hint = info.description if info is not None and info.description else ""
    if source.options:  # the examples are written as TOML
        hint = re.sub(r",? e\.g\. .*$", "", hint)
    key = next((p for p in reversed(loc) if isinstance(p, str)), "")
    is_item = bool(loc) and isinstance(loc[-1], int)
    shown = toml_value(value)
    as_opt = bool(source.options)
    said = shown if as_opt else f"{name} = {shown}" + (f" in {table}" if table else "")
    if kind == "extra_forbidden":
        parent = model_at(model, loc[:-1])
        known = list(parent.model_fields) if parent is not None else []
        where = table or "the file"
        if isinstance(value, dict):
            full = ".".join(str(p) for p in (*source.prefix, *loc) if isinstance(p, str))
            return f"unknown table [{full}]", _suggest(
                key, known
            ) + f"the tables and keys of {where} are {', '.join(known)}"
        return f"unknown key {key!r} in {where}", _suggest(key, known) + f"the keys of {where} are {', '.join(known)}"
    if kind == "missing":
        return f"{name} is missing" + (f" in {table}" if table else ""), f"add it: {hint}" if hint else "add it"
    if kind == "literal_error":
        choices = _choices(ctx)
        return f"{said} is not one of {', '.join(choices)}", _suggest(
            value, choices
        ) + f"use one of {', '.join(choices)}"
    if kind in ("bool_type", "bool_parsing"):
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            fix = f"write {key} = {value.strip().lower()}, without quotes" if not as_opt else "use true or false"
        else:
            fix = f"write {key} = true or {key} = false"
        return f"{said} must be true or false", fix
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{said} must be a whole number", _number_fix(key, value, int, hint, as_opt)
    if kind in ("float_type", "float_parsing", "finite_number"):
        what = "a finite number" if kind == "finite_number" else "a number"
        return f"{said} must be {what}", _number_fix(key, value, float, hint, as_opt)
    if kind == "string_type":
        quoted = toml_value(str(value))
        fix = f"write {key} = [{quoted}, ...]" if is_item else f"write {key} = {quoted}"
        return f"{said} must be text in quotes", fix if not isinstance(value, dict | list) else f"give {hint or 'text'}"
    if kind in ("string_too_short", "string_too_long"):
        return (
            f"{said} must not be empty" if kind == "string_too_short" else f"{said} is too long",
            f"give {hint}" if hint else "correct the value",
        )
    if kind in ("list_type", "tuple_type", "set_type"):
        sub = model_at(model, loc)
        if sub is not None:
            tables = ".".join(str(p) for p in (*source.prefix, *loc) if isinstance(p, str))
            return (
                f"{said} must be [[{tables}]] tables",
                f"write [[{tables}]] tables with keys {', '.join(sub.model_fields)}",
            )
        return f"{said} must be a list in [ ]", f"give {hint}" if hint else f"write {key} = [{shown}]"
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        sub = model_at(model, loc)
        if sub is None:
            return f"{said} must be a table", f"give {hint}" if hint else "write a table"
        table_name = ".".join(str(p) for p in (*source.prefix, *loc) if isinstance(p, str))
        form = f"[[{table_name}]]" if is_item else f"[{table_name}]"
        return f"{said} must be a table", f"write a {form} table with keys {', '.join(sub.model_fields)}"
    bounds = {
        "greater_than": "more than {gt}",
        "greater_than_equal": "at least {ge}",
        "less_than": "less than {lt}",
        "less_than_equal": "at most {le}",
    }
    if kind in bounds:
        limit = bounds[kind].format(**{k: f"{v:g}" if isinstance(v, float) else v for k, v in ctx.items()})
        return f"{said} must be {limit}", f"give {hint}" if hint else f"give a value {limit}"
    if kind in ("too_short", "too_long"):
        limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        more = "at least" if kind == "too_short" else "at most"
        return f"{said} must have {more} {limit} item(s)", f"give {hint}" if hint else f"give {more} {limit}"
    if kind == "string_pattern_mismatch":
        return f"{said} is not well formed", f"give {hint}" if hint else "correct the value"
    if kind == "spec_rule":
        return str(ctx.get("message", error["msg"])), str(ctx.get("fix", hint or "correct the value"))
    message = str(ctx.get("error", error["msg"]))
    return f"{said}: {message}", f"give {hint}" if hint else "correct the value"


def _number_fix(key: str, value: Any, kind: type, hint: str, as_opt: bool) -> str:
    if isinstance(value, str) and not as_opt:
        try:
            number = kind(value.strip())
        except ValueError:
            pass
        else:
            return f"write {key} = {number}, without quotes"
    if kind is int and isinstance(value, float) and value.is_integer():
        return f"write {key} = {int(value)}"
    return f"give {hint}" if hint else f"give a {'whole ' if kind is int else ''}number"


def schema_error(exc: ValidationError, model: type[BaseModel], source: Source) -> SpecError:
    """Turn a pydantic ValidationError into one SpecError (the first problem, by line), naming where and the fix.

    Parameters
    ----------
    exc
        The pydantic error.
    model
        The model that was validated (to find field descriptions and known keys).
    source
        Where the data came from.

    Returns
    -------
    SpecError
        ``"<file>, line N: <problem>. Fix: <fix>"`` or ``"option --x: ..."``.
    """
    errors = exc.errors(include_url=False)
    if source.text:
        lines = key_lines(source.text)
        errors = sorted(errors, key=lambda e: line_of(lines, (*source.prefix, *tuple(e["loc"]))) or 0)
    first = errors[0]
    message, fix = _describe(first, model, source)
    more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
    return SpecError(f"{source.where(tuple(first['loc']))}: {message}{more}", fix=fix)


M = typing.TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, source: Source) -> M:
    """Validate ``data`` with ``model``; raise :class:`SpecError` naming ``source`` on failure.

    Raises
    ------
    SpecError
        When the data does not fit the model.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise schema_error(exc, model, source) from None


def read_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a TOML file; return ``(data, text)``.

    Raises
    ------
    SpecError
        When the file cannot be read or is not valid TOML (with the line tomllib reports).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"{path}: cannot be read ({exc.strerror})", fix="check the path") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path}: is not UTF-8 text", fix="save the file as UTF-8 TOML") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})", fix="correct the syntax at the line given") from None


def spec_rule(message: str, fix: str) -> Exception:
    """An error for a rule across fields (``min`` above ``max``), carried through pydantic with its fix."""
    from pydantic_core import PydanticCustomError

    return PydanticCustomError("spec_rule", "{message}", {"message": message, "fix": fix})
