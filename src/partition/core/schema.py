"""Validation of configuration files and options against pydantic models.

Scenario files, spec files and the command-line options of ``partition plan``
are validated by the same pydantic models (:mod:`partition.model.spec`,
:mod:`partition.runs.scenario`): unknown keys are refused (``extra="forbid"``),
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
    """Line of the longest prefix of ``loc`` found in ``lines`` (from :func:`key_lines`), else None.

    Parameters
    ----------
    lines
        Path -> 1-based line, from :func:`key_lines`.
    loc
        Path of a key as pydantic reports it (``("spec", "size", 1, "tolerance")``).

    Returns
    -------
    int or None
        The line of the key, else of its nearest enclosing table or key found; None when none is found.
    """
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def toml_value(value: Any, limit: int = 60) -> str:
    """A value written as in TOML (``"text"``, ``true``, ``[1, 2]``), shortened to ``limit`` characters.

    Parameters
    ----------
    value
        Any value as parsed from TOML or given as an option: bool, text, list or tuple, dict, or another
        value (written with ``str``).
    limit
        Most characters of the result (and of each nested value); longer text is cut and ends with "…".

    Returns
    -------
    str
        ``true``/``false``, text in double quotes (JSON escapes), ``[a, b]``, ``{ k = v }`` or ``str(value)``.
    """
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
    """The model class that validates the table at ``loc`` (list indices skipped), or None.

    Parameters
    ----------
    model
        The top-level model (``ScenarioSchema``, ``SpecSchema`` ...).
    loc
        A path as pydantic reports it; integers (list indices) are skipped.

    Returns
    -------
    type or None
        The model of the table at ``loc`` (``model`` itself for ``()``), found through the field
        annotations (``list[X]``, ``X | None`` ...); None when a key is unknown or its value is not a table.
    """
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in current.model_fields:
            return None
        current = _unwrap_model(current.model_fields[part].annotation)
    return current


def field_at(model: type[BaseModel], loc: Loc) -> FieldInfo | None:
    """The pydantic field of the last key in ``loc``, or None.

    Parameters
    ----------
    model
        The top-level model.
    loc
        A path as pydantic reports it.

    Returns
    -------
    FieldInfo or None
        The field (with its ``description``); None when ``loc`` has no key or the key is unknown.
    """
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
        """``file, line N`` (line when known) or ``option --x``.

        Parameters
        ----------
        loc
            Path of the offending key within the validated data (without :attr:`prefix`).

        Returns
        -------
        str
            For options: ``"option --x"`` for the last key with an option, else ``"options"``. For a file:
            ``"<name>, line N"`` with the line of the key (or of its nearest enclosing table or key) in
            :attr:`text`, else ``"<name>"``.
        """
        if self.options:
            keys = [p for p in loc if isinstance(p, str)]
            for key in reversed(keys):
                if key in self.options:
                    return f"option {self.options[key]}"
            return "options"
        line = line_of(key_lines(self.text), (*self.prefix, *loc)) if self.text else None
        return f"{self.name}, line {line}" if line else self.name

    def label(self, loc: Loc) -> tuple[str, str]:
        """The offending key as the user wrote it and its table: ``("anchors", "[spec]")`` or ``("--seed", "")``.

        Parameters
        ----------
        loc
            Path of the offending key within the validated data (without :attr:`prefix`).

        Returns
        -------
        key, table
            For options: the option of the last key that has one (else ``"options"``) and ``""``. For a
            file: the last key, with `` item N`` (1-based) when ``loc`` points into a list value, and its
            table as ``[a.b]`` or ``[[a.b]]`` (an item of an array of tables), ``""`` at the top level;
            ``("the file", "")`` when ``loc`` names no key.
        """
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


@dataclass(frozen=True)
class _Problem:
    """One pydantic error and what its message is made of, in the user's terms."""

    error: Mapping[str, Any]
    model: type[BaseModel]
    source: Source
    loc: Loc
    kind: str
    ctx: Mapping[str, Any]
    value: Any
    name: str
    """The offending key as the user wrote it (or the option)."""
    table: str
    """Its table as written (``[spec]``, ``[[spec.size]]``), or ``""``."""
    hint: str
    """The field's description (without TOML examples for options), or ``""``."""
    key: str
    """The last key name of ``loc``."""
    is_item: bool
    shown: str
    """The value as written in TOML."""
    as_opt: bool
    said: str
    """The value with its key and table, as the message starts (``seed = "x" in [spec]``)."""

    def give_hint_or(self, default: str) -> str:
        """``give <hint>`` when the field has a description, else ``default``."""
        return f"give {self.hint}" if self.hint else default

    def dotted_path(self) -> str:
        """The table path of ``loc`` within the file, dotted (list indices left out)."""
        return ".".join(str(p) for p in (*self.source.prefix, *self.loc) if isinstance(p, str))


