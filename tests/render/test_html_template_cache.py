"""The report template's compiled code kept in the user's cache folder: the page is the same byte for byte
whether the template was compiled, written to the cache or loaded from it, and a cache that is damaged, not a
folder, or open to other users is never trusted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from helpers_html import write_run
from jinja2.bccache import bc_magic

from pytest_evalindex.render.html import load_run, render_report
from pytest_evalindex.render.html import page as page_module
from pytest_evalindex.render.html.template_cache import CACHE_ENV, TemplateCache, template_cache


@pytest.fixture
def fresh_template() -> Iterator[None]:
    """Each render in a test builds its template again (the process keeps one otherwise)."""
    page_module._template.cache_clear()
    yield
    page_module._template.cache_clear()


def _page(run_dir: Path) -> str:
    page_module._template.cache_clear()
    text = render_report([load_run(run_dir)])
    return re.sub(r"written \d{4}-\d\d-\d\d \d\d:\d\d", "written <time>", text)  # the minute it was written


def _cached_code(directory: Path) -> object:
    """The code the cache in ``directory`` holds for the report template (``None`` when it holds none)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("pytest_evalindex.render.html", "."))
    source, filename, _ = env.loader.get_source(env, "report.html.j2")  # type: ignore[union-attr]
    cache = template_cache(page_module._template_salt())
    assert isinstance(cache, TemplateCache) and Path(cache.directory) == directory
    return cache.get_bucket(env, "report.html.j2", filename, source).code


def test_a_cached_template_writes_the_same_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                fresh_template: None) -> None:
    run_dir = write_run(tmp_path / "runs")
    monkeypatch.setenv(CACHE_ENV, "off")
    compiled = _page(run_dir)
    cache = tmp_path / "cache" / "templates"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    assert _page(run_dir) == compiled  # compiled, and its code written to the cache
    (written,) = cache.iterdir()
    assert cache.stat().st_mode & 0o777 == 0o700 and _cached_code(cache) is not None
    assert _page(run_dir) == compiled  # loaded from the cache
    written.write_bytes(written.read_bytes()[:len(bc_magic) + 8])  # cut short after the header: compiled again
    assert _page(run_dir) == compiled
    assert _cached_code(cache) is not None  # and written again whole


def test_a_cache_folder_open_to_others_or_not_a_folder_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  fresh_template: None) -> None:
    run_dir = write_run(tmp_path / "runs")
    monkeypatch.setenv(CACHE_ENV, "off")
    compiled = _page(run_dir)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(CACHE_ENV, str(shared))
    assert template_cache("salt") is None
    assert _page(run_dir) == compiled and not list(shared.iterdir())
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(not_a_folder))
    assert template_cache("salt") is None
    assert _page(run_dir) == compiled
