// 6.html's table of layers (a row per layer, a column per step, the article's tiles), the pad, and
// X.render, which draws the whole page from the state: the input through the network at both
// columns' steps, every layer, why, the channel's panel, the sliders and the run's line.
"use strict";

(function (X) {
  const S = X.state, $ = X.$, T = X.T;

  // --- drawing on canvases ---

  // Gray values 0..255 (Uint8 or numbers), width x height, onto a canvas of that size.
  X.paint = function (canvas, gray, width, height) {
    if (canvas.width !== width) canvas.width = width; // (setting it, even to itself, clears the canvas: costly)
    if (canvas.height !== height) canvas.height = height;
    const context = canvas.getContext("2d");
    const image = context.createImageData(width, height), pixels = new Uint32Array(image.data.buffer);
    const g = gray instanceof Uint8ClampedArray || gray instanceof Uint8Array ? gray : Uint8ClampedArray.from(gray); // (as ImageData rounds and clips)
    for (let i = 0; i < width * height; i++) pixels[i] = 0xff000000 | (g[i] * 0x010101); // RGBA bytes, opaque
    context.putImageData(image, 0, 0);
  };

  // tools.save_image's tile of one layer (HWC, side x side x channels): channel c at row c / 8,
  // column c % 8, each cell side + 1 pixels with the gap after it, the last gaps cut; every value
  // times 255, clipped to 0..255 and truncated, as channels_to_images and np.uint8 make it. With order,
  // the cell of place p shows channel order[p] (another run's channels beside their matches).
  X.tile = function (layer, side, channels, order = null) {
    const rows = Math.floor((channels - 1) / X.COLS) + 1;
    const width = X.COLS * (side + 1) - 1, height = rows * (side + 1) - 1;
    const gray = new Uint8ClampedArray(width * height).fill(X.GAP);
    for (let p = 0; p < channels; p++) {
      const c = order ? order[p] : p;
      const top = Math.floor(p / X.COLS) * (side + 1), left = (p % X.COLS) * (side + 1);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const v = layer[(y * side + x) * channels + c] * 255;
          gray[(top + y) * width + left + x] = Math.trunc(Math.min(Math.max(v, 0), 255));
        }
      }
    }
    return {gray, width, height};
  };

  X.channelImage = function (layer, side, channels, c) {
    const gray = new Uint8ClampedArray(side * side);
    for (let i = 0; i < side * side; i++) gray[i] = Math.trunc(Math.min(Math.max(layer[i * channels + c] * 255, 0), 255));
    return gray;
  };

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
  X.accuracyText = function (s, column = "main") {
    if (s.live) return T("the weights as they are now, while training", "学習中の今の重み");
    const steps = X.stepsOf(column);
    const all = S.run.running && column === "main" ? S.run.data.test_images : steps[steps.length - 1].test_digits;
    const accuracy = s.test_accuracy.toFixed(4), digits = X.number(s.test_digits);
    const what = X.mnist() ? " test digits" : " test images";
    return s.test_digits < all
      ? T("test accuracy " + accuracy + " on the first " + digits + what,
          "テスト画像の最初の " + digits + " 枚でのテスト精度 " + accuracy)
      : T("test accuracy " + accuracy + " on all " + digits + what,
          "テスト画像 " + digits + " 枚すべてでのテスト精度 " + accuracy);
  };

  X.showColumn = function (column) {
    const {step, layers} = X.views[column];
    const entry = X.stepsOf(column).find((s) => s.step === step);
    $(column + "-title").textContent = (S.run.compare ? X.modelOf(column) + " " : "") + T("step ", "ステップ ") + X.number(step) +
      (entry ? T(" (", "（") + X.accuracyText(entry, column) + T(")", "）") : "");
    for (const [name, side, channels] of X.layersOf(column)) {
      const canvas = $(column + "-" + name);
      const t = X.tile(layers[name], side, channels, X.orderOf(column, name));
      X.paint(canvas, t.gray, t.width, t.height);
      const zoom = 2 * Math.max(1, Math.floor(28 / side)); // drawing.layer_tile's, twice again
      canvas.style.width = t.width * zoom + "px"; // its height follows (explorer.css may make it smaller)
    }
    const fc1 = layers.h_fc1, top = Math.max(...fc1) || 1;
    const canvas = $(column + "-h_fc1");
    X.paint(canvas, Array.from(fc1, (v) => Math.round(255 * v / top)), 32, 32);
    canvas.style.width = "192px"; // (its height follows: a square)
    X.showWhy(column);
  };

  // --- the page drawn from the state ---

  // What each column shows, computed from the state: {step, layers, answer, why} and what made them
  // ({w, input, asked}), kept while those stay (its SmoothGrad too): a new step recomputes its column alone.
  X.views = {main: null, compare: null};
  X.timings = []; // ms of each render that ran the network
  let drawn = null; // resolves explorer.ready, once the Training step column is first drawn
  X.ready = new Promise((resolve) => { drawn = resolve; });

  // The whole page from the state: each column whose step's weights are here, the rest as it stands
  // (explain false: the layers alone, bench.py's forward-only measure).
  X.render = function (explain = true) {
    if (!S.run) return;
    const start = performance.now();
    X.paint($("input"), Array.from(S.input, (v) => Math.round(255 * v)), 28, 28);
    let computed = false;
    for (const column of ["main", "compare"]) {
      const entry = S.steps[column], w = entry && X.weightsOf(column)[entry.step];
      if (!w) continue; // drawn when its weights have come
      const asked = explain ? S.asked : undefined, shown = X.views[column];
      if (!shown || shown.w !== w || shown.input !== S.input || shown.asked !== asked) {
        const layers = X.net.forward(w, S.input);
        const answer = layers.probabilities.indexOf(Math.max(...layers.probabilities));
        const why = explain ? X.net.backward(w, layers, S.asked === null ? answer : S.asked) : null;
        X.views[column] = {step: entry.step, layers, answer, why, w, input: S.input, asked};
        computed = true;
      }
      X.showColumn(column);
    }
    X.showChannel();
    X.showMistakes();
    X.showFool();
    X.showSteps();
    X.showTraining();
    X.showPhotoError();
    X.showPlay();
    if (X.views.main && drawn) {
      drawn();
      drawn = null;
    }
    if (computed) {
      X.timings.push(performance.now() - start);
      if (explain) X.smoothSoon();
    }
  };

  let pending = false;
  X.renderSoon = function () { // at most once a frame, while a stroke is drawn
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; X.render(); });
  };

  function readPad() {
    const pad = $("draw");
    const data = pad.getContext("2d", {willReadFrequently: true}).getImageData(0, 0, pad.width, pad.height).data;
    return preprocessing.toMnist(data, pad.width, pad.height, X.readerImage()) || new Float32Array(784);
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
      X.setInput(readPad(), "stroke");
    }
    $("clear").addEventListener("click", () => {
      clear();
      X.setInput(new Float32Array(784), "clear");
    });
    X.clearPad = clear;
  };

  // A test digit, a photo's input or a fooled one (how, from, fooled: setInput's): the network gets it as it is; the pad
  // shows it enlarged, to draw over.
  X.startFrom = function (pixels, how = "test", from = null, fooled = null) {
    X.clearPad();
    const small = document.createElement("canvas");
    X.paint(small, Array.from(pixels, (v) => Math.round(255 * v)), 28, 28);
    const context = $("draw").getContext("2d");
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, $("draw").width, $("draw").height);
    X.setInput(pixels, how, from, true, fooled);
  };
})(window.Explorer);
