"""Where independent pieces of work run: in this process, in local processes, or on a Dask cluster.

``partition batch`` (one job per LA) and ReCom ensembles (one job per chain) hand their jobs to a
:class:`concurrent.futures.Executor` from :func:`executor`:

* ``workers=1`` and no scheduler: this process, one job after another (no pool; easiest to debug);
* no scheduler: a :class:`~concurrent.futures.ProcessPoolExecutor` of ``workers`` spawned processes
  (default: the cores this process may use), each killed by the system when this process ends
  (:func:`die_with_parent`), and stopped on an interrupt (Ctrl-C, SIGTERM) before it returns;
* ``scheduler="tcp://host:8786"``: the workers of a running Dask distributed cluster
  (``dask.distributed.Client(scheduler).get_executor()``; install with ``pip install
  "partition[cluster]"``). The workers must have partition installed and see the data and output
  folders at the same paths (a shared file system).

Jobs carry their own seeds, so results never depend on where or in which order they ran.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from partition.errors import PartitionError
from partition.runs.publish import sigterm_raises

CONNECT_TIMEOUT_S = 20
"""Seconds to wait for a Dask scheduler before giving up."""


class SchedulerError(PartitionError):
    """The Dask scheduler cannot be reached or Dask is not installed."""


class InProcessExecutor(Executor):
    """Runs each job at once in this process when submitted (``workers=1``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:  # noqa: D102
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the caller sees it through the future, as with a pool
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            future.set_exception(exc)
        return future


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1.

    Returns
    -------
    int
        ``len(os.sched_getaffinity(0))`` where available, else ``os.cpu_count()``.
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal a process gets when the thread that started it exits."""


def die_with_parent() -> None:
    """Ask Linux to kill this process (SIGKILL) when its parent ends, so that no pool worker outlives an
    interrupted batch and goes on publishing (a pool's initializer; elsewhere it does nothing).
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _local_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of freshly spawned worker processes (no threads forked), each killed when this process ends."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=die_with_parent)


def _dask_executor(scheduler: str) -> tuple[Executor, Any]:
    """The executor of a Dask client connected to ``scheduler``, and the client (to close)."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise SchedulerError(
            "--scheduler needs Dask distributed, which is not installed",
            fix='pip install "partition[cluster]" (or pip install "dask[distributed]")',
        ) from None
    try:
        client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(
            f"cannot reach the Dask scheduler at {scheduler} ({str(exc).splitlines()[0]})",
            fix="start one (dask scheduler; dask worker ADDRESS) or check the address, e.g. tcp://host:8786",
        ) from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError):
        client.close()
        raise SchedulerError(
            f"the Dask scheduler at {scheduler} has no workers (none joined within {CONNECT_TIMEOUT_S} s)",
            fix=f"start workers: dask worker {scheduler} --nthreads 1",
        ) from None
    return client.get_executor(pure=False), client


@contextlib.contextmanager
def executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """An executor for independent jobs, shut down on exit.

    Parameters
    ----------
    workers
        Local processes (default: :func:`usable_cores`); 1 runs the jobs in this process. Ignored
        with ``scheduler`` (the cluster has its own workers).
    scheduler
        Address of a Dask distributed scheduler (``tcp://host:8786``), or None for local processes.

    Yields
    ------
    concurrent.futures.Executor
        Submit jobs to it; their futures are standard :class:`concurrent.futures.Future` objects.

    Raises
    ------
    SchedulerError
        When Dask is not installed or the scheduler cannot be reached.
    """
    if scheduler:
        pool, client = _dask_executor(scheduler)
        try:
            yield pool
        finally:
            pool.shutdown(wait=False)
            client.close()
        return
    count = usable_cores() if workers is None else max(1, int(workers))
    if count == 1:
        yield InProcessExecutor()
        return
    pool = _local_pool(count)
    try:
        with sigterm_raises():
            yield pool
    except BaseException:
        _stop_workers(pool)  # interrupted or failed: no worker goes on writing after this process has gone
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel the jobs not started and stop the running ones (SIGTERM: a job publishing its outputs removes
    its staging folder on the way out, see :func:`partition.runs.publish.staged_output`).
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
