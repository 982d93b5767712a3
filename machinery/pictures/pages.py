# -*- coding: utf-8 -*-
"""The pages in images/: those that show the scripts' pictures (index.html, 4.html, 5.html), and
6.py's explorer (6.html, made from its files in web/), all linked to each other and sharing one
style sheet, web/pages.css, and one script, web/lang.js: each text is written in English and in
Japanese, and the page shows the reader's language (the browser's preference, or the switch)."""

import html
import os
import re
import shutil

from PIL import Image

from tools import IMAGES_DIR, ROOT, save_atomically

WEB_DIR = os.path.join(ROOT, "web")  # the pages' style sheet, and 6.html's own HTML, CSS and JavaScript


# Each page's title (English, Japanese): MNIST's, and another data set's, where it says no digit
PAGES = [("index.html", ("3.py: the layers before and after", "3.py：学習前と学習後の各層")),
         ("4.html", ("4.py: what each channel learned", "4.py：各チャンネルが学習したもの")),
         ("5.html", ("5.py: your own digit", "5.py：自分の数字")),
         ("6.html", ("6.py: draw a digit, see every layer", "6.py：数字を描いて各層を見る")),
         ("7.html", ("7.py: would it learn the same again?", "7.py：もう一度学習したら同じになるか"))]
OTHER_DATA = {"5.html": ("5.py: your own image", "5.py：入力した画像"),
              "6.html": ("6.py: draw, see every layer", "6.py：描いて各層を見る")}
TITLE = re.compile(r'<title data-ja="tf-cnn-image: ([^"]*)">tf-cnn-image: ([^<]*)</title>')
NAV_START = '<p class="nav">'  # the line of links between the pages, and the language switch
SHARED = ("6.html", "pages.css", "lang.js")  # web/'s files that keep their names in images/ (the others: 6_*)


def both(text):
    """HTML of a text: (English, Japanese) as two spans, the page shows one (lang.js); a str is both."""
    if isinstance(text, str):
        return html.escape(text)
    return '<span lang="en">%s</span><span lang="ja">%s</span>' % tuple(html.escape(t) for t in text)


def title_of(file_name, mnist=True):
    """The page's title (English, Japanese), for MNIST or (mnist False) another data set."""
    return dict(PAGES)[file_name] if mnist else OTHER_DATA.get(file_name, dict(PAGES)[file_name])


def write_page(file_name, summary, sections, mnist=True):
    """A static page in images/: the summary at the top, then per section its images, with captions.

    sections: [(heading, [file name or (file name, caption)])]; a bare name is its own caption. The
    summary, headings and captions are (English, Japanese), or one str for both (a file name). Small
    images are shown enlarged, pixels crisp. mnist False: another data set's title. The pages that exist
    link to each other: the others' lines of links are brought up to date too.
    """
    title = title_of(file_name, mnist)
    parts = ["<!DOCTYPE html>", '<html lang="en">', '<head><meta charset="utf-8">',
             '<title data-ja="tf-cnn-image: %s">tf-cnn-image: %s</title>' % (html.escape(title[1]), html.escape(title[0])),
             '<link rel="stylesheet" href="pages.css">', '<script src="lang.js"></script>',
             "</head>", "<body>", "<h1>tf-cnn-image: %s</h1>" % both(title),
             NAV_START, "<p>%s</p>" % both(summary)]
    for heading, items in sections:
        parts.append("<h2>%s</h2>" % both(heading))
        for item in items:
            name, caption = (item, item) if isinstance(item, str) else item
            with Image.open(os.path.join(IMAGES_DIR, name)) as image:
                width = image.width * max(1, 480 // image.width)
            parts.append('<figure><img src="{0}" width="{1}" alt="{0}"><figcaption>{2}</figcaption></figure>'
                         .format(html.escape(name), width, both(caption)))
    parts += ["</body>", "</html>", ""]
    for name in SHARED[1:]:
        copy_web(name, name)
    save_text(file_name, "\n".join(parts))
    link_pages()


def write_explorer(data, folder=IMAGES_DIR, mnist=True):
    """6.html and its files, copied from web/ into folder (images/: 6.html, 6_explorer_base.js, ...), and
    data: {file name: JavaScript}; mnist False: 6.html titled for another data set."""
    for name in sorted(os.listdir(WEB_DIR)):
        if not name.endswith(".c"):  # (network.c: the source of network_simd_wasm.js)
            copy_web(name, name if name in SHARED else "6_" + name, folder)
    if not mnist:
        with open(os.path.join(WEB_DIR, "6.html"), encoding="utf-8") as f:
            page = f.read()
        for mnists, others in zip(dict(PAGES)["6.html"], OTHER_DATA["6.html"]):
            page = page.replace(mnists, others)
        save_text("6.html", page, folder)
    for name, script in data.items():
        save_text(name, script, folder)
    link_pages(folder)


def link_pages(folder=IMAGES_DIR):
    """Link each page that exists to the others that exist, on its line that starts with NAV_START,
    after the language switch (lang.js)."""
    for page, _ in PAGES:
        if os.path.exists(os.path.join(folder, page)):
            with open(os.path.join(folder, page), encoding="utf-8") as f:
                lines = f.read().split("\n")
            links = ['<a href="{0}">{1}</a>'.format(name, both(page_title(os.path.join(folder, name)))) for name, _ in PAGES
                     if name != page and os.path.exists(os.path.join(folder, name))]
            nav = NAV_START + '<button id="lang" type="button">日本語</button>' + (
                "%s%s</p>" % (both(("See also: ", "ほかのページ：")), both((", ", "、")).join(links)) if links else "</p>")
            lines = [nav if line.startswith(NAV_START) else line for line in lines]
            save_text(page, "\n".join(lines), folder)


def page_title(path):
    """A page's own title, as it was written (English, Japanese)."""
    with open(path, encoding="utf-8") as f:
        ja, en = TITLE.search(f.read()).groups()
    return html.unescape(en), html.unescape(ja)


def copy_web(name, target, folder=IMAGES_DIR):
    """web/name copied to folder/target."""
    save_atomically(target, lambda path: shutil.copyfile(os.path.join(WEB_DIR, name), path), folder)


def save_text(file_name, text, folder=IMAGES_DIR):
    def write(path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    save_atomically(file_name, write, folder)
