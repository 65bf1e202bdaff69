"""What a store of recorded answers holds, in words: its model, and why it has nothing for this run."""

from __future__ import annotations

import json
from typing import Any

from pytest_evalindex.core.hashing import request_head
from pytest_evalindex.model.predictions import PredictionsStore
from pytest_evalindex.model.store import AnswerCache, AnswerStoreError


def request_settings(model: str, generation_config: dict[str, Any]) -> dict[str, Any]:
    """The request settings a cached answer is keyed by besides its messages (model, generation config, repeat)."""
    settings: dict[str, Any] = json.loads(request_head(model, "", generation_config))
    return settings


def recorded_model(store: AnswerCache | PredictionsStore, option: str) -> str:
    """The one model whose answers ``store`` holds; :class:`AnswerStoreError` naming them when it is not one."""
    if isinstance(store, PredictionsStore):
        names = list(store.models)
        where = f"{option} {store.path}"
    else:
        held = store.held_requests()
        names = list(dict.fromkeys(str(request["model"]) for request, _ in held if request is not None))
        where = f"{option}: the cache {store.directory}"
        if not held:
            raise AnswerStoreError(f"{where} holds no answers; run once without --eval-rerun-review to fill it")
        if any(request is None for request, _ in held) and not names:
            raise AnswerStoreError(f"{where} does not record which model answered; pass --eval-model NAME")
    if len(names) == 1:
        return names[0]
    if not names:
        raise AnswerStoreError(f"{where} does not name the model that answered; pass --eval-model NAME")
    raise AnswerStoreError(f"{where} holds answers of several models ({', '.join(map(repr, names))}); "
                           "pass --eval-model NAME to choose one")


def missing_settings(cache: AnswerCache, wanted: dict[str, Any]) -> str | None:
    """Why ``cache`` can answer no sample of a run asking with ``wanted`` settings, or ``None`` if it may.

    The message lists what the cache does hold, so a changed model name or generation config shows.
    """
    held = cache.held_requests()
    where = f"the cache {cache.directory}"
    if not held:
        return f"{where} holds no answers; run once without --eval-rerun-review to fill it"
    if any(request is None or request == wanted for request, _ in held):
        return None
    shown = "; ".join(f"{count} for {_describe(request)}" for request, count in held[:3] if request is not None)
    more = f" and {len(held) - 3} more settings" if len(held) > 3 else ""
    return (f"{where} holds no answer for {_describe(wanted)}; it holds {shown}{more}. Answers are keyed by "
            "the model name, the generation config and the messages (not the URL): pass the same --eval-model "
            "and --eval-generation-config")


def _describe(request: dict[str, Any]) -> str:
    text = f"model {request.get('model')!r} with generation config {json.dumps(request.get('generation_config'))}"
    return text + (f", repeat {request['repeat']}" if request.get("repeat") else "")
