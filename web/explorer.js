// 6.html: draw a digit and see every layer of the network answer, at every snapshot step of the
// training run that 6.py found in model/. The numbers come from network.js; the data from the
// scripts 6.py writes beside this one: 6_run.js (the run, its steps, the test digits, 4.py's
// patterns) calls explorerRun(), and each 6_weights_STEP.js calls explorerWeights(), loaded when
// its step is first wanted (a <script> tag: browsers refuse fetch() of local files).
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
  const view = {main: null, compare: null}; // each column's {step, layers}
  let timings = []; // ms of each update of all layers

  const $ = (id) => document.getElementById(id);

  // --- data ---

  window.explorerWeights = function (step, data) {
    weights[step] = network.decodeWeights(data);
  };

  function load(step) {
    if (!waiting[step]) {
      const entry = run.steps.find((s) => s.step === step);
      if (!entry) return Promise.reject(new Error("no snapshot at step " + step));
      waiting[step] = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = entry.file;
        script.onload = () => resolve(weights[step]);
        script.onerror = () => reject(new Error("could not load " + entry.file));
        document.body.appendChild(script);
      });
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
    const rows = [["probabilities"]].concat(LAYERS, [["h_fc1"]]);
    for (const [name] of rows) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<th>" + name + "</th><td></td><td></td>";
      for (const [k, column] of [[1, "compare"], [2, "main"]]) {
        const cell = tr.children[k];
        if (name === "probabilities") {
          cell.innerHTML = '<div class="bars" id="' + column + '-bars"></div>';
        } else {
          const canvas = document.createElement("canvas");
          canvas.id = column + "-" + name;
          if (name !== "h_fc1") {
            canvas.className = "tile";
            canvas.addEventListener("click", (e) => pick(e, name, column));
          }
          cell.appendChild(canvas);
        }
      }
      body.appendChild(tr);
    }
  }

  // "test accuracy 0.9652 on the first 1,000 test digits": while training, a snapshot's accuracy is
  // measured on the first 1,000 test digits; the last step's on all of them (the article's line).
  function accuracyText(s) {
    const all = run.steps[run.steps.length - 1].test_digits;
    return "test accuracy " + s.test_accuracy.toFixed(4) + " on " + (s.test_digits < all ? "the first " : "all ")
      + s.test_digits.toLocaleString("en-US") + " test digits";
  }

  function showColumn(column) {
    const {step, layers} = view[column];
    const entry = run.steps.find((s) => s.step === step);
    $(column + "-title").textContent = "step " + step + " (" + accuracyText(entry) + ")";
    for (const [name, side, channels] of LAYERS) {
      const canvas = $(column + "-" + name);
      const t = tile(layers[name], side, channels);
      paint(canvas, t.gray, t.width, t.height);
      const zoom = 2 * Math.max(1, Math.floor(28 / side)); // drawing.layer_tile's, twice again
      canvas.style.width = t.width * zoom + "px";
      canvas.style.height = t.height * zoom + "px";
    }
    const fc1 = layers.h_fc1, top = Math.max(...fc1) || 1;
    const canvas = $(column + "-h_fc1");
    paint(canvas, Array.from(fc1, (v) => Math.round(255 * v / top)), 32, 32);
    canvas.style.width = canvas.style.height = "192px";
    const answer = layers.probabilities.indexOf(Math.max(...layers.probabilities));
    $(column + "-bars").innerHTML = layers.probabilities.map((p, d) =>
      '<div class="bar' + (d === answer ? " answer" : "") + '"><span>' + (p >= 0.01 ? Math.round(100 * p) : "") +
      '</span><div style="height:' + (100 * p).toFixed(1) + '%"></div><span>' + d + "</span></div>").join("");
  }

  // --- one update: the input through the network at both steps, every layer drawn ---

  function update() {
    const start = performance.now();
    const pixels = Array.from(input, (v) => Math.round(255 * v));
    paint($("input"), pixels, 28, 28);
    for (const column of ["main", "compare"]) {
      const step = Number(run.steps[$(column === "main" ? "step" : "compare-step").value].step);
      if (!weights[step]) continue; // drawn when its weights have come
      view[column] = {step, layers: network.forward(weights[step], input)};
      showColumn(column);
    }
    if (selected) showChannel();
    timings.push(performance.now() - start);
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
    $("channel-title").textContent = name + ", channel " + c + ", at step " + step;
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
        "its " + side + "x" + side + " map for this input (times 255)");
    const conv = name.replace("pool", "conv"); // a pooling channel shows its convolution's channel
    const found = run.channels && run.channels[conv];
    if (found) {
      const size = found.size, bytes = network.bytes(found.patterns);
      add([[bytes.subarray(c * size * size, (c + 1) * size * size), size, size]], 112,
          conv + "'s pattern (4.py): the input its centre unit answers to most, its " + size + "x" + size + " field");
      const top = network.bytes(found.top), per = found.count * size * size, patches = [];
      for (let k = 0; k < found.count; k++) {
        patches.push([top.subarray(c * per + k * size * size, c * per + (k + 1) * size * size), size, size]);
      }
      add(patches, 56, "the " + found.count + " test patches where it fires hardest (4.py), after training");
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
      add(filters, inC === 1 ? 112 : 40, conv + "'s 5x5 weights at this step" + (inC > 1 ? ", one per h_pool1 channel" : "") +
          " (gray 0, white +, black -); run 4.py for its pattern and top patches");
    }
  }

  // --- start ---

  window.explorerRun = function (data) {
    run = data;
    $("run").textContent = run.summary;
    const last = run.steps.length - 1;
    for (const [id, value] of [["step", last], ["compare-step", 0]]) {
      const slider = $(id);
      slider.max = last;
      slider.value = value;
      const label = $(id === "step" ? "step-label" : "compare-label");
      const show = () => {
        const s = run.steps[slider.value];
        label.textContent = "step " + s.step + ", " + accuracyText(s);
      };
      show();
      slider.addEventListener("input", () => { show(); load(run.steps[slider.value].step).then(update); });
    }
    buildTable();
    const clear = setupPad();
    const box = $("digits");
    run.digits.forEach((digit) => {
      const pixels = Array.from(network.bytes(digit.pixels), (v) => v / 255);
      const canvas = document.createElement("canvas");
      paint(canvas, pixels.map((v) => Math.round(255 * v)), 28, 28);
      canvas.title = "a " + digit.label;
      canvas.addEventListener("click", () => startFrom(pixels, clear));
      box.appendChild(canvas);
    });
    const first = run.steps[0].step, final = run.steps[last].step;
    window.explorer.ready = Promise.all([load(first), load(final)]).then(() => {
      startFrom(Array.from(network.bytes(run.digits[0].pixels), (v) => v / 255), clear);
      window.explorer.readyMs = performance.now();
      // The other steps, one after another, so that the sliders answer at once later.
      run.steps.reduce((chain, s) => chain.then(() => load(s.step)), Promise.resolve());
    });
  };

  // The page's small API, for tests and for the curious (the browser's console).
  window.explorer = {
    setInput(pixels) { // 784 numbers in [0, 1], row-major, as x
      input = Float32Array.from(pixels);
      drawing = false;
      update();
    },
    setStep(step) { // one of steps(); resolves when its layers are drawn
      const index = run.steps.findIndex((s) => s.step === step);
      if (index < 0) return Promise.reject(new Error("no snapshot at step " + step));
      $("step").value = index;
      $("step").dispatchEvent(new Event("input"));
      return load(step).then(update);
    },
    steps() { return run.steps.map((s) => s.step); },
    state() { // the main column: the input, the four layers (NHWC, one image) and the probabilities
      const {step, layers} = view.main;
      const out = {};
      for (const [name] of LAYERS) out[name] = Array.from(layers[name]);
      return {step, input: Array.from(input), drawn: drawing, layers: out, probabilities: layers.probabilities.slice()};
    },
    timings() { return timings.slice(); }, // ms of each update so far
  };
})();
