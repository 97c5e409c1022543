"""Fixtures shared by several test modules."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Address of a running cluster, as a user would pass with --scheduler.

    One in-process, single-threaded worker: the client talks to it over TCP like to any scheduler, and the
    tests skip starting (and importing Pyomo in) more worker processes; parallelism is tested in test_sweep.py.
    """
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address
