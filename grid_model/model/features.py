"""The ordered feature list. Each feature module has one face:

* ``add(ctx)`` — its variables, constraints and registry terms (``grid_model.model.context``);
* ``report(ctx, readout)`` — its rows of the result tables, hourly series and summary figures.

Adding a feature is a new module with those two functions and one entry here. Policy comes last: it reads
what the others published (emissions, generation).
"""

from __future__ import annotations

from grid_model.model import elastic, generation, hydro, links, policy, storage, unserved

FEATURES = (generation, storage, hydro, links, unserved, elastic, policy)
