"""Command-line interface: ``partition data summary``, ``partition fetch``, ...

A thin layer over the library: every error derived from
:class:`~partition.errors.PartitionError` becomes a one-line message on
standard error and exit status 2; data warnings are printed to standard error.
Ctrl-C (SIGINT) ends with one line, ``interrupted``, and exit status 130; SIGTERM
with ``terminated`` and 143 (128 + the signal's number, as a shell reports them).
``partition plan`` and ``partition run`` exit with :data:`VIOLATED_EXIT` (3)
when a configuration they wrote breaks a rule of its spec, unless
``--allow-violations``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from partition import __version__
from partition.errors import PartitionError
from partition.io.datapaths import DEFAULT_LA_CODES
from partition.io.schools import DEFAULT_KINDS, KINDS
from partition.model.spec import (
    DEFAULT_BALANCE_PENALTY_KM,
    DEFAULT_SETTLEMENT_PENALTY_KM,
    DEFAULT_TRUST_PENALTY_KM,
    PlanSpec,
    SizeBound,
)
from partition.runs.options import (
    OPTION_NAMES,
    OutputOptions,
    SolverOptions,
    data_from_options,
    model_default,
    solver_from_options,
    spec_changes,
    validate_options,
)
from partition.solvers import SOLVERS

VIOLATED_EXIT = 3
"""Exit status of ``plan``/``run`` when a configuration written breaks a rule of its spec (2 is for errors)."""

INTERRUPTED_EXIT = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report a process that SIGINT ended."""


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    click.echo(f"warning: {message}", err=True)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn PartitionError into a one-line message and exit status 2, Ctrl-C into ``interrupted`` and 130.

    Parameters
    ----------
    func
        A click command's function.

    Returns
    -------
    callable
        The function, with warnings shown as one line each and a :class:`~partition.errors.PartitionError`
        printed as ``error: ...`` (exit status :attr:`~partition.errors.PartitionError.exit_code`, no traceback);
        ``KeyboardInterrupt`` printed as ``interrupted`` (exit status :data:`INTERRUPTED_EXIT`) and SIGTERM
        (:class:`partition.runs.publish.Terminated`) as ``terminated`` (143). Notes added to the error on the
        way out (a batch summary that could not be updated either) follow, one line each.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from partition.runs.publish import Terminated

        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            warnings.simplefilter("default")
            try:
                return func(*args, **kwargs)
            except PartitionError as exc:
                _report(f"error: {exc}", exc)
                sys.exit(exc.exit_code)
            except KeyboardInterrupt as exc:
                _report("interrupted", exc)
                sys.exit(INTERRUPTED_EXIT)
            except Terminated as exc:
                _report("terminated", exc)
                raise

    return wrapper


def _report(line: str, exc: BaseException) -> None:
    """Print ``line`` and the notes added to ``exc``, one line each, on standard error."""
    click.echo(line, err=True)
    for note in getattr(exc, "__notes__", ()):
        click.echo(f"error: {note}", err=True)


MEMBER_OPTIONS = [
    click.option(
        "--no-members",
        is_flag=True,
        help="Leave out colleges, special schools and PRUs that are not planned as schools (default: each is a "
        "member of the partnership it stands in, not counted toward the size bounds).",
    ),
    click.option(
        "--independent-special",
        is_flag=True,
        help="Also include independent special schools (left out by default: not maintained by the council; "
        "most take pupils placed from many authorities).",
    ),
    click.option(
        "--establishments",
        type=click.Path(dir_okay=False),
        help="Colleges, special schools and PRUs without coordinates, located by postcode: the DfE school list "
        "(spine .xlsx) or a CSV (URN or ID, name, type, postcode) (default for Hampshire: the DfE list 2017-18).",
    ),
    click.option("--codepoint", type=click.Path(), help="OS Code-Point Open (folder or ZIP) for --establishments."),
    click.option("--ks5", type=click.Path(dir_okay=False), help="DfE 16-18 performance tables: colleges' students."),
]
"""The options on colleges, special schools and PRUs (members), shared by every command that loads data."""


