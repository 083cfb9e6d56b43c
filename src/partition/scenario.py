"""Scenario files: data, spec, solver and outputs of one run, in TOML.

See ``configs/hampshire.toml``. Sections and keys:

``[data]``
    ``schools``, ``boundaries``, ``layer``, ``la`` (list), ``status``, ``kinds`` (list),
    ``districts`` (list of ONS codes), ``units``, ``population``, ``islands``.
``[spec]``
    as :class:`partition.spec.PlanSpec` (``k``, ``[[spec.size]]``, ``anchors``,
    ``districts``, ``split_penalty_km``, ``[spec.locks]``, ``random_state``).
``[solver]``
    ``name`` (``auto``, ``heuristic``, ``exact`` or a baseline), ``time_limit``,
    ``alternatives``, ``min_difference``, ``within``.
``[outputs]``
    ``folder``, ``maps``, ``exports``, ``pack`` (booleans), ``ensemble`` (plans sampled
    to rank each configuration; 0 for none).

Unknown keys and bad values are rejected naming the file, line and fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partition.errors import SpecError
from partition.solvers import SOLVERS
from partition.spec import PlanSpec

SECTIONS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "data": {"schools": str, "boundaries": str, "layer": str, "la": list, "status": str, "kinds": list, "districts": list,
             "units": str, "population": str, "islands": str},
    "solver": {"name": str, "time_limit": (int, float), "alternatives": int, "min_difference": int, "within": (int, float)},
    "outputs": {"folder": str, "maps": bool, "exports": bool, "pack": bool, "ensemble": int},
}
CHOICES = {
    ("data", "status"): ("open", "all"),
    ("data", "islands"): ("link", "error"),
    ("solver", "name"): SOLVERS,
}


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file."""

    path: Path
    data: dict[str, Any]
    spec: PlanSpec
    solver: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    @property
    def folder(self) -> Path:
        return Path(self.outputs.get("folder", "maps"))


def _line_of(text: str, section: str, key: str | None = None) -> int | None:
    lines = text.splitlines()
    in_section = key is None
    for i, line in enumerate(lines, 1):
        stripped = line.strip()
        if re.match(rf"^\[\[?\s*{re.escape(section)}(\.[\w.]+)?\s*\]\]?", stripped):
            if key is None:
                return i
            in_section = stripped.strip("[] ") == section
            continue
        if stripped.startswith("["):
            in_section = False
        if in_section and key is not None and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return i
    return None


def _error(path: Path, text: str, section: str, key: str | None, message: str, fix: str) -> SpecError:
    line = _line_of(text, section, key)
    where = f"{path}" + (f", line {line}" if line else "")
    return SpecError(f"{where}: {message}", fix=fix)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise SpecError(f"{path}: cannot be read ({exc.strerror})", fix="check the path") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})", fix="correct the syntax at the line given") from None
    unknown = sorted(set(raw) - {"data", "spec", "solver", "outputs"})
    if unknown:
        raise _error(path, text, unknown[0], None, f"unknown section [{unknown[0]}]", "sections are [data], [spec], [solver], [outputs]")
    for section, keys in SECTIONS.items():
        table = raw.get(section, {})
        for key, value in table.items():
            if key not in keys:
                raise _error(path, text, section, key, f"unknown key '{key}' in [{section}]", f"keys of [{section}] are {', '.join(keys)}")
            expected = keys[key]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                names = "/".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
                raise _error(path, text, section, key, f"[{section}] {key} = {value!r} should be a {names}", "correct the value")
            choices = CHOICES.get((section, key))
            if choices and value not in choices:
                raise _error(path, text, section, key, f"[{section}] {key} = {value!r} is not one of {', '.join(choices)}", f"use one of {', '.join(choices)}")
    try:
        spec = PlanSpec.from_dict(raw.get("spec", {}), source=str(path))
    except SpecError as exc:
        bad = re.search(r"unknown key\(s\) (\w+)", str(exc))
        line = _line_of(text, "spec", bad.group(1)) if bad else _line_of(text, "spec")
        raise SpecError(f"{exc.message}" + (f" (line {line})" if line else ""), fix=exc.fix) from None
    return Scenario(path=path, data=dict(raw.get("data", {})), spec=spec, solver=dict(raw.get("solver", {})),
                    outputs=dict(raw.get("outputs", {})), text=text)
