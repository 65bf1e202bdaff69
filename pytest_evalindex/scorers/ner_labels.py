"""Entity tag names of EvalScope 1.14.1's NER benchmarks: the XML tag a prompt asks for, mapped to its BIO type."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_PER_ORG_LOC = {"person": "PER", "organization": "ORG", "location": "LOC"}
_CONLL = {**_PER_ORG_LOC, "miscellaneous": "MISC"}

_TABLES: dict[str, dict[str, str]] = {
    "anat_em": {"anatomy": "ANATOMY"},
    "bc2gm": {"gene": "GENE"},
    "bc4chemd": {"chemical": "CHEMICAL"},
    "bc5cdr": {"chemical": "CHEMICAL", "disease": "DISEASE"},
    "broad_twitter_corpus": dict(_PER_ORG_LOC),
    "conll2003": dict(_CONLL),
    "conllpp": dict(_CONLL),
    "copious": {"taxon": "TAXON", "geographical_location": "GEOGRAPHICAL_LOCATION", "habitat": "HABITAT",
                "person": "PERSON", "temporal_expression": "TEMPORAL_EXPRESSION"},
    # In a collection EvalScope never loads cross_ner's per-subset tables (they are set while building
    # prompts, which a collection skips), so every tag keeps its own lower-case name as its type.
    "cross_ner": {},
    "fin_ner": dict(_CONLL),
    "genia_ner": {"cell_line": "CELL_LINE", "cell_type": "CELL_TYPE", "dna": "DNA", "protein": "PROTEIN",
                  "rna": "RNA"},
    "harvey_ner": {"area": "AREA", "point": "POINT", "river": "RIVER", "road": "ROAD"},
    "jnlpba": {"protein": "PROTEIN", "dna": "DNA", "rna": "RNA", "cell_line": "CELL_LINE", "cell_type": "CELL_TYPE"},
    "jnlpba_rare": {"rna": "RNA", "cell_line": "CELL_LINE"},
    "mit_movie_trivia": {label.lower(): label for label in (
        "ACTOR", "AWARD", "CHARACTER_NAME", "DIRECTOR", "GENRE", "OPINION", "ORIGIN", "PLOT", "QUOTE",
        "RELATIONSHIP", "SOUNDTRACK", "YEAR")},
    "mit_restaurant": {label.lower(): label for label in (
        "AMENITY", "CUISINE", "DISH", "HOURS", "LOCATION", "PRICE", "RATING", "RESTAURANT_NAME")},
    "multi_nerd": {**_PER_ORG_LOC, "animal": "ANIM", "biological_entity": "BIO", "celestial_body": "CEL",
                   "disease": "DIS", "event": "EVE", "food": "FOOD", "instrument": "INST", "media": "MEDIA",
                   "mythological_entity": "MYTH", "plant": "PLANT", "time": "TIME", "vehicle": "VEHI"},
    "ncbi": {"disease": "DISEASE"},
    "ontonotes5": {"cardinal": "CARDINAL", "date": "DATE", "event": "EVENT", "facility": "FAC",
                   "geopolitical_entity": "GPE", "language": "LANGUAGE", "law": "LAW", "location": "LOC",
                   "money": "MONEY", "nationalities_or_religious_or_political_groups": "NORP",
                   "ordinal": "ORDINAL", "organization": "ORG", "percent": "PERCENT", "person": "PERSON",
                   "product": "PRODUCT", "quantity": "QUANTITY", "time": "TIME", "work_of_art": "WORK_OF_ART"},
    "tweebank_ner": dict(_CONLL),
    "tweet_ner_7": {"corporation": "CORPORATION", "creative_work": "CREATIVE_WORK", "event": "EVENT",
                    "group": "GROUP", "location": "LOCATION", "person": "PERSON", "product": "PRODUCT"},
    "wnut2017": {"corporation": "CORPORATION", "creative_work": "CREATIVE-WORK", "group": "GROUP",
                 "location": "LOCATION", "person": "PERSON", "product": "PRODUCT"},
}

NER_DATASETS: tuple[str, ...] = tuple(sorted(_TABLES))
"""The 22 NER benchmark names."""


def _upper(*tags: str) -> dict[str, str]:
    return {tag: tag.upper() for tag in tags}


_SHARED = _upper("country", "event", "location", "misc", "organisation", "person")
_CROSS_NER: dict[str, dict[str, str]] = {
    "ai": {**_upper("algorithm", "conference", "country", "field", "location", "metrics", "misc", "organisation",
                    "person", "product", "researcher", "task", "university"), "programming_language": "PROGRAMLANG"},
    "literature": {**_SHARED, **_upper("award", "book", "magazine", "poem", "writer"),
                   "literary_genre": "LITERARYGENRE"},
    "music": {**_SHARED, **_upper("album", "award", "band", "song"), "musical_artist": "MUSICALARTIST",
              "musical_instrument": "MUSICALINSTRUMENT", "music_genre": "MUSICGENRE"},
    "politics": {**_SHARED, **_upper("election", "politician"), "political_party": "POLITICALPARTY"},
    "science": {**_SHARED, **_upper("award", "discipline", "enzyme", "protein", "scientist", "theory", "university"),
                "academic_journal": "ACADEMICJOURNAL", "astronomical_object": "ASTRONOMICALOBJECT",
                "chemical_compound": "CHEMICALCOMPOUND", "chemical_element": "CHEMICALELEMENT"},
}
"""cross_ner's per-subset tables, which EvalScope uses only when it evaluates the benchmark on its own."""


def tag_types(dataset_name: str) -> Mapping[str, str]:
    """Lower-case XML tag name -> BIO entity type for ``dataset_name`` (empty when unknown)."""
    return MappingProxyType(_TABLES.get(dataset_name, {}))


def subset_tag_types(dataset_name: str, subset_name: str) -> Mapping[str, str]:
    """Like :func:`tag_types`, but cross_ner uses its subset's table (empty for an unknown subset)."""
    if dataset_name == "cross_ner":
        return MappingProxyType(_CROSS_NER.get(subset_name, {}))
    return tag_types(dataset_name)