def member_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add :data:`MEMBER_OPTIONS` to a command (``batch``, whose other data options are its own).

    Parameters
    ----------
    func
        A click command function.

    Returns
    -------
    callable
        The function with the options added.
    """
    return _with_options(func, MEMBER_OPTIONS)


def data_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The data options every command shares.

    Parameters
    ----------
    func
        A click command's function.

    Returns
    -------
    callable
        The function with the options ``--schools``, ``--boundaries``, ``--la`` ... added.
    """
    options = [
        click.option("--schools", type=click.Path(dir_okay=False), help="GIAS CSV (default: Hampshire extract)."),
        click.option(
            "--boundaries",
            type=click.Path(dir_okay=False),
            help="ONS district boundaries (GeoJSON, TopoJSON, GeoPackage, Shapefile).",
        ),
        click.option("--layer", help="Layer of the boundary file, when it holds several."),
        click.option(
            "--la",
            "la_codes",
            multiple=True,
            default=DEFAULT_LA_CODES,
            show_default=True,
            help="DfE LA code(s); repeat for several.",
        ),
        click.option("--status", type=click.Choice(["open", "all"]), default="open", show_default=True),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=click.Choice(KINDS),
            help=f"School kinds (default: {', '.join(DEFAULT_KINDS)}).",
        ),
        click.option(
            "--include-special",
            is_flag=True,
            help="Plan special schools and pupil referral units as schools, counted toward the size bounds "
            "(default: members of the partnership they stand in, not counted).",
        ),
        *MEMBER_OPTIONS,
        click.option(
            "--district",
            "district_codes",
            multiple=True,
            help="ONS district code(s) of the study area (default: those holding the schools).",
        ),
        click.option(
            "--units",
            default="sites",
            show_default=True,
            help="'sites' (Voronoi cells) or a polygon file/folder (wards, LSOAs).",
        ),
        click.option("--population", type=click.Path(), help="Child population CSV for polygon units."),
        click.option(
            "--islands",
            type=click.Choice(["link", "error"]),
            default="link",
            show_default=True,
            help="Policy for separate pieces of the unit map.",
        ),
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False),
            help="Data folder (default: $PARTITION_DATA, ../shared/data, data/).",
        ),
    ]
    return _with_options(func, options)


def _with_options(func: Callable[..., Any], options: list[Callable[..., Any]]) -> Callable[..., Any]:
    """``func`` with click ``options`` added, shown in ``--help`` in the order given."""
    for option in reversed(options):
        func = option(func)
    return func


def group_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options on federations and academy trusts that ``plan`` and ``run`` share.

    Parameters
    ----------
    func
        A click command's function.

    Returns
    -------
    callable
        The function with ``--federations``, ``--feeders``, ``--trusts``, ``--trust-penalty``, ``--settlements``,
        ``--settlement-penalty`` and ``--balance-penalty`` added.
    """
    return _with_options(
        func,
        [
            click.option(
                "--federations",
                type=click.Choice(["together", "ignore"]),
                default=None,
                help="Keep each GIAS federation in one partnership (together, the default: a lock from the data) or not (ignore).",
            ),
            click.option(
                "--feeders",
                type=click.Choice(["together", "ignore"]),
                default=None,
                help="Keep each feeder pair (an infant school and its junior school, a first and its middle school, "
                "recognised from names and distance) in one partnership (together, the default) or only report "
                "them (ignore).",
            ),
            click.option(
                "--trusts",
                type=click.Choice(["ignore", "prefer"]),
                default=None,
                help="Academy trusts (GIAS Trusts (name)): only report their splits (ignore, the default) or prefer plans that keep them whole (prefer: --trust-penalty km per split).",
            ),
            click.option(
                "--trust-penalty",
                type=float,
                default=None,
                help="km added to the objective for each trust split (a trust's partnerships beyond its first), "
                f"with --trusts prefer (default {DEFAULT_TRUST_PENALTY_KM:g}).",
            ),
            click.option(
                "--settlements",
                type=click.Choice(["prefer", "ignore"]),
                default=None,
                help="Towns and villages: keep them whole where it costs little (prefer, the default: "
                "--settlement-penalty km per split) or only report them (ignore).",
            ),
            click.option(
                "--settlement-penalty",
                type=float,
                default=None,
                help=f"km added to the objective per settlement split (default {DEFAULT_SETTLEMENT_PENALTY_KM:g}).",
            ),
            click.option(
                "--balance-penalty",
                type=float,
                default=None,
                help="km added to the objective per percentage point of the mean a partnership's pupils lie outside "
                f"the preferred band, half-way between the mean and each limit (default {DEFAULT_BALANCE_PENALTY_KM:g}; "
                "0: any size within the bounds is as good as another).",
            ),
        ],
    )


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The output options that ``plan`` and ``run`` share.

    Parameters
    ----------
    func
        A click command's function.

    Returns
    -------
    callable
        The function with ``--basemap`` and ``--allow-violations`` added.
    """
    return _with_options(
        func,
        [
            click.option(
                "--basemap",
                type=click.Choice(["osm", "none"]),
                default=None,
                help="Online base map under the maps: osm (OpenStreetMap tiles, needs a network) or none (default; offline context only).",
            ),
            click.option(
                "--allow-violations",
                is_flag=True,
                help=f"Exit 0 (not {VIOLATED_EXIT}) when a configuration breaks a rule of its spec; the warnings stay.",
            ),
        ],
    )


