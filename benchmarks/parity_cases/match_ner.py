"""Parity cases for EvalScope's 22 NER benchmarks: gold BIO tags in metadata, answers in XML-tag form.

Each benchmark gets one or two sentences and answers that are right, wrong, or exercise the tag reader:
missing ``<response>`` wrapper, mismatched or unclosed tags, unknown tags, upper-case tag names, a changed
text (located by context), repeated names, a partial token, think blocks, empty replies. A collection
averages ``precision`` per sample (EvalScope's first metric key), so answers with extra entities matter.
"""

from __future__ import annotations

from typing import Any

# BIO type -> the XML tag the benchmark's prompt asks for (EvalScope 1.14.1's adapters).
_PER_ORG_LOC = {"PER": "person", "ORG": "organization", "LOC": "location"}
_CONLL = {**_PER_ORG_LOC, "MISC": "miscellaneous"}
TAGS: dict[str, dict[str, str]] = {
    "anat_em": {"ANATOMY": "anatomy"},
    "bc2gm": {"GENE": "gene"},
    "bc4chemd": {"CHEMICAL": "chemical"},
    "bc5cdr": {"CHEMICAL": "chemical", "DISEASE": "disease"},
    "broad_twitter_corpus": _PER_ORG_LOC,
    "conll2003": _CONLL,
    "conllpp": _CONLL,
    "copious": {"TAXON": "taxon", "GEOGRAPHICAL_LOCATION": "geographical_location", "HABITAT": "habitat",
                "PERSON": "person", "TEMPORAL_EXPRESSION": "temporal_expression"},
    "cross_ner": {"PERSON": "person", "ORGANISATION": "organisation", "ALGORITHM": "algorithm",
                  "PROGRAMLANG": "programming_language", "COUNTRY": "country", "POLITICIAN": "politician"},
    "fin_ner": _CONLL,
    "genia_ner": {"PROTEIN": "protein", "CELL_TYPE": "cell_type", "DNA": "dna"},
    "harvey_ner": {"ROAD": "road", "AREA": "area", "RIVER": "river", "POINT": "point"},
    "jnlpba": {"PROTEIN": "protein", "CELL_LINE": "cell_line", "DNA": "dna"},
    "jnlpba_rare": {"RNA": "rna", "CELL_LINE": "cell_line"},
    "mit_movie_trivia": {"ACTOR": "actor", "YEAR": "year", "GENRE": "genre", "DIRECTOR": "director"},
    "mit_restaurant": {"CUISINE": "cuisine", "LOCATION": "location", "RATING": "rating", "HOURS": "hours"},
    "multi_nerd": {**_PER_ORG_LOC, "ANIM": "animal", "CEL": "celestial_body"},
    "ncbi": {"DISEASE": "disease"},
    "ontonotes5": {"GPE": "geopolitical_entity", "DATE": "date", "ORG": "organization", "CARDINAL": "cardinal",
                   "NORP": "nationalities_or_religious_or_political_groups"},
    "tweebank_ner": _CONLL,
    "tweet_ner_7": {"PERSON": "person", "CORPORATION": "corporation", "EVENT": "event"},
    "wnut2017": {"PERSON": "person", "CREATIVE-WORK": "creative_work", "LOCATION": "location"},
}

