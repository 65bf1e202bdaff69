"""A prediction and review line pair as JSON text, their shared messages and metadata encoded once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PREDICTION_KEYS = ("index", "model", "model_output", "messages", "agent_trace", "metadata")
_REVIEW_KEYS = ("index", "target", "messages", "agent_trace", "sample_score")


def line_pair_texts(prediction: dict[str, Any], review: dict[str, Any],
                    encode: Callable[[Any], str]) -> tuple[str, str]:
    """``(encode(prediction), encode(review))``, the same text, with the messages and metadata the two lines
    share (the same objects, as the writer builds them) encoded once; ``encode`` must use ``", "`` and
    ``": "`` as separators. Lines of another shape are encoded whole."""
    messages, metadata = prediction.get("messages"), prediction.get("metadata")
    score = review.get("sample_score")
    if (tuple(prediction) != _PREDICTION_KEYS or tuple(review) != _REVIEW_KEYS or review["messages"] is not messages
            or not isinstance(score, dict) or not score or next(reversed(score)) != "sample_metadata"
            or score["sample_metadata"] is not metadata or len(score) < 2):
        return encode(prediction), encode(review)
    shared_messages, shared_metadata = encode(messages), encode(metadata)
    head = encode({"index": prediction["index"], "model": prediction["model"],
                   "model_output": prediction["model_output"]})[:-1]
    prediction_text = (f'{head}, "messages": {shared_messages}, "agent_trace": {encode(prediction["agent_trace"])}, '
                       f'"metadata": {shared_metadata}}}')
    head = encode({"index": review["index"], "target": review["target"]})[:-1]
    own_score = encode({k: v for k, v in score.items() if k != "sample_metadata"})[:-1]
    review_text = (f'{head}, "messages": {shared_messages}, "agent_trace": {encode(review["agent_trace"])}, '
                   f'"sample_score": {own_score}, "sample_metadata": {shared_metadata}}}}}')
    return prediction_text, review_text
