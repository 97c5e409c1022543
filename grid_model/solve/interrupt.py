"""An interrupt-safe solver thread: Ctrl-C and SIGTERM stop HiGHS at its next iteration, and reach the caller only
once HiGHS has stopped."""

from __future__ import annotations

import threading

import highspy

POLL_S = 0.1  # how often the main thread wakes to let Python run a signal handler
START_WAIT_S = 1.0  # how long an interrupt waits to learn whether the solver thread had started


def _run_interruptible(h: highspy.Highs) -> None:
    """``h.run()`` in a solver thread, so that Ctrl-C and SIGTERM are handled at once and the process exits cleanly.

    Python runs signal handlers in the main thread only when it holds the GIL, and HiGHS's ``run()`` releases it for
    the whole solve: a kill during a 2-minute solve used to wait for the solve to end. Here the main thread waits in
    short steps; when the CLI's handler raises ``KeyboardInterrupt`` (grid_model.cli), HiGHS is asked to stop at its
    next simplex or interior-point iteration (its interrupt callbacks), and the interrupt goes on once the solver
    thread is done. Presolve has no interrupt callback, so a kill there waits for presolve to end (seconds).

    The interrupt must not reach the caller while HiGHS still runs: the interpreter would then shut down under a
    thread inside HiGHS and the C++ runtime aborts ("terminate called without an active exception"; CI, 2026-11-29,
    with highspy's ``startSolve``, whose thread is a daemon that the interpreter does not wait for). So this thread is
    not a daemon, it joins HiGHS's worker threads (``resetGlobalScheduler(True)``) before it says it is done, it does
    not start HiGHS if the interrupt came first, and the caller waits on events, never on ``Thread.join``: in Python
    3.11 a ``join`` interrupted by a signal marks a running thread as stopped (a first version of this function did
    that and reproduced the abort here, core dump included).
    """
    stop = threading.Event()
    begun = threading.Event()
    done = threading.Event()
    failure: list[BaseException] = []

    def interrupt_if_asked(event: highspy.HighsCallbackEvent) -> None:
        """HiGHS's interrupt callback: tell it to stop when the caller was interrupted."""
        # the flag is written on every call: HiGHS keeps it between runs, so a flag left set by an earlier interrupted
        # solve of this instance would stop the next one at its first iteration
        event.interrupt(stop.is_set())

    def solve() -> None:
        """The solver thread: run HiGHS unless already interrupted, then join HiGHS's workers and say so."""
        begun.set()
        try:
            if not stop.is_set():
                h.run()
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)
        finally:
            try:
                highspy.Highs.resetGlobalScheduler(True)
            finally:
                done.set()

    callbacks = (h.cbSimplexInterrupt, h.cbIpmInterrupt)
    for cb in callbacks:
        cb.subscribe(interrupt_if_asked)
    thread = threading.Thread(target=solve, name="highs-solve")
    try:
        thread.start()
        while not done.wait(POLL_S):
            pass
    except BaseException:
        stop.set()
        if begun.wait(START_WAIT_S):  # the interrupt may have landed inside thread.start(), with the thread running
            done.wait()
        raise
    finally:
        for cb in callbacks:
            cb.unsubscribe(interrupt_if_asked)
    thread.join()
    if failure:
        raise failure[0]
