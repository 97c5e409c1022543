"""Exports of a scenario to other tools' formats (``grid-model export … --to FORMAT OUT``).

``grid_model.export.pypsa``: a PyPSA network (netCDF), with the ``extra_functionality`` that makes PyPSA solve
grid_model's LP. Each exporter imports its tool itself, so this package imports nothing optional.
"""

FORMATS: dict[str, str] = {"pypsa": "PyPSA network (netCDF, .nc)"}
