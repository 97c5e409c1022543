"""``python -m grid_model`` is the same as the ``grid-model`` command."""

from grid_model.cli import main

main()
