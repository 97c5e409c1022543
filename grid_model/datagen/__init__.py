"""Generator of the Pacific Alliance + SIEPAC + Ecuador input dataset (``data/pacific/``).

Everything in ``data/pacific`` is written by :func:`grid_model.datagen.build.main`
(``python -m grid_model.datagen.build``); nothing there is edited by hand.

- ``params.yaml`` — every number the build uses that is not in the vendored extracts, each with its source
  and a reliability flag (R read, R-press, D derived, U unverified, J judgement).
- ``reference/`` — vendored extracts: OWID/Ember 2022–2025 annual electricity data and IRENA installed
  capacity 2021–2023 for the 11 countries.
- ``static`` — the static tables (zones, fuels, technologies, generators, storage, hydro, links, subsidies,
  demand growth).
- ``demand``, ``solar``, ``wind``, ``hydro`` — the synthetic hourly series of the base year 2023, each
  calibrated to a published annual figure (energy, capacity factor, hydro generation).

All randomness comes from ``numpy.random.default_rng`` seeded from ``params.yaml: seed`` and the series name,
so a re-run reproduces every CSV byte for byte.
"""
