"""How the CLI talks: rich tables for people, JSON for scripts, one-line errors.

On a terminal, rich fits tables to the window. Piped or redirected (a file, ``grep``, ``less``),
output has no width to fit: rich would assume 80 columns and cut cells (``payr…``), so there
every line is as wide as its content.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from rich.console import Console

#: The width of piped output: wide enough that no table or line is ever cut or wrapped.
PIPE_WIDTH = 100_000


def make_console(*, stderr: bool = False) -> Console:
    """A console for stdout (or stderr) that never cuts its output when it is not a terminal."""
    console = Console(stderr=stderr)
    if console.is_terminal:
        return console
    return Console(stderr=stderr, width=PIPE_WIDTH)


console = make_console()
err_console = make_console(stderr=True)


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise SystemExit(code)