def spec_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of the plan spec and solver that ``plan`` and ``batch`` share (all but k).

    Parameters
    ----------
    func
        A click command's function.

    Returns
    -------
    callable
        The function with ``--spec``, ``--tolerance``, ``--schools-min``, ``--schools-max``, ``--no-anchors``,
        ``--districts``, ``--split-penalty``, ``--solver``, ``--seed`` and ``--objective`` added.
    """
    return _with_options(
        func,
        [
            click.option(
                "--spec",
                "spec_file",
                type=click.Path(dir_okay=False),
                help="Plan specification (TOML); options below override it.",
            ),
            click.option(
                "--tolerance",
                type=float,
                help=f"Pupils within ±this share of the mean (default {SizeBound().tolerance:.2f}).",
            ),
            click.option("--schools-min", type=int, help="At least this many schools per partnership."),
            click.option("--schools-max", type=int, help="At most this many schools per partnership."),
            click.option(
                "--no-anchors", is_flag=True, help="Do not require a secondary, all-through school or college in each."
            ),
            click.option(
                "--districts",
                type=click.Choice(["ignore", "penalise", "nest"]),
                help="District boundaries: ignore, penalise splits, or nest within them.",
            ),
            click.option(
                "--split-penalty",
                type=float,
                help="km added to the objective for each district a partnership reaches beyond its first (with --districts penalise).",
            ),
            solver_option(
                "name", "--solver", type=click.Choice(SOLVERS), help="The solver (partition.solvers.registry)."
            ),
            click.option("--seed", type=int, help=f"Random seed (default {PlanSpec().random_state})."),
            click.option(
                "--objective",
                type=click.Choice(["centroid", "hub"]),
                help="Minimise wdist (centroid, default) or the distance to each partnership's hub school (hub: bound and gap reported).",
            ),
        ],
    )


def where_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Where independent jobs run (``batch``'s LAs, ensembles' chains): ``--workers`` and ``--scheduler``.

    Parameters
    ----------
    func
        A click command's function.

    Returns
    -------
    callable
        The function with ``--workers`` and ``--scheduler`` added.
    """
    return _with_options(
        func,
        [
            click.option(
                "--workers",
                type=click.IntRange(min=1),
                help="Local processes (default: one per core; 1 runs everything in this process).",
            ),
            click.option(
                "--scheduler",
                help="Address of a Dask distributed scheduler (tcp://host:8786) whose workers run the jobs instead "
                "(pip install 'partition[cluster]'; workers need the same data and output paths).",
            ),
        ],
    )


class _Group(click.Group):
    """The root group; remembers the arguments as typed, for the command recorded in published files."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any):
        ctx = super().make_context(info_name, list(args), parent=parent, **extra)
        ctx.meta["partition.argv"] = list(args)
        return ctx


def typed_command() -> str:
    """The command as the user typed it (``partition run configs/x.toml``), without this machine's paths."""
    from partition.runs.publish import public_command

    return public_command(click.get_current_context().meta.get("partition.argv"))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="partition")
