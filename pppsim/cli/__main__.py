"""``python -m pppsim.cli``: the same as the ``pppsim`` command."""

from . import main

main()
