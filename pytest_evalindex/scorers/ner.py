"""NER scorer (EvalScope 1.14.1's ``NERAdapter``): XML-tagged answer -> BIO tags -> seqeval P/R/F1/accuracy.

A collection averages ``precision`` per sample: EvalScope's NER score never names its main metric, so the
first key of ``{precision, recall, f1, accuracy}`` is used although the benchmark's primary metric is f1.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_evalindex.scorers.base import Score, ScoreInput
from pytest_evalindex.scorers.ner_labels import subset_tag_types, tag_types
from pytest_evalindex.scorers.text import clean_completion

NER_METRICS = ("precision", "recall", "f1", "accuracy")
MAIN_METRIC = NER_METRICS[0]

_RESPONSE = re.compile(r"<response>(.*?)</response>", re.DOTALL)
_MISMATCHED_CLOSE = re.compile(r"<(\w+)>(.*?)</\w+>")
_CLOSED_TAG = re.compile(r"<(\w+)>(.*?)</\1>")
_OPEN_TAG = re.compile(r"<(\w+)>(.*?)(?=<|$)")
_ANY_TAG = re.compile(r"<[^>]+>")
_CONTEXT = 20  # characters of tagged text either side of an entity used to place it in the plain text


@dataclass(frozen=True)
class Entity:
    """One tagged entity: its BIO type (or unknown tag name), its text, and where the match sits in the tagged text."""

    label: str
    text: str
    start: int  # span of the whole tagged match in the tagged text
    end: int


def _untag(text: str) -> str:
    return _ANY_TAG.sub("", text)


def tagged_body(prediction: str) -> str:
    """The first ``<response>`` body (or the whole answer), every closing tag renamed after its opening tag."""
    found = _RESPONSE.search(prediction)
    body = found.group(1) if found else prediction
    return _MISMATCHED_CLOSE.sub(r"<\1>\2</\1>", body)


def find_entities(tagged: str, types: Mapping[str, str]) -> list[Entity]:
    """Well-formed ``<tag>…</tag>`` spans (unknown tags keep their own name), then unclosed known tags."""
    found = [Entity(types.get(m.group(1).lower(), m.group(1).lower()), m.group(2), m.start(), m.end())
             for m in _CLOSED_TAG.finditer(tagged)]
    for m in _OPEN_TAG.finditer(tagged):
        label = types.get(m.group(1).lower())
        if label and not any(e.start <= m.start() < e.end for e in found):
            found.append(Entity(label, m.group(2), m.start(), m.end()))
    return found


def _token_spans(tokens: Sequence[str], plain: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = 0
    for token in tokens:
        at = plain.find(token, cursor)
        if at < 0:
            spans.append((cursor, cursor + len(token)))  # not found: assumed at the cursor, which stays put
        else:
            spans.append((at, at + len(token)))
            cursor = at + len(token)
    return spans


def _locate(entity: Entity, tagged: str, plain: str, exact: bool) -> int:
    """Where the entity's text starts in the plain (space-joined tokens) text, or -1."""
    if exact and not _ANY_TAG.search(entity.text):
        return len(_untag(tagged[:entity.start]))
    before = _untag(tagged[max(0, entity.start - _CONTEXT):entity.start])
    after = _untag(tagged[entity.end:entity.end + _CONTEXT])
    size = len(entity.text)
    cursor = 0
    while cursor < len(plain):
        at = plain.find(entity.text, cursor)
        if at < 0:
            break
        left = plain[max(0, at - len(before)):at].strip()
        right = plain[at + size:min(len(plain), at + size + len(after))].strip()
        if before.strip() in left or after.strip() in right or cursor > len(plain) // 2:
            return at
        cursor = at + 1
    return plain.find(entity.text)


def bio_tags(tagged: str, tokens: Sequence[str], types: Mapping[str, str]) -> list[str]:
    """BIO tags for ``tokens`` read from the tagged text; a token keeps the first entity that covers it."""
    plain = " ".join(tokens)
    exact = _untag(tagged) == plain  # the answer kept the text: offsets are exact even for repeated names
    spans = _token_spans(tokens, plain)
    tags = ["O"] * len(tokens)
    for entity in find_entities(tagged, types):
        start = _locate(entity, tagged, plain, exact)
        if start < 0:
            continue
        end = start + len(entity.text)
        prefix = "B"
        for i, (tok_start, tok_end) in enumerate(spans):
            if tok_start < end and tok_end > start:
                if tags[i] == "O":
                    tags[i] = f"{prefix}-{entity.label}"
                prefix = "I"
    return tags


def seqeval_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """seqeval's default-mode (conlleval) precision, recall, F1 and token accuracy of one sequence."""
    from seqeval.metrics import accuracy_score, f1_score, precision_score, recall_score

    y_true, y_pred = [list(gold)], [list(predicted)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # seqeval warns on 0/0 and scores it 0, as EvalScope records it
        return {"precision": float(precision_score(y_true, y_pred)), "recall": float(recall_score(y_true, y_pred)),
                "f1": float(f1_score(y_true, y_pred)), "accuracy": float(accuracy_score(y_true, y_pred))}


def _as_strings(value: Any) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return list(value)


def ner(sample: ScoreInput) -> Score:
    """Score one NER answer against ``metadata.tokens``/``metadata.ner_tags``; any failure scores 0 everywhere.

    Tags are read with the table EvalScope uses in a collection (for cross_ner: none, so its tags never match
    the gold types and every answer scores 0 precision; see :func:`ner_subset_tags`).
    """
    return _score(sample, tag_types(sample.dataset_name))


def ner_subset_tags(sample: ScoreInput) -> Score:
    """As :func:`ner`, but cross_ner reads tags with its subset's table, as EvalScope does when it runs the
    benchmark on its own (select with a line's ``"scorer": "cross_ner@subset_tags"``)."""
    return _score(sample, subset_tag_types(sample.dataset_name, sample.subset_name))


def _score(sample: ScoreInput, types: Mapping[str, str]) -> Score:
    completion = clean_completion(sample.completion)
    try:
        tokens = _as_strings(sample.metadata["tokens"])
        gold = _as_strings(sample.metadata["ner_tags"])
        predicted = bio_tags(tagged_body(completion), tokens, types)
        metrics = seqeval_metrics(gold, predicted)
    except ImportError:
        raise
    except Exception as exc:  # EvalScope logs and scores every metric 0
        return Score(value=0.0, extracted=completion, metric=MAIN_METRIC, explanation=f"ner error: {exc!r}",
                     metrics=dict.fromkeys(NER_METRICS, 0.0))
    return Score(value=metrics[MAIN_METRIC], extracted=completion, metric=MAIN_METRIC,
                 metadata={"y_true": gold, "y_pred": predicted}, metrics=metrics)