def cli() -> None:
    """Plan local children's partnerships: contiguous, balanced groups of schools."""


@cli.group()
def data() -> None:
    """Inspect the input data."""


@data.command("summary")
@data_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
@handle_errors
def data_summary_cmd(as_json: bool, **opts: Any) -> None:
    """Print what was loaded: schools by district and kind, exclusions, sites, units, graph."""
    from partition.data.summary import data_summary, format_summary
    from partition.runs.loading import prepare_data

    inputs = prepare_data(data_from_options(opts), data_dir=opts.pop("data_dir"))
    summary = data_summary(inputs.dataset, inputs.units, inputs.graph)
    click.echo(json.dumps(summary, indent=2, default=str) if as_json else format_summary(summary))


@cli.command("fetch")
@click.option("--dest", type=click.Path(file_okay=False), help="Cache folder (default: data/ in the project).")
@click.option("--base-url", help="Download from this server instead of the official ones (mirror).")
@click.option("--date", "date_text", help="GIAS file date YYYY-MM-DD (default: today).")
@click.option("--force", is_flag=True, help="Download again even when the file is cached.")
@click.option(
    "--only", multiple=True, type=click.Choice(["gias", "lad2023", "codepoint"]), help="Fetch only these files."
)
@handle_errors
def fetch_cmd(
    dest: str | None, base_url: str | None, date_text: str | None, force: bool, only: tuple[str, ...]
) -> None:
    """Download the official GIAS, ONS and OS Code-Point Open files into the data/ cache."""
    from partition.io.fetch import fetch

    date = None
    if date_text:
        try:
            date = dt.date.fromisoformat(date_text)
        except ValueError:
            raise click.BadParameter(f"{date_text!r} is not a date like 2026-11-29", param_hint="--date") from None
    for rec in fetch(dest, base_url=base_url, date=date, force=force, only=list(only) or None):
        state = "cached" if rec["skipped"] else "downloaded"
        click.echo(
            f"{state}: {rec['path']} ({rec['bytes']:,} bytes, sha256 {str(rec['sha256'])[:12]}) from {rec['url']}"
        )


def _spec_from_options(spec_file: str | None, ks: tuple[int, ...], opts: dict[str, Any]) -> Any:
    """The plan spec: the --spec file (or the defaults) with the options on top (see :func:`partition.runs.loading.spec_from_options`)."""
    from partition.core.schema import Source
    from partition.model.spec import PlanSpec
    from partition.runs.loading import spec_from_options

    changes = {"k": list(ks) or None, **spec_changes(opts)}
    base = PlanSpec.from_toml(spec_file) if spec_file else PlanSpec()
    return spec_from_options(base, changes, Source("options", options=OPTION_NAMES))


def solver_option(field: str, *decls: str, **kwargs: Any) -> Callable[..., Any]:
    """A click option for a ``[solver]`` key, its default taken from :class:`~partition.runs.options.SolverOptions`."""
    return click.option(*decls, default=model_default(SolverOptions, field), show_default=True, **kwargs)


