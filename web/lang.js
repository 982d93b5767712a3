// The pages (index.html, 4.html, 5.html, 6.html, 7.html) in English or in Japanese (日本語). Their text is
// written in both, <span lang="en">...</span><span lang="ja">...</span>, and pages.css hides the
// language not chosen. The choice: the reader's (the button #lang on every page, kept in
// localStorage and in the links between the pages, ?lang=ja, for browsers that keep no storage for
// file://), else the browser's first preference among Japanese and English, else English.
// Loaded in each page's <head>, before the body is drawn: no flash of the other language.
"use strict";

(function () {
  const KEY = "tf-cnn-image.lang", LANGS = ["en", "ja"];

  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; } // storage refused
  }

  function preferred() {
    for (const l of navigator.languages || [navigator.language || ""]) {
      const base = l.toLowerCase().split("-")[0];
      if (LANGS.includes(base)) return base;
    }
    return "en";
  }

  const asked = new URLSearchParams(location.search).get("lang");
  let lang = LANGS.includes(asked) ? asked : LANGS.includes(stored()) ? stored() : preferred();

  function apply() {
    const html = document.documentElement, title = document.querySelector("title");
    html.lang = lang;
    if (title) {
      if (!title.dataset.en) title.dataset.en = title.textContent;
      document.title = lang === "ja" && title.dataset.ja ? title.dataset.ja : title.dataset.en;
    }
    const button = document.getElementById("lang");
    if (button) {
      button.textContent = lang === "ja" ? "English" : "日本語";
      button.title = lang === "ja" ? "show this page in English" : "このページを日本語で表示";
    }
    for (const link of document.querySelectorAll("p.nav a")) { // the choice goes with the reader
      link.setAttribute("href", link.getAttribute("href").split("?")[0] + "?lang=" + lang);
    }
    document.dispatchEvent(new CustomEvent("langchange", {detail: lang}));
  }

  window.pageLang = {
    get() { return lang; },
    set(next) { // the reader's choice, for this page and the others
      lang = next;
      try { localStorage.setItem(KEY, lang); } catch (e) { /* the links carry it */ }
      apply();
    },
    pick(en, ja) { return lang === "ja" ? ja : en; }, // a text made by a script, in the page's language
  };

  document.documentElement.lang = lang;
  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("lang");
    if (button) button.addEventListener("click", () => window.pageLang.set(lang === "ja" ? "en" : "ja"));
    apply();
  });
})();