def _field_hint(model: type[BaseModel], loc: Loc, source: Source) -> str:
    """The description of the field at ``loc``; for options without its TOML examples (``e.g. ...``)."""
    info = field_at(model, loc)
    hint = info.description if info is not None and info.description else ""
    if source.options:  # the examples are written as TOML
        hint = re.sub(r",? e\.g\. .*$", "", hint)
    return hint


def _problem(error: Mapping[str, Any], model: type[BaseModel], source: Source) -> _Problem:
    """Gather what the message of one pydantic error needs."""
    loc: Loc = tuple(error["loc"])
    value = error.get("input")
    name, table = source.label(loc)
    shown = toml_value(value)
    as_opt = bool(source.options)
    return _Problem(
        error=error,
        model=model,
        source=source,
        loc=loc,
        kind=error["type"],
        ctx=error.get("ctx") or {},
        value=value,
        name=name,
        table=table,
        hint=_field_hint(model, loc, source),
        key=next((p for p in reversed(loc) if isinstance(p, str)), ""),
        is_item=bool(loc) and isinstance(loc[-1], int),
        shown=shown,
        as_opt=as_opt,
        said=shown if as_opt else f"{name} = {shown}" + (f" in {table}" if table else ""),
    )


def _unknown_key(p: _Problem) -> tuple[str, str]:
    parent = model_at(p.model, p.loc[:-1])
    known = list(parent.model_fields) if parent is not None else []
    where = p.table or "the file"
    if isinstance(p.value, dict):
        return f"unknown table [{p.dotted_path()}]", _suggest(
            p.key, known
        ) + f"the tables and keys of {where} are {', '.join(known)}"
    return f"unknown key {p.key!r} in {where}", _suggest(p.key, known) + f"the keys of {where} are {', '.join(known)}"


def _missing(p: _Problem) -> tuple[str, str]:
    return f"{p.name} is missing" + (f" in {p.table}" if p.table else ""), f"add it: {p.hint}" if p.hint else "add it"


def _not_a_choice(p: _Problem) -> tuple[str, str]:
    choices = _choices(p.ctx)
    return f"{p.said} is not one of {', '.join(choices)}", _suggest(
        p.value, choices
    ) + f"use one of {', '.join(choices)}"


def _not_bool(p: _Problem) -> tuple[str, str]:
    if isinstance(p.value, str) and p.value.strip().lower() in ("true", "false"):
        fix = f"write {p.key} = {p.value.strip().lower()}, without quotes" if not p.as_opt else "use true or false"
    else:
        fix = f"write {p.key} = true or {p.key} = false"
    return f"{p.said} must be true or false", fix


def _not_int(p: _Problem) -> tuple[str, str]:
    return f"{p.said} must be a whole number", _number_fix(p.key, p.value, int, p.hint, p.as_opt)


def _not_float(p: _Problem) -> tuple[str, str]:
    what = "a finite number" if p.kind == "finite_number" else "a number"
    return f"{p.said} must be {what}", _number_fix(p.key, p.value, float, p.hint, p.as_opt)


def _not_text(p: _Problem) -> tuple[str, str]:
    quoted = toml_value(str(p.value))
    fix = f"write {p.key} = [{quoted}, ...]" if p.is_item else f"write {p.key} = {quoted}"
    return f"{p.said} must be text in quotes", fix if not isinstance(
        p.value, dict | list
    ) else f"give {p.hint or 'text'}"


def _bad_text_length(p: _Problem) -> tuple[str, str]:
    return (
        f"{p.said} must not be empty" if p.kind == "string_too_short" else f"{p.said} is too long",
        p.give_hint_or("correct the value"),
    )


def _not_list(p: _Problem) -> tuple[str, str]:
    sub = model_at(p.model, p.loc)
    if sub is not None:
        tables = p.dotted_path()
        return (
            f"{p.said} must be [[{tables}]] tables",
            f"write [[{tables}]] tables with keys {', '.join(sub.model_fields)}",
        )
    return f"{p.said} must be a list in [ ]", p.give_hint_or(f"write {p.key} = [{p.shown}]")


def _not_table(p: _Problem) -> tuple[str, str]:
    sub = model_at(p.model, p.loc)
    if sub is None:
        return f"{p.said} must be a table", p.give_hint_or("write a table")
    table_name = p.dotted_path()
    form = f"[[{table_name}]]" if p.is_item else f"[{table_name}]"
    return f"{p.said} must be a table", f"write a {form} table with keys {', '.join(sub.model_fields)}"


_BOUNDS = {
    "greater_than": "more than {gt}",
    "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}",
    "less_than_equal": "at most {le}",
}