@cli.command("plan", context_settings={"ignore_unknown_options": False})
@data_options
@click.option(
    "--k",
    "ks",
    multiple=True,
    type=int,
    help="Number(s) of partnerships: --k 22 23 24 (default " + ", ".join(map(str, PlanSpec().k)) + ").",
)
@click.argument("more_k", nargs=-1, type=int, metavar="")
@spec_options
@group_options
@solver_option(
    "time_limit",
    "--time-limit",
    type=float,
    help="Safety stop (s) of each HiGHS run; a work budget decides the plan, and if this stop fires first "
    "the run is refused (exit 2), never given another plan.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="maps",
    show_default=True,
    help="Output folder; one sub-folder per configuration.",
)
@click.option(
    "--start-from",
    type=click.Path(dir_okay=False),
    help="Seed the solver with an edited plan: a CSV URN,partnership[,note] with every school (k must match).",
)
@click.option(
    "--lock-from",
    type=click.Path(dir_okay=False),
    help="Pin each school of a CSV URN,partnership[,note,moved] to its partnership (names kept; with a moved column, as the editor exports, only the rows marked yes); the rest is re-planned.",
)
@solver_option(
    "alternatives", "--alternatives", type=int, help="Also write up to N diverse near-optimal alternatives per k."
)
@solver_option(
    "min_difference",
    "--min-difference",
    type=int,
    help="Alternatives differ from each other by at least this many schools.",
)
@solver_option("within", "--within", type=float, help="Alternatives' wdist within this share of the best.")
@output_options
@handle_errors
def plan_cmd(ks: tuple[int, ...], more_k: tuple[int, ...], **opts: Any) -> None:
    """Partition the schools into k partnerships for every k asked and write each configuration.

    The output folder is replaced as a whole, in one step, when every configuration is written; a folder
    that partition did not create is refused. Exit status 0 when every configuration meets its rules,
    3 when one breaks them (outputs written, with a warning on every map), 2 on an error (nothing written).
    """
    from partition.runs.workflow import plan

    spec = _spec_from_options(opts.pop("spec_file"), tuple(ks) + tuple(more_k), opts)
    solver_options = solver_from_options(opts)
    out_dir, allow_violations = opts.pop("out_dir"), opts.pop("allow_violations")
    basemap, start_from, lock_from = opts.pop("basemap"), opts.pop("start_from"), opts.pop("lock_from")
    data = data_from_options(opts)
    result = plan(
        data,
        spec,
        solver_options,
        out_dir,
        data_dir=opts.pop("data_dir"),
        basemap=basemap,
        command=typed_command(),
        echo=click.echo,
        start_from=start_from,
        lock_from=lock_from,
    )
    for path in result.outputs.comparison_maps:
        click.echo(f"map: {Path(out_dir) / path.name}")
    _exit_for_violations(result.violated, allow_violations)


@cli.command("batch")
@click.option(
    "--schools",
    type=click.Path(dir_okay=False),
    help="GIAS CSV of every LA to plan (default: the England extract in the data folder).",
)
@click.option(
    "--boundaries",
    type=click.Path(dir_okay=False),
    help="ONS district boundaries covering them (default: the England LAD 2013 file).",
)
@click.option("--layer", help="Layer of the boundary file, when it holds several.")
@click.option("--la", "la_codes", multiple=True, help="DfE LA code(s) to plan; repeat for several (default: every LA).")
@click.option("--status", type=click.Choice(["open", "all"]), default="open", show_default=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="School kinds (default: as plan).")
@click.option("--include-special", is_flag=True, help="Also load special schools and pupil referral units.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Data folder (default: $PARTITION_DATA, ../shared/data, data/).",
)
@click.option("--k", "ks", multiple=True, type=int, help="The same k for every LA (repeat for several).")
@click.option(
    "--schools-per-partnership",
    type=float,
    help="k = schools ÷ this, rounded, at least 1 (the default rule, with 21).",
)
@click.option("--pupils-per-partnership", type=float, help="k = pupils ÷ this, rounded, at least 1.")
@click.option(
    "--k-table", type=click.Path(dir_okay=False), help="CSV with columns la,k (one row per LA and k); others refused."
)
@spec_options
@group_options
@solver_option(
    "time_limit",
    "--time-limit",
    type=float,
    help="Safety stop (s) of each HiGHS run; a work budget decides the plan, and if this stop fires first "
    "the run is refused (exit 2), never given another plan.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="batch",
    show_default=True,
    help="Batch folder: one folder per LA, summary.csv and index.html.",
)
@click.option("--no-maps", is_flag=True, help="Write the plans and the summary only (no maps or editors).")
@member_options
@where_options
@click.option("--restart", is_flag=True, help="Plan every LA again, even those done with the same inputs and spec.")
@handle_errors
def batch_cmd(**opts: Any) -> None:
    """Plan many LAs (every LA of the schools file by default) in parallel, each into its own folder.

    Reads each input file once per worker, plans each LA with the same spec and a k from the rule,
    checks and writes the usual outputs of plan into OUT/CODE-NAME/ (the LA code and name), and keeps OUT/summary.csv and
    OUT/index.html (every LA: k, outcome, wdist, largest size difference, time, map link, reason) up to
    date as LAs finish. Resumable: run it again to plan only what is not done. Exit status 0 when every
    LA is planned or refused with a reason, 3 when a plan breaks a rule or an LA failed, 2 on an error.
    """
    from partition.runs.batch import batch
    from partition.runs.krule import KRule, read_k_table

    k_table = opts.pop("k_table")
    rule = KRule(
        k=tuple(opts.pop("ks")),
        schools_per=opts.pop("schools_per_partnership"),
        pupils_per=opts.pop("pupils_per_partnership"),
        table=read_k_table(k_table) if k_table else None,
    )
    spec = _spec_from_options(opts.pop("spec_file"), (), opts)
    solver_options = solver_from_options(opts)
    las, out_dir = list(opts.pop("la_codes")), opts.pop("out_dir")
    maps, resume = not opts.pop("no_maps"), not opts.pop("restart")
    workers, scheduler = opts.pop("workers"), opts.pop("scheduler")
    data = data_from_options(opts)  # the LA of each job is set per LA
    progress = _BatchProgress()
    result = batch(
        data,
        spec,
        solver_options,
        out_dir,
        rule=rule,
        las=las,
        data_dir=opts.pop("data_dir"),
        maps=maps,
        workers=workers,
        scheduler=scheduler,
        resume=resume,
        command=typed_command(),
        progress=progress,
    )
    progress.close()
    counts = ", ".join(f"{result.count(s)} {s}" for s in ("valid", "violated", "refused", "failed") if result.count(s))
    reused = f" ({result.skipped} done earlier, not planned again)" if result.skipped else ""
    click.echo(f"{len(result.results)} LAs in {result.seconds:.0f} s: {counts}{reused}")
    click.echo(f"summary: {Path(out_dir) / 'index.html'} and {Path(out_dir) / 'summary.csv'}")
    if result.count("violated") or result.count("failed"):
        sys.exit(VIOLATED_EXIT)


