"""The pages (index.html, 4.html, 5.html, 6.html) in the reader's language: the browser's, then the
reader's choice, kept from page to page (headless Chromium)."""

import re

from pagetools import open_page

PAGES = ["index.html", "4.html", "5.html", "6.html"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji


def shown(view):
    """What the reader sees of a page: its visible text (the language switch's aside), and the texts
    of its elements marked English and Japanese; 6.html once it has drawn its first column."""
    if view.url.split("?")[0].endswith("6.html"):
        view.wait_for_function("window.explorer && window.explorer.ready")
        view.evaluate("window.explorer.ready")
    return view.evaluate("""() => {
        const text = (s) => s.replace(/\\s+/g, " ").trim();
        const marked = (lang) => Array.from(document.querySelectorAll("body [lang=" + lang + "]"))  // where shown at all
            .filter((e) => e.parentElement.checkVisibility()).map((e) => text(e.textContent));
        return {lang: document.documentElement.lang, title: document.title, button: document.getElementById("lang").textContent,
                visible: text(document.body.innerText.replace(document.getElementById("lang").innerText, "")),
                en: marked("en"), ja: marked("ja")};
    }""")


# In a Japanese text, English only as a name: the layers' and files' names (anything with a digit, _, . or /),
# the methods' and the tools'
NAME_WORDS = re.compile(r"\S*[\d_./]\S*|HiResCAM|SmoothGrad|Grad-CAM|MNIST|TensorFlow|JavaScript|ReLU|Adam|Ctrl-C|softmax|"
                       r"tf-cnn-image|English")
ENGLISH_WORDS = re.compile(r"[A-Za-z][A-Za-z'-]*(?:[ ,;:]+[A-Za-z][A-Za-z'-]*){2,}")  # three English words in a row


def assert_speaks(seen, lang, name):
    """Every text of the page's language visible, none of the other's; Japanese characters on the page
    if and only if it is in Japanese (the article's names, h_conv1 ..., in both); a Japanese page has no
    English sentence and never says None."""
    other = "en" if lang == "ja" else "ja"
    if lang == "ja":
        words = ENGLISH_WORDS.findall(NAME_WORDS.sub(" ", seen["visible"]))
        assert not words and "None" not in seen["visible"], (name, words[:5])
    assert seen["lang"] == lang, (name, seen["lang"])
    assert bool(JAPANESE.search(seen["visible"])) == (lang == "ja"), (name, seen["visible"][:300])
    assert bool(JAPANESE.search(seen["title"])) == (lang == "ja"), (name, seen["title"])
    hidden = [t for t in seen[lang] if t and t not in seen["visible"]]
    assert not hidden, (name, "not shown", hidden[:3])
    leaked = [t for t in seen[other] if len(t) > 3 and t in seen["visible"]]
    assert not leaked, (name, "shown in the other language", leaked[:3])


def test_the_pages_speak_the_browsers_language_and_the_switch_keeps_the_readers(browser, explored, looked, drawn):
    repo, _ = explored
    errors = []
    for locale, lang in (("ja-JP", "ja"), ("en-US", "en")):
        context, view = open_page(browser, "file://" + repo.image(PAGES[0]), errors, locale)
        for name in PAGES:
            view.goto("file://" + repo.image(name))
            seen = shown(view)
            assert_speaks(seen, lang, name)
            assert seen["button"] == ("English" if lang == "ja" else "日本語")
        # 6.html's own texts, written by its script: the step, the layers' columns, a channel
        assert view.locator("#step-label").inner_text().startswith("ステップ 300、" if lang == "ja" else "step 300, ")
        assert view.locator("#main-title").inner_text().startswith("ステップ 300（" if lang == "ja" else "step 300 (")
        context.close()
    # The switch: an English browser, the reader chooses Japanese on one page; the next pages keep it,
    # opened anew or by their links, until the reader chooses English again.
    context, view = open_page(browser, "file://" + repo.image("index.html"), errors, "en-US")
    assert_speaks(shown(view), "en", "index.html")
    view.click("#lang")
    assert_speaks(shown(view), "ja", "index.html, switched")
    view.goto("file://" + repo.image("4.html"))
    assert_speaks(shown(view), "ja", "4.html, opened after the switch")
    view.click("p.nav a[href^='6.html']")
    assert_speaks(shown(view), "ja", "6.html, by its link")
    assert view.locator("#play").inner_text() == "再生"
    view.click("#lang")  # 6.html redraws its script's texts in English, the drawing kept
    assert_speaks(shown(view), "en", "6.html, switched back")
    assert view.locator("#play").inner_text() == "Play" and view.locator("#step-label").inner_text().startswith("step 300, ")
    view.goto("file://" + repo.image("5.html"))
    assert_speaks(shown(view), "en", "5.html, after switching back")
    context.close()
    assert not errors, errors
