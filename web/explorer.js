// 6.html: draw a digit and see every layer of the network answer, at every snapshot step of a
// training run: one that is going on (train() writes the page as it trains) or the one in model/
// (6.py). The numbers come from network.js; the data from the scripts written beside this one:
// 6_run.js (the run, its steps, the test digits, 4.py's patterns) calls explorerRun(), each
// 6_weights_STEP.js calls explorerWeights(), loaded when its step is first wanted, and 6_live.js,
// read again every second while the run goes on, calls explorerLive() with its progress, its new
// steps and the weights as they are now (6_weights_live.js). All are <script> tags: browsers
// refuse fetch() of local files. Every text it writes is in English or Japanese, as lang.js says.
"use strict";

(function () {
  const LAYERS = [ // name, side, channels: as cnn.LAYERS
    ["h_conv1", 28, 32], ["h_pool1", 14, 32], ["h_conv2", 14, 64], ["h_pool2", 7, 64]];
  const COLS = 8, GAP = 0x80; // tools.save_image: 8 to a row, gray gaps
  const PEN = 18; // pixels of the 252-pixel pad: MNIST's 2-pixel pen, once made 20 pixels tall

  let run = null; // what 6_run.js gives: {summary, steps: [{step, test_accuracy, test_digits, file}], digits, channels}
  const weights = {}; // step -> decoded weights
  const waiting = {}; // step -> promise of its weights
  let input = new Float32Array(784); // the network's input, row-major, as x
  let drawing = false; // the pad holds a drawing (not only a test digit)
  let selected = null; // the clicked channel: {name, c}
  const view = {main: null, compare: null}; // each column's {step, layers, answer, why}
  let asked = null; // the digit the reader asks why of (a click on its bar); null: each column's answer
  let explain = true; // the backward pass and the maps with every update (off: bench.py's forward-only)
  let timings = []; // ms of each update of all layers
  let training = null; // the run's last word (6_live.js): {run, running, stopped, step, steps, rate, left_s, updated, ...}
  let following = true; // the Training step column moves to the newest step, until the reader moves it
  let playing = null; // the timer of the play button
  let drawn = null; // resolves ready once a column is drawn
  let watched = false; // the page was opened while its run was training: it tells how the run went

  const $ = (id) => document.getElementById(id);
  const T = (en, ja) => window.pageLang.pick(en, ja); // a text in the page's language
  const number = (n) => n.toLocaleString("en-US"); // 20,000 in both

  // --- data ---

  window.explorerWeights = function (step, data, runId) {
    if (runId === run.run) weights[step] = network.decodeWeights(data); // never another run's
  };

  // A script beside the page, loaded (again) by a new <script> tag, removed once it has run.
  function script(src) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = () => { tag.remove(); resolve(); };
      tag.onerror = () => { tag.remove(); reject(new Error("could not load " + src)); };
      document.body.appendChild(tag);
    });
  }

  function load(step) {
    if (!waiting[step]) {
      const entry = run.steps.find((s) => s.step === step);
      if (!entry) return Promise.reject(new Error("no snapshot at step " + step));
      // The live weights' file is replaced as the run goes on: its step in the address, to read it anew.
      waiting[step] = script(entry.live ? entry.file + "?step=" + step : entry.file).then(() => weights[step]);
    }
    return waiting[step];
  }

  // --- drawing on canvases ---

  // Gray values 0..255 (Uint8 or numbers), width x height, onto a canvas of that size.
  function paint(canvas, gray, width, height) {
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    const image = context.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      image.data.set([gray[i], gray[i], gray[i], 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  }

  // tools.save_image's tile of one layer (HWC, side x side x channels): channel c at row c / 8,
  // column c % 8, each cell side + 1 pixels with the gap after it, the last gaps cut; every value
  // times 255, clipped to 0..255 and truncated, as channels_to_images and np.uint8 make it.
  function tile(layer, side, channels) {
    const rows = Math.floor((channels - 1) / COLS) + 1;
    const width = COLS * (side + 1) - 1, height = rows * (side + 1) - 1;
    const gray = new Uint8ClampedArray(width * height).fill(GAP);
    for (let c = 0; c < channels; c++) {
      const top = Math.floor(c / COLS) * (side + 1), left = (c % COLS) * (side + 1);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const v = layer[(y * side + x) * channels + c] * 255;
          gray[(top + y) * width + left + x] = Math.trunc(Math.min(Math.max(v, 0), 255));
        }
      }
    }
    return {gray, width, height};
  }

  function channelImage(layer, side, channels, c) {
    const gray = new Uint8ClampedArray(side * side);
    for (let i = 0; i < side * side; i++) gray[i] = Math.trunc(Math.min(Math.max(layer[i * channels + c] * 255, 0), 255));
    return gray;
  }

  // --- the table of layers: a row per layer, a column per step ---

  function buildTable() {
    const body = document.querySelector("#layers tbody");
    for (const [name] of LAYERS.concat([["h_fc1"]])) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<th>" + name + "</th><td></td><td></td>";
      for (const [k, column] of [[1, "compare"], [2, "main"]]) {
        const canvas = document.createElement("canvas");
        canvas.id = column + "-" + name;
        if (name !== "h_fc1") {
          canvas.className = "tile";
          canvas.addEventListener("click", (e) => pick(e, name, column));
        }
        tr.children[k].appendChild(canvas);
      }
      body.appendChild(tr);
    }
    // Beside the pad, per column: its answer and why (the bars, the three maps, the deciding channels)
    for (const column of ["main", "compare"]) {
      const box = $(column + "-why");
      box.innerHTML = '<div class="why-title" id="' + column + '-why-title"></div><div class="why-row">' +
        '<div class="bars" id="' + column + '-bars"></div>' +
        ["saliency", "cam-h_pool1", "cam-h_conv2"].map((m) => '<canvas class="map" id="' + column + "-" + m + '"></canvas>').join("") +
        '</div><div class="deciding" id="' + column + '-deciding"></div>';
      $(column + "-bars").addEventListener("click", (e) => {
        const bar = e.target.closest(".bar");
        if (!bar) return;
        const d = Number(bar.dataset.digit);
        asked = asked === d || (asked === null && d === view[column].answer) ? null : d; // again: back to the answers
        update();
      });
    }
  }

  // "test accuracy 0.9652 on the first 1,000 test digits": while training, a snapshot's accuracy is
  // measured on the first 1,000 test digits; the last step's on all of them (the article's line).
  // A live step's weights are those training had then, between two snapshot steps: no test accuracy.
  function accuracyText(s) {
    if (s.live) return T("the weights as they are now, while training", "学習中の今の重み");
    const all = run.running ? 10000 : run.steps[run.steps.length - 1].test_digits;
    const accuracy = s.test_accuracy.toFixed(4), digits = number(s.test_digits);
    return s.test_digits < all
      ? T("test accuracy " + accuracy + " on the first " + digits + " test digits",
          "テスト画像の最初の " + digits + " 枚でのテスト精度 " + accuracy)
      : T("test accuracy " + accuracy + " on all " + digits + " test digits",
          "テスト画像 " + digits + " 枚すべてでのテスト精度 " + accuracy);
  }

  function showColumn(column) {
    const {step, layers} = view[column];
    const entry = run.steps.find((s) => s.step === step);
    $(column + "-title").textContent = T("step ", "ステップ ") + step + (entry ? " (" + accuracyText(entry) + ")" : "");
    for (const [name, side, channels] of LAYERS) {
      const canvas = $(column + "-" + name);
      const t = tile(layers[name], side, channels);
      paint(canvas, t.gray, t.width, t.height);
      const zoom = 2 * Math.max(1, Math.floor(28 / side)); // drawing.layer_tile's, twice again
      canvas.style.width = t.width * zoom + "px"; // its height follows (explorer.css may make it smaller)
    }
    const fc1 = layers.h_fc1, top = Math.max(...fc1) || 1;
    const canvas = $(column + "-h_fc1");
    paint(canvas, Array.from(fc1, (v) => Math.round(255 * v / top)), 32, 32);
    canvas.style.width = canvas.style.height = "192px";
    showWhy(column);
  }

  // --- why: the answer's (or the asked digit's) evidence, drawn as 5.py draws it ---

  // RGB bytes of 28x28 pictures onto a canvas
  function paintRgb(canvas, rgb) {
    canvas.width = canvas.height = 28;
    const context = canvas.getContext("2d"), image = context.createImageData(28, 28);
    for (let i = 0; i < 784; i++) image.data.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
    context.putImageData(image, 0, 0);
  }

  // drawing.heat_overlay: the digit in gray (0.6 of its value) where the heat is 0, through red to
  // yellow where it is 1
  function heatOverlay(digit, heat) {
    const rgb = new Uint8ClampedArray(784 * 3);
    for (let i = 0; i < 784; i++) {
      const h = heat[i], base = 0.6 * digit[i] * (1 - h);
      const hot = [Math.min(Math.max(2 * h, 0), 1), Math.min(Math.max(2 * h - 1, 0), 1), 0];
      for (let k = 0; k < 3; k++) rgb[3 * i + k] = Math.round(255 * Math.min(Math.max(base + hot[k] * h, 0), 1));
    }
    return rgb;
  }

  // drawing.digit_sheet's saliency: white from the 99th percentile up (numpy's, linear)
  function saliencyGray(saliency) {
    const top = Math.max(network.percentile(Float64Array.from(saliency).sort(), 99), 1e-12);
    return Array.from(saliency, (v) => Math.round(255 * Math.min(v / top, 1)));
  }

  // SmoothGrad (saliency.py's: SAMPLES copies of the input with Gaussian noise of NOISE, their
  // gradients averaged, then the absolute value), once the pen rests: 32 forward and backward passes
  // a column, two a frame, given up as soon as the input or a step changes.
  const SAMPLES = 32, NOISE = 0.15, REST_MS = 300;
  let resting = null, generation = 0;
  function smoothSoon() {
    clearTimeout(resting);
    const mine = ++generation;
    resting = setTimeout(() => {
      for (const column of ["main", "compare"]) {
        const v = view[column];
        if (!v || !v.why) continue;
        const w = weights[v.step], random = gaussian(0), sum = new Float64Array(784);
        let k = 0;
        const chunk = () => {
          if (mine !== generation || view[column] !== v) return; // the pen moved on
          for (let n = 0; n < 2 && k < SAMPLES; n++, k++) { // two a frame: the page still answers
            const noisy = Float32Array.from(input, (x) => x + NOISE * random());
            const g = network.backward(w, network.forward(w, noisy), v.why.cls).input;
            for (let i = 0; i < 784; i++) sum[i] += g[i];
          }
          if (k < SAMPLES) return requestAnimationFrame(chunk);
          v.why.smooth = Float32Array.from(sum, (g) => Math.abs(g / SAMPLES));
          showWhy(column);
        };
        requestAnimationFrame(chunk);
      }
    }, REST_MS);
  }

  // Standard normal numbers from a seed (mulberry32 and Box-Muller): the same map for the same input.
  function gaussian(seed) {
    let a = seed >>> 0;
    const uniform = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  }

  function showWhy(column) {
    const {step, layers, answer, why} = view[column];
    const p = layers.probabilities, cls = why ? why.cls : answer;
    $(column + "-why-title").textContent = (column === "main" ? T("Training step ", "学習ステップ ") : T("Compare with ", "比較: ")) +
      step + T(": it says ", ": 答え ") + answer + " (" + Math.round(100 * p[answer]) + "%)" +
      (why ? (cls === answer ? T(". Why " + cls + "?", "。なぜ " + cls + "?") :
        T(". Why not " + cls + "? (" + (100 * p[cls]).toFixed(1) + "%)", "。なぜ " + cls + " ではない? (" + (100 * p[cls]).toFixed(1) + "%)")) : "");
    $(column + "-bars").innerHTML = p.map((v, d) =>
      '<div class="bar' + (d === answer ? " answer" : "") + (why && asked !== null && d === cls ? " asked" : "") + '" data-digit="' + d + '"><span>' +
      (v >= 0.01 ? Math.round(100 * v) : "") + '</span><div style="height:' + (100 * v).toFixed(1) + '%"></div><span>' + d + "</span></div>").join("");
    for (const id of ["saliency", "cam-h_pool1", "cam-h_conv2"]) $(column + "-" + id).hidden = !why;
    $(column + "-deciding").hidden = !why;
    if (!why) return;
    paint($(column + "-saliency"), saliencyGray(why.smooth || why.saliency), 28, 28);
    $(column + "-saliency").title = why.smooth ? T("SmoothGrad (the pen rests)", "SmoothGrad (ペンが止まっている)")
      : T("the plain gradient |d logit / d x|", "勾配そのもの |d logit / d x|");
    for (const name of ["h_pool1", "h_conv2"]) {
      paintRgb($(column + "-cam-" + name), heatOverlay(input, network.toInputSize(why.hirescam[name], 14)));
    }
    // The deciding channels: h_conv2's 8 largest contributions to the logit, each its map and its share
    const box = $(column + "-deciding");
    box.innerHTML = "";
    for (const {channel, contribution} of why.channels.slice(0, 8)) {
      const figure = document.createElement("figure"), canvas = document.createElement("canvas");
      paint(canvas, channelImage(layers.h_conv2, 14, 64, channel), 14, 14);
      canvas.className = "tile";
      canvas.title = T("h_conv2, channel " + channel + ": " + contribution.toFixed(2) + " of the logit",
                       "h_conv2 のチャンネル " + channel + ": ロジットへの寄与 " + contribution.toFixed(2));
      canvas.addEventListener("click", () => { selected = {name: "h_conv2", c: channel, column}; showChannel(); });
      figure.appendChild(canvas);
      figure.insertAdjacentHTML("beforeend", "<figcaption>" + channel + "<br>" + (contribution >= 0 ? "+" : "") +
        contribution.toFixed(1) + "</figcaption>");
      box.appendChild(figure);
    }
  }

  // --- one update: the input through the network at both steps, every layer drawn ---

  function update() {
    const start = performance.now();
    const pixels = Array.from(input, (v) => Math.round(255 * v));
    paint($("input"), pixels, 28, 28);
    for (const column of ["main", "compare"]) {
      const entry = run.steps[$(column === "main" ? "step" : "compare-step").value];
      if (!entry || !weights[entry.step]) continue; // drawn when its weights have come
      const w = weights[entry.step], layers = network.forward(w, input);
      const answer = layers.probabilities.indexOf(Math.max(...layers.probabilities));
      view[column] = {step: entry.step, layers, answer, why: explain ? network.backward(w, layers, asked === null ? answer : asked) : null};
      showColumn(column);
    }
    if (selected && view[selected.column]) showChannel();
    if (view.main && drawn) drawn();
    timings.push(performance.now() - start);
    if (explain) smoothSoon();
  }

  let pending = false;
  function updateSoon() { // at most once a frame, while a stroke is drawn
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  }

  function readPad() {
    const pad = $("draw");
    const data = pad.getContext("2d", {willReadFrequently: true}).getImageData(0, 0, pad.width, pad.height).data;
    input = network.toMnist(data, pad.width, pad.height) || new Float32Array(784);
  }

  function setupPad() {
    const pad = $("draw"), context = pad.getContext("2d", {willReadFrequently: true}); // read at every stroke
    const clear = () => { context.fillStyle = "#000"; context.fillRect(0, 0, pad.width, pad.height); };
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
      context.strokeStyle = "#fff";
      context.lineWidth = PEN;
      context.lineCap = context.lineJoin = "round";
      context.beginPath();
      context.moveTo(from[0], from[1]);
      context.lineTo(to[0], to[1]);
      context.stroke();
      drawing = true;
      readPad();
      updateSoon();
    }
    $("clear").addEventListener("click", () => {
      clear();
      drawing = false;
      input = new Float32Array(784);
      update();
    });
    return clear;
  }

  // A test digit: the network gets it as it is; the pad shows it enlarged, to draw over.
  function startFrom(pixels, clear) {
    clear();
    const small = document.createElement("canvas");
    paint(small, Array.from(pixels, (v) => Math.round(255 * v)), 28, 28);
    const context = $("draw").getContext("2d");
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, $("draw").width, $("draw").height);
    drawing = false;
    input = Float32Array.from(pixels);
    update();
  }

  // --- a channel, enlarged, with its pattern and top patches (4.py) or its weights ---

  function pick(e, name, column) {
    const [, side] = LAYERS.find(([n]) => n === name);
    const canvas = e.currentTarget;
    const x = Math.floor(e.offsetX * canvas.width / canvas.clientWidth);
    const y = Math.floor(e.offsetY * canvas.height / canvas.clientHeight);
    if (x % (side + 1) === side || y % (side + 1) === side) return; // a gap
    const c = Math.floor(y / (side + 1)) * COLS + Math.floor(x / (side + 1));
    selected = {name, c, column};
    showChannel();
  }

  function showChannel() {
    const {name, c, column} = selected;
    const [, side, channels] = LAYERS.find(([n]) => n === name);
    const {step, layers} = view[column];
    $("channel").hidden = false;
    $("channel-title").textContent = name + T(", channel " + c + ", at step " + step, "、チャンネル " + c + "、ステップ " + step);
    const body = $("channel-body");
    body.innerHTML = "";
    // A figure of pictures (gray, width, height), each css pixels wide, with one caption.
    const add = (pictures, css, caption) => {
      const figure = document.createElement("figure");
      for (const [gray, width, height] of pictures) {
        const canvas = document.createElement("canvas");
        paint(canvas, gray, width, height);
        canvas.style.width = css + "px";
        figure.appendChild(canvas);
      }
      figure.insertAdjacentHTML("beforeend", "<figcaption>" + caption + "</figcaption>");
      body.appendChild(figure);
    };
    add([[channelImage(layers[name], side, channels, c), side, side]], 224,
        T("its " + side + "x" + side + " map for this input (times 255)", "この入力でのマップ、" + side + "x" + side + " (255 倍)"));
    const conv = name.replace("pool", "conv"); // a pooling channel shows its convolution's channel
    const found = run.channels && run.channels[conv];
    if (found) {
      const size = found.size, bytes = network.bytes(found.patterns);
      add([[bytes.subarray(c * size * size, (c + 1) * size * size), size, size]], 112,
          T(conv + "'s pattern (4.py): the input its centre unit answers to most, its " + size + "x" + size + " field",
            conv + " のパターン (4.py): 中央のユニットがいちばん強く反応する入力、" + size + "x" + size + " の受容野"));
      const top = network.bytes(found.top), per = found.count * size * size, patches = [];
      for (let k = 0; k < found.count; k++) {
        patches.push([top.subarray(c * per + k * size * size, c * per + (k + 1) * size * size), size, size]);
      }
      add(patches, 56, T("the " + found.count + " test patches where it fires hardest (4.py), after training",
                         "学習後、いちばん強く反応したテスト画像の " + found.count + " か所 (4.py)"));
    } else { // the weights that make it: 5x5 per input channel, gray 0, white +, black -
      const w = weights[step], inC = conv === "h_conv1" ? 1 : 32;
      const W = conv === "h_conv1" ? w.W_conv1 : w.W_conv2;
      let largest = 0;
      for (let i = c; i < W.length; i += conv === "h_conv1" ? 32 : 64) largest = Math.max(largest, Math.abs(W[i]));
      const filters = [];
      for (let ci = 0; ci < inC; ci++) {
        const gray = [];
        for (let k = 0; k < 25; k++) gray.push(Math.round(128 + 127 * W[(k * inC + ci) * (inC === 1 ? 32 : 64) + c] / (largest || 1)));
        filters.push([gray, 5, 5]);
      }
      add(filters, inC === 1 ? 112 : 40, T(conv + "'s 5x5 weights at this step" + (inC > 1 ? ", one per h_pool1 channel" : "") +
          " (gray 0, white +, black -); run 4.py for its pattern and top patches",
          "このステップでの " + conv + " の 5x5 の重み" + (inC > 1 ? " (h_pool1 のチャンネルごとに 1 つ)" : "") +
          " (灰色 0、白 +、黒 -)。パターンとトップパッチは 4.py を実行すると出ます"));
    }
  }

  // --- the run: its steps on the sliders, and while it trains, its progress ---

  // The sliders over run.steps; the Training step column at the newest step while following, else
  // where the reader put it (kept on the list even when it was a live step since replaced).
  function showSteps() {
    const labels = {step: "step-label", "compare-step": "compare-label"};
    for (const id of ["step", "compare-step"]) {
      const slider = $(id), s = run.steps[slider.value];
      slider.disabled = run.steps.length === 0;
      $(labels[id]).textContent = s ? T("step ", "ステップ ") + number(s.step) + T(", ", "、") + accuracyText(s)
        : T("waiting for the weights before training", "学習前の重みを待っています");
    }
    $("follow").hidden = following || !run.running;
    $("play").disabled = run.steps.length < 2;
  }

  // Puts the slider on this step (an index of run.steps) and draws it once its weights are here.
  function moveTo(id, index) {
    for (const slider of ["step", "compare-step"]) $(slider).max = Math.max(run.steps.length - 1, 0); // before a value
    $(id).value = index;
    showSteps();
    const entry = run.steps[index];
    if (entry) load(entry.step).then(update, () => {}); // another run's files: the page keeps what it had
  }

  // The steps as the run now has them: its snapshot steps, then the live one; the steps the two
  // columns show stay where they are, even a live step since replaced.
  function setSteps(entries) {
    const [main, compare] = ["step", "compare-step"].map((id) => run.steps[$(id).value]);
    const steps = entries.slice();
    for (const s of following ? [compare] : [main, compare]) if (s && !steps.some((t) => t.step === s.step)) steps.push(s);
    steps.sort((a, b) => a.step - b.step);
    run.steps = steps;
    $("compare-step").max = Math.max(steps.length - 1, 0);
    $("compare-step").value = compare ? steps.findIndex((t) => t.step === compare.step) : 0;
    moveTo("step", following || !main ? steps.length - 1 : steps.findIndex((t) => t.step === main.step));
  }

  function time(seconds) {
    const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
    return m ? m + T(" min ", " 分 ") + s + T(" s", " 秒") : s + T(" s", " 秒");
  }

  // The line over the sliders: how the run goes (training, the last word of 6_live.js), or that
  // another run now writes here (newer).
  let newer = false;
  function showTraining() {
    const line = $("training-text");
    if (newer) {
      line.textContent = T("A newer training run is going on: open 6.html again to follow it (this page keeps its own run).",
                           "新しい学習が始まっています。追うには 6.html を開き直してください (このページは今の学習を表示し続けます)。");
      return;
    }
    if (!training) return;
    const data = training, step = number(data.step), steps = number(data.steps);
    const at = new Date(data.updated * 1000).toLocaleTimeString(T("en-US", "ja-JP"));
    if (data.killed) {
      line.textContent = T("The run stopped at step " + step + " of " + steps + ": no word from it since " + at +
                           " (killed?). The page keeps what it has.",
                           "学習はステップ " + step + " / " + steps + " で止まりました: " + at +
                           " から応答がありません (強制終了?)。ページは今あるものを表示し続けます。");
    } else if (data.stopped) {
      line.textContent = T("The run stopped at step " + step + " of " + steps + ", at " + at +
                           " (Ctrl-C or an error). The page keeps what it has.",
                           "学習はステップ " + step + " / " + steps + " で止まりました (" + at +
                           "、Ctrl-C かエラー)。ページは今あるものを表示し続けます。");
    } else if (data.running) {
      const rate = data.rate ? data.rate.toFixed(1) : null;
      line.textContent = T(
        "Training now: step " + step + " of " + steps + (rate ? ", " + rate + " steps/s, " + time(data.left_s) + " left" : "") +
        ". The Training step column follows it: the snapshot steps as training passes them, and in between " +
        "the weights as they are now, at most half a minute old.",
        "学習中: ステップ " + step + " / " + steps + (rate ? "、毎秒 " + rate + " ステップ、残り " + time(data.left_s) : "") +
        "。学習ステップの列はそれを追います: スナップショットのステップを過ぎるたびにその重みを、その間は" +
        "今の重み (最大 30 秒前のもの) を表示します。");
    } else {
      line.textContent = T("Training ended: " + steps + " steps.", "学習が終わりました: " + steps + " ステップ。");
    }
  }

  // 6_live.js's word: the run's progress, its new steps, its end; or that another run now writes here.
  window.explorerLive = function (data) {
    if (data.run !== run.run) {
      if (data.running) {
        newer = true;
        showTraining();
        $("training").hidden = false;
      }
      return;
    }
    const was = training;
    training = data;
    // A running run writes 6_live.js every every_s seconds (2): five times that and more without a
    // word (a snapshot step's work included), it has stopped without saying so: killed.
    const quiet = Date.now() / 1000 - data.updated;
    if (data.running && quiet > 5 * data.every_s + 5) {
      training = Object.assign({}, data, {running: false, stopped: true, killed: true});
    }
    showTraining();
    $("training").hidden = !watched;
    $("progress").value = data.steps ? data.step / data.steps : 1;
    if (run.running) {
      const entries = data.snapshots.slice();
      if (data.live) entries.push({step: data.live.step, file: data.live.file, live: true});
      const known = run.steps.map((s) => s.step + (s.live ? "l" : "")).join();
      if (entries.map((s) => s.step + (s.live ? "l" : "")).join() !== known) setSteps(entries);
    }
    if (run.running && !data.running && !data.stopped && (!was || was.running)) {
      script("6_run.js?ended").catch(() => {}); // the finished run, as 6.py writes it
    }
  };

  function poll() {
    const running = !training || training.running;
    script("6_live.js?" + Date.now()).catch(() => {}).then(() => setTimeout(poll, running ? 1000 : 5000));
  }

  // The play button: the Training step column through every step it holds, one a second.
  function play() {
    if (playing) {
      clearInterval(playing);
      playing = null;
      showPlay();
      return;
    }
    following = false;
    let index = Number($("step").value) >= run.steps.length - 1 ? 0 : Number($("step").value);
    moveTo("step", index);
    playing = true;
    showPlay();
    playing = setInterval(() => {
      if (++index >= run.steps.length) return play(); // the end: stops
      moveTo("step", index);
    }, 1000);
  }

  function showPlay() {
    $("play").textContent = playing ? T("Pause", "一時停止") : T("Play", "再生");
    $("play").title = T("the steps one after the other, one a second", "ステップを順に、1 秒に 1 つずつ");
  }

  // --- the page's texts, in the reader's language (again when the reader switches) ---

  function summaryText() { // 6_run.js's summary: [English, Japanese]
    return Array.isArray(run.summary) ? T(run.summary[0], run.summary[1]) : run.summary;
  }

  function showTexts() {
    $("run").textContent = summaryText();
    $("draw").title = T("draw a digit here", "ここに数字を描く");
    $("channel-close").title = T("close", "閉じる");
    for (const canvas of $("digits").children) canvas.title = T("a ", "数字 ") + canvas.dataset.label;
    showPlay();
    showSteps();
    showTraining();
    for (const column of ["main", "compare"]) if (view[column]) showColumn(column);
    if (selected && view[selected.column]) showChannel();
  }

  // --- start ---

  window.explorerRun = function (data) {
    if (run) { // the run has ended: its steps and summary as 6.py gives them, the reader's drawing kept
      const steps = data.steps;
      Object.assign(run, data, {steps: run.steps});
      $("run").textContent = summaryText();
      setSteps(steps);
      return;
    }
    run = data;
    watched = run.running;
    for (const id of ["step", "compare-step"]) $(id).max = Math.max(run.steps.length - 1, 0); // before a value
    $("step").value = Math.max(run.steps.length - 1, 0);
    $("compare-step").value = 0;
    for (const id of ["step", "compare-step"]) {
      $(id).addEventListener("input", () => {
        if (id === "step") following = false; // the reader chose: it stays there
        moveTo(id, Number($(id).value));
      });
    }
    $("follow").addEventListener("click", () => window.explorer.follow());
    $("play").addEventListener("click", play);
    $("channel-close").addEventListener("click", () => { selected = null; $("channel").hidden = true; });
    showSteps();
    buildTable();
    const clear = setupPad();
    const box = $("digits");
    run.digits.forEach((digit) => {
      const pixels = Array.from(network.bytes(digit.pixels), (v) => v / 255);
      const canvas = document.createElement("canvas");
      paint(canvas, pixels.map((v) => Math.round(255 * v)), 28, 28);
      canvas.dataset.label = digit.label;
      canvas.addEventListener("click", () => startFrom(pixels, clear));
      box.appendChild(canvas);
    });
    showTexts();
    document.addEventListener("langchange", showTexts);
    window.explorer.ready = new Promise((resolve) => { drawn = resolve; }).then(() => {
      drawn = null;
      window.explorer.readyMs = performance.now();
    });
    startFrom(Array.from(network.bytes(run.digits[0].pixels), (v) => v / 255), clear);
    if (run.steps.length) {
      const first = run.steps[0].step, final = run.steps[run.steps.length - 1].step;
      Promise.all([load(first), load(final)]).then(() => {
        update();
        // The other steps, one after another, so that the sliders answer at once later.
        run.steps.reduce((chain, s) => chain.then(() => load(s.step)), Promise.resolve());
      });
    }
    poll();
  };

  // The page's small API, for tests and for the curious (the browser's console).
  window.explorer = {
    setInput(pixels) { // 784 numbers in [0, 1], row-major, as x
      input = Float32Array.from(pixels);
      drawing = false;
      update();
    },
    setStep(step) { // one of steps(); resolves when its layers are drawn (the column stops following)
      const index = run.steps.findIndex((s) => s.step === step);
      if (index < 0) return Promise.reject(new Error("no snapshot at step " + step));
      $("step").value = index;
      $("step").dispatchEvent(new Event("input"));
      return load(step).then(update);
    },
    steps() { return run.steps.map((s) => s.step); }, // the snapshot steps, and the live one while there is one
    training() { // the run's last known step and its total; running false once it has ended or stopped
      if (!training) return {running: run.running, step: run.running ? 0 : this.steps().pop(), steps: null};
      return {running: training.running, step: training.step, steps: training.steps};
    },
    follow() { // the Training step column back to following the run
      following = true;
      moveTo("step", run.steps.length - 1);
    },
    state() { // the main column: the input, the four layers (NHWC, one image), h_fc1 and the probabilities
      const {step, layers} = view.main;
      const out = {};
      for (const [name] of LAYERS) out[name] = Array.from(layers[name]);
      return {step, input: Array.from(input), drawn: drawing, layers: out, h_fc1: Array.from(layers.h_fc1),
              probabilities: layers.probabilities.slice()};
    },
    timings() { return timings.slice(); }, // ms of each update so far
    // Why the Training step column answers as it does, for its input and step: the gradient of the
    // answer's logit (or cls's), as tf.gradients gives it, before any upsampling or colour: the plain
    // gradient's absolute value (784), HiResCAM on h_pool1 and h_conv2 (positive part, 14x14 each,
    // row-major), and h_conv2's 64 channels' contributions to the logit, largest first.
    // Also smoothgrad: the SmoothGrad map the page shows once the pen rests (null until then).
    why(cls) {
      const {step, layers, answer, why: shown} = view.main;
      const why = network.backward(weights[step], layers, cls === undefined ? answer : cls);
      const smooth = shown && shown.cls === why.cls && shown.smooth;
      return {cls: why.cls, saliency: Array.from(why.saliency), smoothgrad: smooth ? Array.from(smooth) : null,
              hirescam: {h_pool1: Array.from(why.hirescam.h_pool1), h_conv2: Array.from(why.hirescam.h_conv2)},
              channels: why.channels.map(({channel, contribution}) => ({channel, contribution}))};
    },
    asked() { return asked; }, // the digit the maps are asked of (a click on its bar), or null: the answers
    // ms of n updates with the maps and n without (forward only, as before them), in turns: medians
    measure(n) {
      const times = {full: [], forward: []};
      for (let k = 0; k < n; k++) {
        for (const kind of ["full", "forward"]) {
          explain = kind === "full";
          const start = performance.now();
          update();
          times[kind].push(performance.now() - start);
        }
      }
      explain = true;
      clearTimeout(resting);
      update();
      const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
      return {full_ms: median(times.full), forward_ms: median(times.forward)};
    },
  };
})();