# (dataset, subset, [(text, BIO type or None)]) — the chunks of one sentence.
Chunks = list[tuple[str, str | None]]
SENTENCES: list[tuple[str, str, Chunks]] = [
    ("anat_em", "default", [("Lesions of the", None), ("left ventricle", "ANATOMY"), ("and the", None),
                            ("aortic valve", "ANATOMY"), ("were observed .", None)]),
    ("bc2gm", "default", [("Expression of", None), ("p53", "GENE"), ("and", None), ("BRCA1", "GENE"),
                          ("was reduced in tumour cells .", None)]),
    ("bc4chemd", "default", [("Treatment with", None), ("cisplatin", "CHEMICAL"), ("and", None),
                             ("sodium chloride", "CHEMICAL"), ("improved survival .", None)]),
    ("bc5cdr", "default", [("Patients given", None), ("haloperidol", "CHEMICAL"), ("developed", None),
                           ("tardive dyskinesia", "DISEASE"), ("after months .", None)]),
    ("broad_twitter_corpus", "default", [("Just saw", None), ("Taylor Swift", "PER"), ("at", None),
                                         ("Wembley", "LOC"), ("with", None), ("BBC", "ORG"), ("crew !", None)]),
    ("conll2003", "default", [("EU", "ORG"), ("rejects", None), ("German", "MISC"), ("call to boycott", None),
                              ("British", "MISC"), ("lamb .", None)]),
    ("conll2003", "default", [("Peter Blackburn", "PER"), ("met", None), ("Peter", "PER"), ("in", None),
                              ("Brussels", "LOC"), ("on Monday .", None)]),
    ("conllpp", "default", [("Japan", "LOC"), ("coach", None), ("Shu Kamo", "PER"), ("said the", None),
                            ("Asian Cup", "MISC"), ("is open .", None)]),
    ("copious", "default", [("Specimens of", None), ("Rafflesia arnoldii", "TAXON"), ("were collected in", None),
                            ("Sumatra", "GEOGRAPHICAL_LOCATION"), ("in", None), ("1818", "TEMPORAL_EXPRESSION"),
                            (".", None)]),
    ("cross_ner", "ai", [("Yann LeCun", "PERSON"), ("popularised", None), ("convolutional networks", "ALGORITHM"),
                         ("at", None), ("Bell Labs", "ORGANISATION"), ("using", None), ("Lisp", "PROGRAMLANG"),
                         (".", None)]),
    ("cross_ner", "politics", [("Angela Merkel", "POLITICIAN"), ("visited", None), ("France", "COUNTRY"),
                               ("in May .", None)]),
    ("fin_ner", "default", [("The loan from", None), ("Wells Fargo", "ORG"), ("to", None), ("John Smith", "PER"),
                            ("is secured in", None), ("Texas", "LOC"), (".", None)]),
    ("genia_ner", "default", [("IL-2", "PROTEIN"), ("gene expression in", None), ("T cells", "CELL_TYPE"),
                              ("requires the", None), ("kappa B site", "DNA"), (".", None)]),
    ("harvey_ner", "default", [("Flooding on", None), ("Westheimer Road", "ROAD"), ("near", None),
                               ("Buffalo Bayou", "RIVER"), ("in", None), ("Meyerland", "AREA"), ("tonight", None)]),
    ("jnlpba", "default", [("NF-kappa B", "PROTEIN"), ("binds", None), ("HIV-1 enhancer", "DNA"), ("in", None),
                           ("Jurkat cells", "CELL_LINE"), (".", None)]),
    ("jnlpba_rare", "default", [("c-fos mRNA", "RNA"), ("levels rose in", None), ("HeLa cells", "CELL_LINE"),
                                (".", None)]),
    ("mit_movie_trivia", "default", [("which", None), ("comedy", "GENRE"), ("from", None), ("1994", "YEAR"),
                                     ("starred", None), ("jim carrey", "ACTOR")]),
    ("mit_restaurant", "default", [("find a", None), ("five star", "RATING"), ("thai", "CUISINE"),
                                   ("place", None), ("near downtown", "LOCATION"), ("open", None),
                                   ("after midnight", "HOURS")]),
    ("multi_nerd", "default", [("The", None), ("red fox", "ANIM"), ("was filmed by", None), ("David Attenborough", "PER"),
                               ("under", None), ("Jupiter", "CEL"), (".", None)]),
    ("ncbi", "default", [("Mutations cause", None), ("cystic fibrosis", "DISEASE"), ("and", None),
                         ("breast cancer", "DISEASE"), ("in carriers .", None)]),
    ("ontonotes5", "default", [("Two", "CARDINAL"), ("Chinese", "NORP"), ("officials from", None),
                               ("Beijing", "GPE"), ("arrived", None), ("last week", "DATE"), (".", None)]),
    ("tweebank_ner", "default", [("@user", None), ("lol", None), ("Obama", "PER"), ("in", None), ("Chicago", "LOC"),
                                 ("again", None)]),
    ("tweet_ner_7", "default", [("{{USERNAME}}", None), ("loved", None), ("Elon Musk", "PERSON"), ("at", None),
                                ("Tesla", "CORPORATION"), ("Battery Day", "EVENT")]),
    ("wnut2017", "default", [("watching", None), ("Stranger Things", "CREATIVE-WORK"), ("with", None),
                             ("Jenny", "PERSON"), ("in", None), ("Austin", "LOCATION")]),
]


def tokens_and_tags(chunks: Chunks) -> tuple[list[str], list[str]]:
    """Space-split tokens and their gold BIO tags."""
    tokens: list[str] = []
    tags: list[str] = []
    for text, label in chunks:
        words = text.split()
        tokens += words
        tags += ["O"] * len(words) if label is None else [f"B-{label}"] + [f"I-{label}"] * (len(words) - 1)
    return tokens, tags


def render(chunks: Chunks, tags: dict[str, str], *, skip: int = -1, retype: int = -1, rename: str = "",
           close: str = "", upper: bool = False) -> str:
    """The sentence with XML entity tags; ``skip``/``retype`` the i-th entity, optional odd closing tag."""
    out, k = [], 0
    names = list(tags.values())
    for text, label in chunks:
        if label is None:
            out.append(text)
            continue
        name = rename or tags[label]
        if k == retype:
            name = next(n for n in names if n != tags[label]) if len(names) > 1 else "thing"
        if upper:
            name = name.upper()
        end = close or name
        out.append(text if k == skip else f"<{name}>{text}</{end}>")
        k += 1
    return " ".join(out)


