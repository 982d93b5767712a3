"""The README and docs/: a short front page, and every relative link and picture there."""

import glob
import os
import re

import pytest

from conftest import ROOT

PAGES = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))


def targets(path):
    """The relative links and pictures of a Markdown page: [text](target), ![alt](target), <img src>."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'<img [^>]*src="([^"]+)"', text)
    return [t for t in found if not re.match(r"[a-z]+:", t)]  # not https:, mailto:


def test_the_readme_is_a_front_page():
    assert os.path.getsize(os.path.join(ROOT, "README.md")) < 20000


@pytest.mark.parametrize("path", PAGES, ids=os.path.basename)
def test_every_relative_link_and_picture_resolves(path):
    links = targets(path)
    assert links or path.endswith("mnist.md")
    for target in links:
        file_name, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_name)) if file_name else path
        assert os.path.exists(resolved), "%s: %s" % (os.path.basename(path), target)
        if anchor:  # a heading of that page, as GitHub makes its anchor
            with open(resolved, encoding="utf-8") as f:
                headings = re.findall(r"(?m)^#+ (.*)$", f.read())
            slugs = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}
            assert anchor in slugs, "%s: %s" % (os.path.basename(path), target)


def test_every_docs_page_is_linked_from_the_readme():
    linked = {os.path.basename(t.partition("#")[0]) for t in targets(os.path.join(ROOT, "README.md"))}
    for path in PAGES[1:]:
        assert os.path.basename(path) in linked or os.path.basename(path) in {
            os.path.basename(t) for page in PAGES[1:] for t in targets(page)}, path
