"""The keyword documentation: libdoc must build it, and every keyword must be documented with an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from robot.libdoc import LibraryDocumentation, libdoc

from UdsLibrary import UdsLibrary

EXAMPLE_ROW = re.compile(r"^\s*\| .+\|", re.MULTILINE)  # a row of a Robot-format table: | Keyword | arg |


@pytest.fixture(scope="module")
def documentation() -> LibraryDocumentation:
    return LibraryDocumentation("UdsLibrary")


def test_libdoc_builds_the_html(tmp_path: Path) -> None:
    output = tmp_path / "UdsLibrary.html"
    rc = libdoc("UdsLibrary", str(output), quiet=True)
    assert rc == 0, f"libdoc failed with exit code {rc}"
    assert output.stat().st_size > 10_000
    html = output.read_text(encoding="utf-8")
    for name in ("Open UDS Connection", "Send UDS Request", "Reset ECU"):
        assert name in html


def test_the_library_is_documented(documentation: LibraryDocumentation) -> None:
    assert documentation.doc.strip()
    assert "%TOC%" in documentation.doc
    assert documentation.version


def test_every_keyword_is_in_the_documentation(documentation: LibraryDocumentation) -> None:
    documented = {keyword.name for keyword in documentation.keywords}
    assert documented == set(UdsLibrary().get_keyword_names())


def test_every_keyword_has_documentation_and_an_example(documentation: LibraryDocumentation) -> None:
    undocumented = [keyword.name for keyword in documentation.keywords if not keyword.doc.strip()]
    without_example = [keyword.name for keyword in documentation.keywords
                       if keyword.doc.strip() and not EXAMPLE_ROW.search(keyword.doc)]
    assert not undocumented, f"keywords without documentation: {', '.join(undocumented)}"
    assert not without_example, f"keywords without an example table (| Keyword | arg |): {', '.join(without_example)}"


def test_keyword_names_are_title_case(documentation: LibraryDocumentation) -> None:
    lowercase = [keyword.name for keyword in documentation.keywords
                 if any(word[0].islower() for word in keyword.name.split())]
    assert not lowercase, f"keyword names not in Title Case: {', '.join(lowercase)}"
