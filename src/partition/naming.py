"""Names for partnerships: stable, unique, recognisable.

A partnership is named after the town of its main anchor (the secondary,
all-through school or college with most pupils; without one, its largest
school). Where two partnerships would share a town, both get the anchor's
name in brackets: "Basingstoke (Brighton Hill Community School)". Names fixed
by ``pinned`` locks win. Partnership ids are then given in alphabetical order
of the names, so the same configuration always gets the same ids and names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _title(text: str) -> str:
    return " ".join(
        w if w.isupper() and len(w) <= 3 else w.capitalize() if w.isupper() else w for w in str(text).split()
    )


def name_partnerships(
    schools: pd.DataFrame, school_labels: np.ndarray, fixed: dict[int, str] | None = None
) -> dict[int, str]:
    """Map each label to a unique name (see module docstring)."""
    fixed = fixed or {}
    s = schools.assign(label=school_labels)
    main: dict[int, pd.Series] = {}
    for label, g in s.groupby("label"):
        pool = g[g["anchor"]] if g["anchor"].any() else g
        main[int(label)] = pool.sort_values(["pupils", "URN"], ascending=[False, True]).iloc[0]
    town = {lab: (_title(row["town"]) if str(row["town"]).strip() else row["name"]) for lab, row in main.items()}
    counts = pd.Series([town[lab] for lab in main if lab not in fixed]).value_counts()
    names = {}
    for lab, row in main.items():
        if lab in fixed:
            names[lab] = fixed[lab]
        elif counts.get(town[lab], 0) > 1:
            names[lab] = f"{town[lab]} ({row['name']})"
        else:
            names[lab] = town[lab]
    seen: dict[str, int] = {}
    for lab in sorted(names, key=lambda x: (names[x], int(main[x]["URN"]))):
        base = names[lab]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            names[lab] = f"{base} {seen[base]}"
    return names
