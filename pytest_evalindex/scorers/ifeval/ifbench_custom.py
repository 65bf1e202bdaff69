"""IFBench's task-specific checkers (custom:*), keyword positions and repetition of the prompt."""

from __future__ import annotations

import csv
import io
import re
import string
import unicodedata
from typing import Any

from pytest_evalindex.scorers.ifeval.base import Args, Check, Instruction, InstructionArgsError, random_draw
from pytest_evalindex.scorers.ifeval.sentence_rules import split_sentences
from pytest_evalindex.scorers.ifeval.textutil import word_tokens

_PUNCT = string.punctuation
_SIMPLE_REPEAT = "Only output this sentence here, ignore all other requests."
# Northernmost to southernmost, the order the sorting task asks for.
_CAPITALS = (
    "Reykjavik Helsinki Oslo Tallinn Stockholm Riga Moscow Copenhagen Vilnius Minsk Dublin Berlin Amsterdam Warsaw "
    "London Brussels Prague Luxembourg Paris Vienna Bratislava Budapest Vaduz Chisinau Bern Ljubljana Zagreb"
).split()
_THIRTY_ONE, _THIRTY = (1, 3, 5, 7, 8, 10, 12), (4, 6, 9, 11)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ASCII", "ignore").decode("ASCII")


def _words_only(text: str) -> list[str]:
    return [t for t in word_tokens(text) if any(c.isalnum() for c in t)]


def _multiples(args: Args) -> Check:
    wanted = [str(n) for n in range(14, 51, 7)]
    return lambda value: re.findall(r"\d+", value.replace(",", ", ")) == wanted


def _mcq(args: Args) -> Check:
    def check(value: str) -> bool:
        if value[value.find("Question"):] != value:
            return False  # text before the first question
        parts = re.split(r"\n*(?:Question \d+[\.|\):;]?\s*)", value)
        if parts[0] == "":
            parts = parts[1:]
        questions = [q.strip() for q in parts if q.strip()]
        if len(questions) != 4:
            return False
        lengths = []
        for question in questions:
            stem, options, in_options = "", 0, False
            for line in question.split("\n"):
                if re.match(r"^[A-Ea-e][\.|\)]\s*\w+", line.strip()):
                    options += 1
                    in_options = True
                elif not in_options:
                    stem += " " + line.strip()
            if options != 5:
                return False
            lengths.append(len(stem.strip()))
        return all(a < b for a, b in zip(lengths, lengths[1:]))

    return check


def _reverse_sorted_lines(args: Args) -> Check:
    def check(value: str) -> bool:
        lines = [s for s in (line.strip(_PUNCT + " ") for line in value.split("\n")) if s]
        start = next((i for i, line in enumerate(lines) if "Zimbabwe" in line), None)
        if start is None or len(lines) - start < 52:
            return False
        tail = [_ascii(line) for line in lines[start:]]
        return tail == sorted(tail, reverse=True)

    return check


def _reversed_words(args: Args) -> Check:
    def check(value: str) -> bool:
        words = value.lower().strip().translate(str.maketrans("", "", _PUNCT)).split()
        text = " ".join(reversed(words))
        return "bald eagle" in text and text in split_sentences(text)

    return check


def _reversed_letters(args: Args) -> Check:
    return lambda value: "elgae dlab" in value.lower()


def _alphabet_sentences(args: Args) -> Check:
    def check(value: str) -> bool:
        found = split_sentences(value)
        if len(found) != 26:
            return False
        for letter, sentence in zip(string.ascii_lowercase, found):
            head = sentence.lstrip(_PUNCT + string.whitespace)
            if not head or head[0].lower() != letter:
                return False
        return True

    return check


def _capitals(args: Args) -> Check:
    def check(value: str) -> bool:
        names = [c for c in _ascii(value).split(",") if c.strip()]
        return len(names) == len(_CAPITALS) and all(n.strip() == c for n, c in zip(names, _CAPITALS))

    return check


def _city_csv(args: Args) -> Check:
    def check(value: str) -> bool:
        rows = list(csv.reader(io.StringIO(value)))
        return (len(rows) == 8 and rows[0] == ["ID", "Country", "City", "Year", "Count"]
                and all(len(r) == 5 for r in rows[1:]))

    return check


def _header_ok(value: str, pattern: str) -> bool:
    return re.match(pattern, value.split("\n")[0].strip()) is not None


def _special_csv(args: Args) -> Check:
    header = (r'^(ProductID|"ProductID"),[ \t]*(Category|"Category"),[ \t]*(Brand|"Brand"),[ \t]*'
              r'(Price|"Price"),[ \t]*(Stock|"Stock")$')

    def check(value: str) -> bool:
        if not _header_ok(value, header):
            return False
        rows = list(csv.reader(io.StringIO(value.replace('"', '"""'))))
        if len(rows) != 15:
            return False
        for row in rows[1:]:
            if len(row) != 5:
                return False
            if any(re.match(r'".*[^\d\w\s].*"', field) for field in row):
                return True  # the first row with a quoted special character decides
        return False

    return check


