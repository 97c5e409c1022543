"""Errors that reach the user as one clear line (file, row, column) instead of a traceback."""

from __future__ import annotations


class GridModelError(Exception):
    """Base class for every error the command line reports as one line."""


class InputError(GridModelError):
    """Bad input data or scenario: names the file, the row and the column where known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        row_id: str | None = None,
    ) -> None:
        self.file, self.row, self.column, self.row_id = file, row, column, row_id
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}" + (f" ({row_id})" if row_id else ""))
        if column:
            where.append(f"column {column}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SolveError(GridModelError):
    """The solver did not return an optimal solution; results are not written."""


class InfeasibleError(SolveError):
    """The scenario has no feasible solution; the message says which constraints are involved."""