def _out_of_bounds(p: _Problem) -> tuple[str, str]:
    limit = _BOUNDS[p.kind].format(**{k: f"{v:g}" if isinstance(v, float) else v for k, v in p.ctx.items()})
    return f"{p.said} must be {limit}", p.give_hint_or(f"give a value {limit}")


def _bad_length(p: _Problem) -> tuple[str, str]:
    limit = p.ctx.get("min_length") if p.kind == "too_short" else p.ctx.get("max_length")
    more = "at least" if p.kind == "too_short" else "at most"
    return f"{p.said} must have {more} {limit} item(s)", p.give_hint_or(f"give {more} {limit}")


def _bad_pattern(p: _Problem) -> tuple[str, str]:
    return f"{p.said} is not well formed", p.give_hint_or("correct the value")


def _rule_broken(p: _Problem) -> tuple[str, str]:
    return str(p.ctx.get("message", p.error["msg"])), str(p.ctx.get("fix", p.hint or "correct the value"))


def _other_problem(p: _Problem) -> tuple[str, str]:
    message = str(p.ctx.get("error", p.error["msg"]))
    return f"{p.said}: {message}", p.give_hint_or("correct the value")


_DESCRIBERS: dict[str, typing.Callable[[_Problem], tuple[str, str]]] = {
    "extra_forbidden": _unknown_key,
    "missing": _missing,
    "literal_error": _not_a_choice,
    **dict.fromkeys(("bool_type", "bool_parsing"), _not_bool),
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float"), _not_int),
    **dict.fromkeys(("float_type", "float_parsing", "finite_number"), _not_float),
    "string_type": _not_text,
    **dict.fromkeys(("string_too_short", "string_too_long"), _bad_text_length),
    **dict.fromkeys(("list_type", "tuple_type", "set_type"), _not_list),
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type", "dataclass_type"), _not_table),
    **dict.fromkeys(_BOUNDS, _out_of_bounds),
    **dict.fromkeys(("too_short", "too_long"), _bad_length),
    "string_pattern_mismatch": _bad_pattern,
    "spec_rule": _rule_broken,
}
"""Message builder of each pydantic error type; others get :func:`_other_problem`."""


def _describe(error: Mapping[str, Any], model: type[BaseModel], source: Source) -> tuple[str, str]:
    """(message, fix) for one pydantic error, in the user's terms."""
    problem = _problem(error, model, source)
    return _DESCRIBERS.get(problem.kind, _other_problem)(problem)


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

    Parameters
    ----------
    model
        The pydantic model (strict, unknown keys refused: :class:`StrictModel`).
    data
        The parsed TOML table or the options, as plain Python values.
    source
        Where ``data`` came from, for the message (:class:`Source`).

    Returns
    -------
    model
        The validated instance.

    Raises
    ------
    SpecError
        When the data does not fit the model.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise schema_error(exc, model, source) from None


def read_toml(path: str | Path, *, data: bytes | None = None) -> tuple[dict[str, Any], str]:
    """Read a TOML file; return ``(data, text)``.

    Parameters
    ----------
    path
        The TOML file (UTF-8), e.g. a scenario or spec file; named in the messages.
    data
        The file's bytes as read, parsed instead of reading ``path`` (read once when not given).

    Returns
    -------
    data, text
        The parsed document (``tomllib``) and the file's text (for :func:`key_lines`).

    Raises
    ------
    SpecError
        When the file cannot be read or is not valid TOML (with the line tomllib reports).
    """
    path = Path(path)
    if data is None:
        data = read_file_bytes(path)
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # line ends as Path.read_text reads them
    except UnicodeDecodeError:
        raise SpecError(f"{path}: is not UTF-8 text", fix="save the file as UTF-8 TOML") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})", fix="correct the syntax at the line given") from None


def read_file_bytes(path: Path) -> bytes:
    """A TOML file's bytes.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    bytes

    Raises
    ------
    SpecError
        When the file cannot be read.
    """
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SpecError(f"{path}: cannot be read ({exc.strerror})", fix="check the path") from None


def spec_rule(message: str, fix: str) -> Exception:
    """An error for a rule across fields (``min`` above ``max``), carried through pydantic with its fix.

    Parameters
    ----------
    message
        The problem in the user's terms; it becomes the message of the :class:`SpecError`.
    fix
        How to correct it; it becomes the error's fix.

    Returns
    -------
    Exception
        A ``PydanticCustomError`` of type ``"spec_rule"`` for a model validator to raise; :func:`schema_error`
        reports its message and fix as they are.
    """
    from pydantic_core import PydanticCustomError

    return PydanticCustomError("spec_rule", "{message}", {"message": message, "fix": fix})
