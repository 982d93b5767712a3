// 6.html: draw a digit and see every layer of the network answer, at every snapshot step of a
// training run: one that is going on (train() writes the page as it trains) or the one in model/
// (6.py). The numbers come from network.js, the drawing made an input by preprocessing.js; the data
// from the scripts written beside the page:
// 6_run.js (the run, its steps, the test digits, 4.py's patterns, the layers' shapes) calls
// explorerRun(), each 6_weights_STEP.js calls explorerWeights(), loaded when its step is first
// wanted, and 6_live.js, read again every second while the run goes on, calls explorerLive() with
// its progress, its new steps and the weights as they are now (6_weights_live.js). All are <script>
// tags: browsers refuse fetch() of local files. Every text it writes is in English or Japanese, as
// lang.js says.
//
// The page's code is plain scripts, loaded in order, that share one object, Explorer: its state
// (this file), the tiles and the pad (explorer_tiles.js), why (explorer_why.js), a channel's panel
// (explorer_channel.js), the run (explorer_run.js) and the API for tests (explorer_api.js).
"use strict";

window.Explorer = (function () {
  const X = {};
  X.COLS = 8; // tools.save_image: 8 to a row,
  X.GAP = 0x80; // gray gaps
  X.PEN = 18; // pixels of the 252-pixel pad: MNIST's 2-pixel pen, once made 20 pixels tall

  // Everything the page knows and shows, in one place.
  X.state = {
    run: null, // what 6_run.js gives: {summary, steps: [{step, test_accuracy, test_digits, file}], digits, channels, layers, data, smoothgrad}
    weights: {}, // step -> decoded weights
    waiting: {}, // step -> promise of its weights
    input: new Float32Array(784), // the network's input, row-major, as x
    drawing: false, // the pad holds a drawing (not only a test digit)
    photo: null, // the name of the photo on the pad (drawn over or not); null after Clear or a test digit
    photoError: null, // why the last photo could not be taken: [English, Japanese], or null
    selected: null, // the clicked channel: {name, c, column}
    view: {main: null, compare: null}, // each column's {step, layers, answer, why} and what made them: {w, input, asked}
    asked: null, // the digit the reader asks why of (a click on its bar); null: each column's answer
    explain: true, // the backward pass and the maps with every update (off: bench.py's forward-only)
    timings: [], // ms of each update of all layers
    training: null, // the run's last word (6_live.js): {run, running, stopped, step, steps, rate, left_s, updated, ...}
    newer: false, // another run now writes here
    following: true, // the Training step column moves to the newest step, until the reader moves it
    playing: null, // the timer of the play button
    drawn: null, // resolves ready once a column is drawn
    watched: false, // the page was opened while its run was training: it tells how the run went
    ending: null, // the finished run's 6_run.js, asked for once the run has ended
    pending: false, // an update is asked for the next frame
    resting: null, // the timer that starts SmoothGrad once the pen rests
    generation: 0, // SmoothGrad's passes belong to the input they started on
  };
  const S = X.state;

  X.$ = (id) => document.getElementById(id);
  X.T = (en, ja) => window.pageLang.pick(en, ja); // a text in the page's language
  X.number = (n) => n.toLocaleString("en-US"); // 20,000 in both

  // The data set (6_run.js's data; a run written before it had one: MNIST's): a class's name, whether
  // it is MNIST, how the pad's drawing is made an input, and the pad's paper and ink.
  const MNIST = {classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], mnist: true,
                 reader_image: {steps: "ink", box: 20, by_mass: true}};
  const data = () => (S.run && S.run.data) || MNIST;
  X.className = (k) => data().classes[k];
  X.mnist = () => data().mnist;
  X.readerImage = () => data().reader_image;
  // Ink data sets: white on black, as MNIST (to_mnist takes either); a folder's pictures: its paper, the ink opposite
  const paper = () => (X.readerImage().steps === "picture" ? X.readerImage().paper : 0);
  X.paper = () => "rgb(" + [paper(), paper(), paper()] + ")";
  X.ink = () => (paper() > 127 ? "#000" : "#fff");
  X.layer = (name) => S.run.layers.find(([n]) => n === name); // [name, side, channels], as cnn.LAYERS

  // --- data ---

  // A script beside the page, loaded (again) by a new <script> tag, removed once it has run.
  X.script = function (src) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = src;
      tag.onload = () => { tag.remove(); resolve(); };
      tag.onerror = () => { tag.remove(); reject(new Error("could not load " + src)); };
      document.body.appendChild(tag);
    });
  };

  X.load = function (step) {
    if (!S.waiting[step]) {
      const entry = S.run.steps.find((s) => s.step === step);
      if (!entry) return Promise.reject(new Error("no snapshot at step " + step));
      // The live weights' file is replaced as the run goes on: its step in the address, to read it anew.
      S.waiting[step] = X.script(entry.live ? entry.file + "?step=" + step : entry.file).then(() => S.weights[step]);
    }
    return S.waiting[step];
  };

  window.explorerWeights = function (step, data, runId) {
    if (runId === S.run.run) S.weights[step] = network.decodeWeights(data); // never another run's
  };

  // --- drawing on canvases ---

  // Gray values 0..255 (Uint8 or numbers), width x height, onto a canvas of that size.
  X.paint = function (canvas, gray, width, height) {
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    const image = context.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      image.data.set([gray[i], gray[i], gray[i], 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  };

  // tools.save_image's tile of one layer (HWC, side x side x channels): channel c at row c / 8,
  // column c % 8, each cell side + 1 pixels with the gap after it, the last gaps cut; every value
  // times 255, clipped to 0..255 and truncated, as channels_to_images and np.uint8 make it.
  X.tile = function (layer, side, channels) {
    const rows = Math.floor((channels - 1) / X.COLS) + 1;
    const width = X.COLS * (side + 1) - 1, height = rows * (side + 1) - 1;
    const gray = new Uint8ClampedArray(width * height).fill(X.GAP);
    for (let c = 0; c < channels; c++) {
      const top = Math.floor(c / X.COLS) * (side + 1), left = (c % X.COLS) * (side + 1);
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

  return X;
})();
