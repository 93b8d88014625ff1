"""The ``blogsearch`` command: click commands that call the library and render its answers.

:mod:`~searcher.cli.commands` holds the group and the index commands, :mod:`~searcher.cli.search`
the reading commands, :mod:`~searcher.cli.serve` the web server, :mod:`~searcher.cli.render`
the terminal output; a library error is turned into one ``Error:`` line and an exit code.
"""

from searcher.cli.commands import main

__all__ = ["main"]
