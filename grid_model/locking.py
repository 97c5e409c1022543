"""One writer per results folder: a lock file beside it, with the owner's process id."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grid_model.errors import InputError


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def output_lock(out_dir: str | Path) -> Iterator[Path]:
    """Hold ``.<name>.lock`` beside ``out_dir`` while writing it; refuse if a live process holds it.

    A lock left by a process that no longer exists (killed run) is taken over.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = out.parent / f".{out.name}.lock"
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid and _alive(pid):
                raise InputError(
                    f"another grid-model run (process {pid}) is writing {out}; wait for it to finish "
                    f"or choose another --out"
                ) from None
            lock.unlink(missing_ok=True)  # stale: its owner is gone
            continue
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        break
    else:  # pragma: no cover - a third process raced us twice
        raise InputError(f"could not lock {out}; try again")
    try:
        yield lock
    finally:
        lock.unlink(missing_ok=True)