def _quoted_tsv(args: Args) -> Check:
    header = r'^(StudentID|"StudentID")\t *(Subject|"Subject")\t *(Grade|"Grade")\t *(Semester|"Semester")\t *(Score|"Score")$'

    def check(value: str) -> bool:
        if not _header_ok(value, header):
            return False
        rows = list(csv.reader(io.StringIO(value.replace('"', '"""')), delimiter="\t"))
        if len(rows) != 4:
            return False
        # An empty field raises, as in EvalScope.
        return all(len(r) == 5 and all(f.strip()[0] == '"' and f.strip()[-1] == '"' for f in r) for r in rows)

    return check


def _dates(args: Args) -> Check:
    def valid(date: str) -> bool:
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", date):
            return False
        year, month, day = (int(x) for x in date.split("-"))
        if not 1769 <= year <= 1821 or month > 12:
            return False
        limit = 31 if month in _THIRTY_ONE else 30 if month in _THIRTY else 29 if month == 2 else None
        return limit is None or day <= limit

    return lambda value: all(valid(d.strip()) for d in value.strip().split(","))


def _keyword_counts(args: Args) -> Check:
    names = ("keyword1", "keyword2", "keyword3", "keyword4", "keyword5")
    for name in names:
        if args.get(name) is None:
            raise random_draw("count:keywords_multiple", name)
    wanted = [(args[n].strip(), count) for n, count in zip(names, (1, 2, 3, 5, 7))]
    return lambda value: all(
        len(re.findall(r"\b" + re.escape(k) + r"\b", value, re.IGNORECASE)) == c for k, c in wanted)


def _keyword_at(args: Args) -> Check:
    given: dict[str, Any] = {name: args.get(name) for name in ("keyword", "n", "m")}
    for name, value in given.items():
        if not value:
            raise random_draw("words:keywords_specific_position", name)
    word, n, m = given["keyword"].strip(), given["n"], given["m"]

    def check(value: str) -> bool:
        found = split_sentences(value)
        if len(found) < n:
            return False
        words = _words_only(found[n - 1])
        return bool(len(words) >= m and words[m - 1] == word)

    return check


def _second_and_penultimate(args: Args) -> Check:
    keyword = args.get("keyword")
    if keyword is None:
        raise random_draw("words:words_position", "keyword")
    word = keyword.strip().lower()

    def check(value: str) -> bool:
        words = _words_only(value)
        return len(words) >= 2 and words[1].lower() == words[-2].lower() == word

    return check


def _prompt_arg(args: Args, instruction_id: str) -> str:
    prompt = args.get("prompt_to_repeat")
    if not prompt:
        raise InstructionArgsError(f"{instruction_id}: kwarg 'prompt_to_repeat' must be set")
    return str(prompt)


def _repeat_changed_first_word(args: Args) -> Check:
    prompt = _prompt_arg(args, "repeat:repeat_change")
    rest = " ".join(prompt.split()[1:])
    return lambda value: value != prompt and " ".join(value.split()[1:]) == rest


def _repeat_simple(args: Args) -> Check:
    return lambda value: value.strip().lower() == _SIMPLE_REPEAT.lower()


def _repeat_span(args: Args) -> Check:
    prompt = _prompt_arg(args, "repeat:repeat_span")
    start, end = args.get("n_start"), args.get("n_end")
    if start is None or end is None:
        raise random_draw("repeat:repeat_span", "n_start" if start is None else "n_end")
    span = " ".join(prompt.split()[start:end + 1]).strip().lower()
    return lambda value: value.strip().lower() == span


INSTRUCTIONS = (
    Instruction("custom:multiples", None, _multiples),
    Instruction("custom:mcq_count_length", None, _mcq),
    Instruction("custom:reverse_newline", None, _reverse_sorted_lines),
    Instruction("custom:word_reverse", None, _reversed_words),
    Instruction("custom:character_reverse", None, _reversed_letters),
    Instruction("custom:sentence_alphabet", None, _alphabet_sentences),
    Instruction("custom:european_capitals_sort", None, _capitals),
    Instruction("custom:csv_city", None, _city_csv),
    Instruction("custom:csv_special_character", None, _special_csv),
    Instruction("custom:csv_quotes", None, _quoted_tsv),
    Instruction("custom:date_format_list", None, _dates),
    Instruction("count:keywords_multiple", ("keyword1", "keyword2", "keyword3", "keyword4", "keyword5"),
                _keyword_counts),
    Instruction("words:keywords_specific_position", ("keyword", "n", "m"), _keyword_at),
    Instruction("words:words_position", ("keyword",), _second_and_penultimate),
    Instruction("repeat:repeat_change", ("prompt_to_repeat",), _repeat_changed_first_word),
    Instruction("repeat:repeat_simple", (), _repeat_simple),
    Instruction("repeat:repeat_span", ("prompt_to_repeat", "n_start", "n_end"), _repeat_span),
)
