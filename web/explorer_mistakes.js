// 6.html's "where it goes wrong": the confusion matrix of the whole test set at the Training step
// column's step (TensorFlow's answers, which 6.py or the run wrote into 6_run.js: the page runs no
// test image through the network), a cell's test images as thumbnails, and one of them on the pad.
// The test images come in 6_test.js (zlib), unpacked by the browser once the page is first drawn.
"use strict";

(function (X) {
  const S = X.state, $ = X.$, T = X.T;
  const SHOWN = 100; // a cell's thumbnails: the first 100 of its test images
  const SIDE = 28, GAP = 1, ROW = 10; // each 28x28, 1-pixel gaps, 10 to a row

  // --- the test set: its labels (6_run.js) and images (6_test.js) ---

  let labels = null;
  X.testLabels = () => labels || (labels = network.bytes(S.run.test_labels));

  // A step's answers (6_run.js: TensorFlow's, to the first test_digits test images), or null (a live step's)
  const answersOf = (entry) => (entry && entry.answers ? (entry.decoded = entry.decoded || network.bytes(entry.answers)) : null);

  // counts[true][answer] over the test images the step's answers cover, or null
  X.confusion = function (entry) {
    const answers = answersOf(entry);
    if (!answers) return null;
    const classes = S.run.data.classes.length, truth = X.testLabels();
    const counts = Array.from({length: classes}, () => new Array(classes).fill(0));
    for (let i = 0; i < answers.length; i++) counts[truth[i]][answers[i]]++;
    return counts;
  };

  // The test images' indices in a cell (true class, answer) at a step, ascending
  X.cellOf = function (entry, truth, answer) {
    const answers = answersOf(entry), labels = X.testLabels(), found = [];
    if (answers) for (let i = 0; i < answers.length; i++) if (labels[i] === truth && answers[i] === answer) found.push(i);
    return found;
  };

  // 6_test.js: the test images, unpacked (DecompressionStream, "deflate": zlib's format) into S.tests
  window.explorerTest = function (runId, data) {
    if (runId !== S.run.run) {
      return X.setTests(null, ["6_test.js is another run's: run python 6.py again.", "6_test.js は別の学習のものです。python 6.py をもう一度実行してください。"]);
    }
    if (typeof DecompressionStream !== "function") {
      return X.setTests(null, ["This browser can't unpack the test images (no DecompressionStream).",
                               "このブラウザではテスト画像を展開できません（DecompressionStream に対応していません）。"]);
    }
    const stream = new Blob([network.bytes(data.zlib)]).stream().pipeThrough(new DecompressionStream("deflate"));
    new Response(stream).arrayBuffer().then((buffer) => X.setTests(new Uint8Array(buffer)),
      () => X.setTests(null, ["6_test.js is damaged: the test images could not be unpacked.",
                              "6_test.js が壊れています。テスト画像を展開できませんでした。"]));
  };
  let loading = null; // resolves once S.tests is set (or has failed)
  X.loadTests = function () {
    if (!loading) {
      X.testsAskedMs = performance.now(); // (from navigation's start: after the first draw)
      loading = new Promise((resolve) => { X.testsLoaded = resolve; });
      X.script("6_test.js").catch(() => X.setTests(null, ["6_test.js is missing: run python 6.py again.",
                                                          "6_test.js がありません。python 6.py をもう一度実行してください。"]));
    }
    return loading;
  };
  X.testPixels = (i) => Array.from(S.tests.subarray(784 * i, 784 * (i + 1)), (v) => v / 255);

  // --- the matrix ---

  // A cell's colour: the diagonal (right) in blue, the rest (wrong) in red, darker the more of them
  function shade(count, top, right) {
    const a = top ? Math.sqrt(count / top) : 0; // (the square root: a few mistakes still show)
    return {background: right ? "rgba(49, 54, 149, " + (0.8 * a).toFixed(3) + ")" : "rgba(215, 48, 39, " + a.toFixed(3) + ")",
            color: a > 0.55 ? "#fff" : "#000"};
  }

  let shown = null; // what the matrix shows now: redrawn only when it changes
  X.showMistakes = function () {
    const entry = S.steps.main, classes = S.run.data.classes.length;
    const key = [entry && entry.step, entry && entry.live, entry && entry.answers && entry.answers.length, S.cell && S.cell.join(),
                 !!S.tests, S.testsError, window.pageLang.get()].join("|");
    if (key === shown) return;
    shown = key;
    const counts = X.confusion(entry);
    const what = X.mnist() ? " test digits" : " test images";
    const table = $("confusion");
    table.hidden = !counts;
    if (!counts) {
      $("mistakes-text").textContent = !entry ? "" : entry.live
        ? T("No confusion matrix for the weights as they are now: it comes with the next snapshot step.",
            "学習中の今の重みには混同行列がありません。次のスナップショットのステップで表示します。")
        : T("No answers to the test set for this step: run python 6.py again.", "このステップのテスト画像への答えがありません。python 6.py をもう一度実行してください。");
      $("cell").hidden = true;
      return;
    }
    const n = entry.answers ? answersOf(entry).length : 0;
    let right = 0, topRight = 0, topWrong = 0;
    counts.forEach((row, t) => row.forEach((c, a) => {
      if (t === a) { right += c; topRight = Math.max(topRight, c); } else topWrong = Math.max(topWrong, c);
    }));
    const wrong = X.number(n - right), first = n < S.run.data.test_images, count = X.number(n);
    $("mistakes-text").textContent = T(
      "Step " + X.number(entry.step) + ": " + wrong + " wrong of " + (first ? "the first " : "all ") + count + what +
      ". Rows: the true " + (X.mnist() ? "digit" : "class") + "; columns: what the network answers. Click a cell to see them.",
      "ステップ " + X.number(entry.step) + "：テスト画像" + (first ? "の最初の " + count + " 枚" : " " + count + " 枚すべて") +
      "のうち " + wrong + " 枚を間違えています。行が正解、列がネットワークの答えです。マスをクリックすると、そのマスの画像を表示します。");
    const cell = Math.max(12, Math.min(38, Math.floor(380 / classes))); // px: 10 digits at 38 (1,134), EMNIST's 62 smaller
    const head = document.createElement("tr");
    const corner = document.createElement("th");
    corner.textContent = T("true \\ answer", "正解＼答え");
    corner.className = "corner";
    head.appendChild(corner);
    for (let a = 0; a < classes; a++) {
      const th = document.createElement("th");
      th.textContent = S.run.data.classes[a];
      head.appendChild(th);
    }
    const rows = counts.map((row, t) => {
      const tr = document.createElement("tr"), th = document.createElement("th");
      th.textContent = S.run.data.classes[t];
      tr.appendChild(th);
      row.forEach((c, a) => {
        const td = document.createElement("td"), look = shade(c, t === a ? topRight : topWrong, t === a);
        td.textContent = c && cell >= 24 ? X.number(c) : "";
        td.style.background = look.background;
        td.style.color = look.color;
        td.style.width = td.style.height = cell + "px";
        td.dataset.truth = t;
        td.dataset.answer = a;
        td.title = X.className(t) + T(" read as ", " を ") + X.className(a) + T(": " + c, " と答えた枚数：" + c);
        if (S.cell && S.cell[0] === t && S.cell[1] === a) td.className = "chosen";
        tr.appendChild(td);
      });
      return tr;
    });
    table.replaceChildren(head, ...rows);
    X.showCell(entry);
  };

  // The chosen cell's test images: how many, the first SHOWN as thumbnails on one canvas (a click on
  // one puts it on the pad)
  X.showCell = function (entry) {
    const box = $("cell");
    box.hidden = !S.cell;
    if (!S.cell) return;
    const [t, a] = S.cell, found = X.cellOf(entry, t, a), canvas = $("cell-digits");
    const what = t === a ? T(X.className(t) + " read right", "正しく " + X.className(t) + " と答えた画像")
      : T(X.className(t) + " read as " + X.className(a), X.className(t) + " を " + X.className(a) + " と答えた画像");
    $("cell-text").textContent = what + T(": " + X.number(found.length) + (X.mnist() ? " test digits" : " test images"),
                                          "：" + X.number(found.length) + " 枚") +
      (found.length > SHOWN ? T(", the first " + SHOWN + " shown", "（最初の " + SHOWN + " 枚を表示）") : "") +
      (found.length ? T(". Click one to put it on the pad.", "。クリックした画像をパッドに置きます。") : "") +
      (!found.length ? "" : S.testsError ? T(" ", "") + T(...S.testsError) : !S.tests ? T(" (loading the test images…)", "（テスト画像を読み込んでいます…）") : "");
    const shownHere = found.slice(0, SHOWN), rows = Math.ceil(shownHere.length / ROW);
    canvas.hidden = !shownHere.length || !S.tests;
    canvas.indices = shownHere;
    if (canvas.hidden) return;
    const width = Math.min(shownHere.length, ROW) * (SIDE + GAP) - GAP, height = rows * (SIDE + GAP) - GAP;
    const gray = new Uint8ClampedArray(width * height).fill(X.GAP);
    shownHere.forEach((i, k) => {
      const top = Math.floor(k / ROW) * (SIDE + GAP), left = (k % ROW) * (SIDE + GAP);
      for (let y = 0; y < SIDE; y++) gray.set(S.tests.subarray(784 * i + SIDE * y, 784 * i + SIDE * (y + 1)), (top + y) * width + left);
    });
    X.paint(canvas, gray, width, height);
    canvas.style.width = width + "px";
  };

  X.setupMistakes = function () {
    $("confusion").addEventListener("click", (e) => {
      const td = e.target.closest("td");
      if (td) X.setCell([Number(td.dataset.truth), Number(td.dataset.answer)]);
    });
    $("cell-digits").addEventListener("click", (e) => {
      const canvas = $("cell-digits"), scale = canvas.width / canvas.clientWidth;
      const k = Math.floor(e.offsetY * scale / (SIDE + GAP)) * ROW + Math.floor(e.offsetX * scale / (SIDE + GAP));
      if (canvas.indices && k < canvas.indices.length) X.showTest(canvas.indices[k]);
    });
    X.ready.then(() => X.loadTests());
  };

  // Test image i on the pad, as a test digit is put there; resolves once it is there
  X.showTest = function (i) {
    return X.loadTests().then(() => {
      if (!S.tests) throw new Error(T(...S.testsError));
      if (!(i >= 0 && i < S.tests.length / 784)) throw new Error("no test image " + i);
      X.startFrom(X.testPixels(i), "test", i);
    });
  };
})(window.Explorer);
