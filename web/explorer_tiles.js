// 6.html's table of layers (a row per layer, a column per step, the article's tiles) and the pad:
// one update runs the input through the network at both steps and draws every layer.
"use strict";

(function (X) {
  const S = X.state, $ = X.$, T = X.T;

  X.buildTable = function () {
    const body = document.querySelector("#layers tbody");
    for (const [name] of S.run.layers.concat([["h_fc1"]])) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.textContent = name;
      tr.append(th, document.createElement("td"), document.createElement("td"));
      for (const [k, column] of [[1, "compare"], [2, "main"]]) {
        const canvas = document.createElement("canvas");
        canvas.id = column + "-" + name;
        if (name !== "h_fc1") {
          canvas.className = "tile";
          canvas.addEventListener("click", (e) => X.pick(e, name, column));
        }
        tr.children[k].appendChild(canvas);
      }
      body.appendChild(tr);
    }
    for (const column of ["main", "compare"]) X.buildWhy(column);
  };

  // "test accuracy 0.9652 on the first 1,000 test digits": while training, a snapshot's accuracy is
  // measured on the first 1,000 test digits; the last step's on all of them (the article's line).
  // A live step's weights are those training had then, between two snapshot steps: no test accuracy.
  X.accuracyText = function (s) {
    if (s.live) return T("the weights as they are now, while training", "学習中の今の重み");
    const all = S.run.running ? (S.run.data ? S.run.data.test_images : 10000) : S.run.steps[S.run.steps.length - 1].test_digits;
    const accuracy = s.test_accuracy.toFixed(4), digits = X.number(s.test_digits);
    const what = X.mnist() ? " test digits" : " test images";
    return s.test_digits < all
      ? T("test accuracy " + accuracy + " on the first " + digits + what,
          "テスト画像の最初の " + digits + " 枚でのテスト精度 " + accuracy)
      : T("test accuracy " + accuracy + " on all " + digits + what,
          "テスト画像 " + digits + " 枚すべてでのテスト精度 " + accuracy);
  };

  X.showColumn = function (column) {
    const {step, layers} = S.view[column];
    const entry = S.run.steps.find((s) => s.step === step);
    $(column + "-title").textContent = T("step ", "ステップ ") + step + (entry ? T(" (", "（") + X.accuracyText(entry) + T(")", "）") : "");
    for (const [name, side, channels] of S.run.layers) {
      const canvas = $(column + "-" + name);
      const t = X.tile(layers[name], side, channels);
      X.paint(canvas, t.gray, t.width, t.height);
      const zoom = 2 * Math.max(1, Math.floor(28 / side)); // drawing.layer_tile's, twice again
      canvas.style.width = t.width * zoom + "px"; // its height follows (explorer.css may make it smaller)
    }
    const fc1 = layers.h_fc1, top = Math.max(...fc1) || 1;
    const canvas = $(column + "-h_fc1");
    X.paint(canvas, Array.from(fc1, (v) => Math.round(255 * v / top)), 32, 32);
    canvas.style.width = canvas.style.height = "192px";
    X.showWhy(column);
  };

  // One update: the input through the network at both steps, every layer drawn, and why. A column
  // whose input, weights and question are those it shows keeps what it has (its SmoothGrad too): while
  // the page follows a run, only the Training step column changes.
  X.update = function () {
    const start = performance.now();
    X.paint($("input"), Array.from(S.input, (v) => Math.round(255 * v)), 28, 28);
    for (const column of ["main", "compare"]) {
      const entry = S.run.steps[$(column === "main" ? "step" : "compare-step").value];
      if (!entry || !S.weights[entry.step]) continue; // drawn when its weights have come
      const w = S.weights[entry.step], asked = S.explain ? S.asked : undefined, shown = S.view[column];
      if (!shown || shown.w !== w || shown.input !== S.input || shown.asked !== asked) {
        const layers = network.forward(w, S.input);
        const answer = layers.probabilities.indexOf(Math.max(...layers.probabilities));
        const why = S.explain ? network.backward(w, layers, S.asked === null ? answer : S.asked) : null;
        S.view[column] = {step: entry.step, layers, answer, why, w, input: S.input, asked};
      }
      X.showColumn(column);
    }
    if (S.selected && S.view[S.selected.column]) X.showChannel();
    if (S.view.main && S.drawn) S.drawn();
    S.timings.push(performance.now() - start);
    if (S.explain) X.smoothSoon();
  };

  X.updateSoon = function () { // at most once a frame, while a stroke is drawn
    if (S.pending) return;
    S.pending = true;
    requestAnimationFrame(() => { S.pending = false; X.update(); });
  };

  function readPad() {
    const pad = $("draw");
    const data = pad.getContext("2d", {willReadFrequently: true}).getImageData(0, 0, pad.width, pad.height).data;
    S.input = preprocessing.toMnist(data, pad.width, pad.height, X.readerImage()) || new Float32Array(784);
  }

  // The pad: strokes of the pen (pointer events), each one read as the network's input at once.
  X.setupPad = function () {
    const pad = $("draw"), context = pad.getContext("2d", {willReadFrequently: true}); // read at every stroke
    const clear = () => { context.fillStyle = X.paper(); context.fillRect(0, 0, pad.width, pad.height); };
    clear();
    let last = null;
    const at = (e) => [e.offsetX * pad.width / pad.clientWidth, e.offsetY * pad.height / pad.clientHeight];
    pad.addEventListener("pointerdown", (e) => {
      pad.setPointerCapture(e.pointerId);
      last = at(e);
      stroke(last, last);
    });
    pad.addEventListener("pointermove", (e) => {
      if (!last) return;
      const next = at(e);
      stroke(last, next);
      last = next;
    });
    for (const end of ["pointerup", "pointercancel"]) pad.addEventListener(end, () => { last = null; });
    function stroke(from, to) {
      context.strokeStyle = X.ink();
      context.lineWidth = X.PEN;
      context.lineCap = context.lineJoin = "round";
      context.beginPath();
      context.moveTo(from[0], from[1]);
      context.lineTo(to[0], to[1]);
      context.stroke();
      S.drawing = true;
      readPad();
      X.updateSoon();
    }
    $("clear").addEventListener("click", () => {
      clear();
      S.drawing = false;
      S.photo = null;
      S.input = new Float32Array(784);
      X.update();
    });
    X.clearPad = clear;
  };

  // A test digit: the network gets it as it is; the pad shows it enlarged, to draw over.
  X.startFrom = function (pixels) {
    X.clearPad();
    S.photo = null; // (takePhoto names its photo after this)
    const small = document.createElement("canvas");
    X.paint(small, Array.from(pixels, (v) => Math.round(255 * v)), 28, 28);
    const context = $("draw").getContext("2d");
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, $("draw").width, $("draw").height);
    S.drawing = false;
    S.input = Float32Array.from(pixels);
    X.update();
  };
})(window.Explorer);