def _prompt(dataset: str, subset: str, text: str, tags: dict[str, str]) -> str:
    tag_list = ", ".join(f"<{t}>" for t in dict.fromkeys(tags.values()))
    return (f"Mark the named entities in the text below with XML tags ({dataset}/{subset}).\n"
            f"Tags you may use: {tag_list}\n"
            "Reply with the unchanged text inside <response>...</response>, each entity wrapped in its tag.\n\n"
            f"Text to annotate:\n{text}")


def _answers(chunks: Chunks, tags: dict[str, str], text: str, n: int) -> list[tuple[str, str]]:
    first = next(t for t, label in chunks if label is not None)
    tag0 = tags[next(label for _, label in chunks if label is not None)]
    right = render(chunks, tags)
    answers = [
        (f"<response>{right}</response>", "correct"),
        (f"<response>{render(chunks, tags, skip=0)}</response>", "wrong: first entity missed (recall only)"),
        (f"<response>{render(chunks, tags, retype=0)}</response>", "wrong: first entity mistyped"),
        (f"<response>{text}</response>", "wrong: no entities tagged (0/0 precision)"),
    ]
    edges = [
        (right, "edge: no <response> wrapper"),
        (f"Here you go:\n<response>{right}</response>\nHope this helps.", "edge: prose around the response"),
        (f"<response>{render(chunks, tags, close='entity')}</response>", "edge: mismatched closing tags"),
        (f"<response>{render(chunks, tags, upper=True)}</response>", "edge: upper-case tag names"),
        (f"<response>{render(chunks, tags, rename='thing')}</response>", "edge: unknown tag name (false positives)"),
        (f"<response>{text.replace(first, f'<{tag0}>{first}', 1)}</response>", "edge: unclosed known tag"),
        (f"<response>{right.replace(' ', '  ', 2)}</response>", "edge: text changed (double spaces), context search"),
        (f"<response>{right.lower()}</response>", "edge: text lower-cased"),
        (f"<think>The entity is {first}.</think><response>{right}</response>", "edge: think block first"),
        ("", "edge: empty reply"),
        (f"<response>{text}</response>\n<response>{right}</response>", "edge: two responses, first untagged"),
        (f"<response>{right.replace(first, first[: max(1, len(first) // 2)], 1)}</response>",
         "edge: partial entity text"),
    ]
    k = n % len(edges)
    return answers + (edges[k:] + edges[:k])[:5]


CASES: list[dict[str, Any]] = []
for _n, (_dataset, _subset, _chunks) in enumerate(SENTENCES):
    _tags = TAGS[_dataset]
    _tokens, _gold = tokens_and_tags(_chunks)
    _text = " ".join(_tokens)
    for _answer, _note in _answers(_chunks, _tags, _text, _n * 3):
        CASES.append({"dataset_name": _dataset, "subset_name": _subset,
                      "input": _prompt(_dataset, _subset, _text, _tags), "choices": None, "target": f"<response>{render(_chunks, _tags)}</response>",
                      "metadata": {"tokens": _tokens, "ner_tags": _gold}, "answer": _answer, "note": _note})

# Repeated names: the second "Peter" alone is the entity; exact offsets only when the text is preserved.
_rep: Chunks = [("Peter", None), ("said", None), ("Peter", "PER"), ("left", None), ("Paris", "LOC"), (".", None)]
_rt, _rg = tokens_and_tags(_rep)
for _answer, _note in [
    ("<response>Peter said <person>Peter</person> left <location>Paris</location> .</response>",
     "edge: repeated name, text preserved"),
    ("<response>Peter said  <person>Peter</person> left <location>Paris</location>.</response>",
     "edge: repeated name, text changed (context search)"),
    ("<response><person>Peter</person> said <person>Peter</person> left Paris .</response>",
     "edge: repeated name, both tagged"),
]:
    CASES.append({"dataset_name": "conll2003", "subset_name": "default",
                  "input": _prompt("conll2003", "default", " ".join(_rt), _CONLL), "choices": None,
                  "target": "<response>Peter said <person>Peter</person> left <location>Paris</location> .</response>",
                  "metadata": {"tokens": _rt, "ner_tags": _rg}, "answer": _answer, "note": _note})

# Nested and overlapping tags, and a tag inside an entity.
_nt, _ng = tokens_and_tags([("Bank of America", "ORG"), ("opened in", None), ("New York", "LOC")])
for _answer, _note in [
    ("<response><organization>Bank of <location>America</location></organization> opened in "
     "<location>New York</location></response>", "edge: nested tags"),
    ("<response><organization>Bank of America</organization> opened in <location>New York</location>"
     "</response>", "correct"),
    ("<response><organization>Bank of America opened in <location>New York</location></response>",
     "edge: unclosed outer tag with a closed inner one"),
]:
    CASES.append({"dataset_name": "fin_ner", "subset_name": "default",
                  "input": _prompt("fin_ner", "default", " ".join(_nt), _CONLL), "choices": None,
                  "target": "<response><organization>Bank of America</organization> opened in "
                            "<location>New York</location></response>",
                  "metadata": {"tokens": _nt, "ner_tags": _ng}, "answer": _answer, "note": _note})
