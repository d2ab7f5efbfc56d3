"""The runtime the CLI commands share, built once per invocation with clear errors."""

from __future__ import annotations

from flows.runtime import Runtime, build_runtime, use_runtime
from schemas.config import ConfigError


def get_runtime() -> Runtime:
    from cli.main import settings
    from cli.output import fail
    from flows import runtime as rt_module

    if rt_module._current:
        return rt_module._current[0]
    try:
        rt = build_runtime(settings())
    except ConfigError as exc:
        fail(str(exc))
    except Exception as exc:  # a database that cannot be reached or migrated
        fail(f"cannot open the database {settings().database_url!r}: {exc}")
    use_runtime(rt)
    return rt
