"""Command-line interface: ``partition data summary``, ``partition fetch``, ...

A thin layer over the library: every error derived from
:class:`~partition.errors.PartitionError` becomes a one-line message on
standard error and exit status 2; data warnings are printed to standard error.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
import warnings
from collections.abc import Callable
from typing import Any

import click

from partition import __version__
from partition.errors import PartitionError
from partition.io.schools import DEFAULT_KINDS, KINDS


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
    click.echo(f"warning: {message}", err=True)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn PartitionError into a one-line message and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            warnings.simplefilter("default")
            try:
                return func(*args, **kwargs)
            except PartitionError as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(exc.exit_code)

    return wrapper


def data_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The data options every command shares."""
    options = [
        click.option("--schools", type=click.Path(dir_okay=False), help="GIAS CSV (default: Hampshire extract)."),
        click.option("--boundaries", type=click.Path(dir_okay=False), help="ONS district boundaries (GeoJSON, TopoJSON, GeoPackage, Shapefile)."),
        click.option("--layer", help="Layer of the boundary file, when it holds several."),
        click.option("--la", "la_codes", multiple=True, default=("850",), show_default=True, help="DfE LA code(s); repeat for several."),
        click.option("--status", type=click.Choice(["open", "all"]), default="open", show_default=True),
        click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help=f"School kinds (default: {', '.join(DEFAULT_KINDS)})."),
        click.option("--include-special", is_flag=True, help="Also load special schools and pupil referral units."),
        click.option("--district", "district_codes", multiple=True, help="ONS district code(s) of the study area (default: those holding the schools)."),
        click.option("--units", default="sites", show_default=True, help="'sites' (Voronoi cells) or a polygon file/folder (wards, LSOAs)."),
        click.option("--population", type=click.Path(), help="Child population CSV for polygon units."),
        click.option("--islands", type=click.Choice(["link", "error"]), default="link", show_default=True, help="Policy for separate pieces of the unit map."),
        click.option("--data-dir", type=click.Path(file_okay=False), help="Data folder (default: $PARTITION_DATA, ../shared/data, data/)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def prepare_from_options(opts: dict[str, Any]) -> Any:
    """Build :class:`partition.pipeline.Inputs` from the shared data options."""
    from partition.pipeline import prepare

    kinds = tuple(opts.pop("kinds") or DEFAULT_KINDS)
    if opts.pop("include_special"):
        kinds = tuple(dict.fromkeys((*kinds, "special", "pru")))
    return prepare(
        opts.pop("schools"),
        opts.pop("boundaries"),
        units=opts.pop("units"),
        population=opts.pop("population"),
        island_policy=opts.pop("islands"),
        data=opts.pop("data_dir"),
        la_codes=tuple(opts.pop("la_codes")),
        status=opts.pop("status"),
        kinds=kinds,
        district_codes=tuple(opts.pop("district_codes")) or None,
        layer=opts.pop("layer"),
    )


@click.group()
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
    from partition.summary import data_summary, format_summary

    inputs = prepare_from_options(opts)
    summary = data_summary(inputs.dataset, inputs.units, inputs.graph)
    click.echo(json.dumps(summary, indent=2, default=str) if as_json else format_summary(summary))


@cli.command("fetch")
@click.option("--dest", type=click.Path(file_okay=False), help="Cache folder (default: data/ in the project).")
@click.option("--base-url", help="Download from this server instead of the official ones (mirror).")
@click.option("--date", "date_text", help="GIAS file date YYYY-MM-DD (default: today).")
@click.option("--force", is_flag=True, help="Download again even when the file is cached.")
@click.option("--only", multiple=True, type=click.Choice(["gias", "lad2023"]), help="Fetch only these files.")
@handle_errors
def fetch_cmd(dest: str | None, base_url: str | None, date_text: str | None, force: bool, only: tuple[str, ...]) -> None:
    """Download the official GIAS and ONS files into the data/ cache."""
    from partition.fetch import fetch

    date = None
    if date_text:
        try:
            date = dt.date.fromisoformat(date_text)
        except ValueError:
            raise click.BadParameter(f"{date_text!r} is not a date like 2026-11-29", param_hint="--date") from None
    for rec in fetch(dest, base_url=base_url, date=date, force=force, only=list(only) or None):
        state = "cached" if rec["skipped"] else "downloaded"
        click.echo(f"{state}: {rec['path']} ({rec['bytes']:,} bytes, sha256 {str(rec['sha256'])[:12]}) from {rec['url']}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="partition")
