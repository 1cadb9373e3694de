"""The later slices' hooks on support's events, registered on first use: the CSAT mail after a
resolution (services/ratings.py) and the breach on the agent's reputation (services/reputation.py).

They are not registered at import time of the app (the cold start loads no service) nor of the
modules that fire them (that would import ratings and reputation into every use of support): the
firing places (`conversations.resolve`, `sla`'s breach mark) call `load()` just before they run
their hooks, which imports the listeners once per container."""

from __future__ import annotations

_loaded = False


def load() -> None:
    global _loaded
    if _loaded:
        return
    from chalicelib.services import ratings, reputation

    ratings.register_hooks()
    reputation.register_hooks()
    _loaded = True