class _BatchProgress:
    """A progress bar on a terminal; otherwise one line per LA that is not planned as asked (quiet logs)."""

    def __init__(self) -> None:
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit="LA", file=sys.stderr, desc="planning")

    def __call__(self, result: Any, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.update(1)
        if result.status != "valid" and not result.skipped:
            reason = next((r.get("reason") for r in result.rows if r.get("reason")), "")
            line = f"{result.la} {result.authority}: {result.status}: {reason}"
            if self.bar is not None:
                self.bar.write(line, file=sys.stderr)
            else:
                click.echo(line, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _exit_for_violations(broken: list[str], allow: bool) -> None:
    """Exit with :data:`VIOLATED_EXIT` when configurations (``broken``: their names) break their rules, unless ``allow``."""
    if not broken:
        return
    names = ", ".join(broken)
    if allow:
        click.echo(
            f"warning: {names} do(es) not meet the rules (allowed by --allow-violations); the outputs say so", err=True
        )
        return
    click.echo(
        f"error: {len(broken)} configuration(s) do not meet the rules of their spec: {names}. The outputs were written and "
        f"carry this warning (maps, plan.json, and with 'run' the pack, exports and manifest). Fix: loosen the spec or change k, or pass --allow-violations to exit 0",
        err=True,
    )
    sys.exit(VIOLATED_EXIT)


@cli.command("compare")
@data_options
@click.argument("configurations", nargs=-1, type=click.Path())
@click.option("--no-current", is_flag=True, help="Leave out the current arrangement (one partnership per district).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--markdown", is_flag=True, help="Print a Markdown table.")
@click.option(
    "--list-changes", is_flag=True, help="List the schools that change partnership against the first configuration."
)
@click.option(
    "--ensemble",
    "ensemble_size",
    type=int,
    default=0,
    help="Also rank each valid configuration within N valid plans sampled by ReCom.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the ensemble.")
@click.option(
    "--chains",
    type=int,
    default=None,
    help="Independent chains of the ensemble, each from a random plan "
    f"[default: {model_default(OutputOptions, 'ensemble_chains')}].",
)
@click.option(
    "--burn-in",
    type=int,
    default=None,
    help=f"Steps discarded at the start of each chain [default: {model_default(OutputOptions, 'ensemble_burn_in')}].",
)
@click.option(
    "--thin",
    type=int,
    default=None,
    help="Keep every n-th step of each chain [default: enough for 25,000 steps in all, 25 for 1,000 plans].",
)
@where_options
@handle_errors
def compare_cmd(configurations: tuple[str, ...], **opts: Any) -> None:
    """Score configurations side by side: folders from 'partition plan', URN,partnership CSVs or polygon layers.

    The current arrangement (one partnership per district) is included unless --no-current.
    Agreement (ARI, VI, schools moved) is measured against the first configuration.
    """
    from partition.analysis.columns import ensemble_design_text
    from partition.analysis.compare import format_scorecard
    from partition.model.spec import SpecSchema
    from partition.runs.workflow import compare

    ensemble_size, seed = opts.pop("ensemble_size"), opts.pop("seed")
    design = {"chains": opts.pop("chains"), "burn_in": opts.pop("burn_in"), "thin": opts.pop("thin")}
    given = {f"ensemble_{key}": value for key, value in design.items() if value is not None}
    validate_options(OutputOptions, {"ensemble": ensemble_size, **given})
    validate_options(SpecSchema, {"random_state": seed})
    no_current, as_csv, markdown = opts.pop("no_current"), opts.pop("as_csv"), opts.pop("markdown")
    if not configurations and no_current:
        raise click.UsageError("nothing to compare: give configurations or drop --no-current")
    list_changes = opts.pop("list_changes")
    workers, scheduler = opts.pop("workers"), opts.pop("scheduler")
    data = data_from_options(opts)
    result = compare(
        data,
        list(configurations),
        current=not no_current,
        ensemble=ensemble_size,
        seed=seed,
        data_dir=opts.pop("data_dir"),
        workers=workers,
        scheduler=scheduler,
        **design,
    )
    click.echo(format_scorecard(result.table, "csv" if as_csv else "markdown" if markdown else "text"))
    if not as_csv and not markdown and result.table.attrs.get("ensemble_design"):
        click.echo("\nRanks:" + ensemble_design_text(result.table.attrs["ensemble_design"]))
    if list_changes:
        for change in result.changes:
            click.echo("\n" + "\n".join(change.lines()))


@cli.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Output folder (default: the scenario's [outputs] folder).",
)
@output_options
@group_options
@where_options
@handle_errors
def run_cmd(scenario: str, **opts: Any) -> None:
    """Run a scenario file (TOML): plans, maps, comparison, exports, consultation pack and manifest.

    The output folder is replaced as a whole, in one step, when everything is written; a failure or an
    interrupt leaves the previous outputs as they were, and a folder that partition did not create is
    refused. Exit status 0 when every configuration meets its rules, 3 when one breaks them (outputs
    written, with a warning on every map, in the pack, the exports and the manifest), 2 on an error
    (nothing written).
    """
    from partition.runs.scenario import load_scenario
    from partition.runs.workflow import run

    spec = load_scenario(scenario)
    basemap = opts.pop("basemap")
    if basemap:
        spec = dataclasses.replace(spec, outputs={**spec.outputs, "basemap": basemap})
    changes = {key: value for key, value in spec_changes(opts).items() if value is not None}
    if changes:  # the options win over the scenario's [spec]
        from partition.core.schema import Source
        from partition.runs.loading import spec_from_options

        spec = dataclasses.replace(
            spec, spec=spec_from_options(spec.spec, changes, Source("options", options=OPTION_NAMES))
        )
    result = run(
        spec,
        opts.pop("out_dir"),
        echo=click.echo,
        command=typed_command(),
        workers=opts.pop("workers"),
        scheduler=opts.pop("scheduler"),
    )
    click.echo(
        f"wrote {result.folder}/ (consultation-pack.html, exports/, manifest.json) in "
        f"{result.manifest['timings_s']['total']:.0f} s"
    )
    _exit_for_violations(result.violated, opts.pop("allow_violations"))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="partition")


if __name__ == "__main__":  # python -m partition.cli
    main()
