"""The ``blogsearch`` command: click commands that call the library and render its answers.

:mod:`~searcher.cli.commands` holds the group and the index commands, :mod:`~searcher.cli.search`
the reading commands, :mod:`~searcher.cli.serve` the web server, :mod:`~searcher.cli.render`
the terminal output; a library error is turned into one ``Error:`` line and an exit code.

Imported on first use, so that rendering or a helper module is imported without the
commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from searcher.support.lazy import exports

if TYPE_CHECKING:
    from searcher.cli.commands import main

__getattr__, __dir__ = exports(__name__, {"searcher.cli.commands": ("main",)})

__all__ = ["main"]
