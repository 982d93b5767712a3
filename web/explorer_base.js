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
// The page's code is plain scripts, loaded in order, that share one object, Explorer. This file holds
// its state, and the actions that alone write it (setInput, setStep, follow, select, ask, ...); each
// view draws from the state, all of them in X.render (explorer_tiles.js): the tiles and the pad
// (explorer_tiles.js), why (explorer_why.js), a channel's panel (explorer_channel.js and
// explorer_circuit.js), the photo (explorer_photo.js), the run and its steps (explorer_run.js), and
// the API for tests and the console (explorer_api.js).
"use strict";

window.Explorer = (function () {
  const X = {};
  X.COLS = 8; // tools.save_image: 8 to a row,
  X.GAP = 0x80; // gray gaps
  X.PEN = 18; // pixels of the 252-pixel pad: MNIST's 2-pixel pen, once made 20 pixels tall

  // Everything the page knows and shows, in one place, written by the actions below alone.
  X.state = {
    run: null, // what 6_run.js gives: {run, summary, steps: [{step, test_accuracy, test_digits, file, live}], digits, channels, layers, data, smoothgrad, running}
    weights: {}, // step -> decoded weights, once loaded
    compareWeights: {}, // the same of the other run the Compare column shows (6.py --compare), if any
    input: new Float32Array(784), // the network's input, row-major, as x
    drawn: false, // the pad holds a drawing (not only a test digit or a photo)
    photo: null, // the name of the photo on the pad (drawn over or not); null after Clear or a test digit
    photoError: null, // why the last photo could not be taken: [English, Japanese], or null
    test: null, // the index of the test image on the pad (drawn over or not), or null
    tests: null, // the test images, a byte a pixel (6_test.js, unpacked), once here
    testsError: null, // why they are not: [English, Japanese], or null
    cell: null, // the confusion matrix's chosen cell: [true class, answer], or null
    fooled: null, // "fool it" (explorer_fool.js): {original, target, result (fool.js's), step, answer, after, channels, why}, while on the pad
    steps: {main: null, compare: null}, // the entry of run.steps each column shows
    following: true, // the Training step column moves to the newest step, until the reader moves it
    playing: false, // the play button runs the Training step column through the steps
    selected: null, // the channel in the panel: {name, c, column}, or null
    asked: null, // the digit the reader asks why of (a click on its bar); null: each column's answer
    training: null, // the run's last word (6_live.js): {run, running, stopped, killed, step, steps, rate, left_s, updated, ...}
    newer: false, // another run now writes here
    watched: false, // the page was opened while its run was training: it tells how the run went
    engine: "wasm", // the network's heavy parts in WebAssembly SIMD (network_simd.js) where it runs, or "js" (network.js's own)
  };
  const S = X.state;

  // The network's passes for weights w with the engine's kernels: WebAssembly SIMD's where they can run
  // that network, network.js's own where not (or before the module is ready, or as the reader asks).
  X.kernels = (w) => (S.engine === "wasm" && networkSimd.available(w) ? networkSimd.KERNELS : network.KERNELS);
  X.net = {
    forward: (w, input) => network.forward(w, input, X.kernels(w)),
    backward: (w, layers, cls) => network.backward(w, layers, cls, X.kernels(w)),
  };

  X.$ = (id) => document.getElementById(id);
  X.T = (en, ja) => window.pageLang.pick(en, ja); // a text in the page's language
  const english = new Intl.NumberFormat("en-US");
  X.number = (n) => english.format(n); // 20,000 in both

  // The data set (6_run.js's data): a class's name, whether it is MNIST, how the pad's drawing is made
  // an input, and the pad's paper and ink.
  X.className = (k) => S.run.data.classes[k];
  X.mnist = () => S.run.data.mnist;
  X.readerImage = () => S.run.data.reader_image;
  // Ink data sets: white on black, as MNIST (to_mnist takes either); a folder's pictures: its paper, the ink opposite
  const paper = () => (X.readerImage().steps === "picture" ? X.readerImage().paper : 0);
  X.paper = () => "rgb(" + [paper(), paper(), paper()] + ")";
  X.ink = () => (paper() > 127 ? "#000" : "#fff");
  // The run a column shows: the page's own, or in the Compare column the other run of 6.py --compare
  const other = (column) => column === "compare" && S.run.compare;
  X.stepsOf = (column) => (other(column) ? S.run.compare.steps : S.run.steps);
  X.weightsOf = (column) => (other(column) ? S.compareWeights : S.weights);
  X.layersOf = (column) => (other(column) ? S.run.compare.layers : S.run.layers);
  X.modelOf = (column) => (other(column) ? S.run.compare.model : S.run.model);
  X.orderOf = (column, name) => (other(column) ? S.run.compare.order[name] : null); // its channels' order in the tiles
  // [name, side, channels, field], as cnn.LAYERS, of the column's run
  X.layer = (name, column = "main") => X.layersOf(column).find(([n]) => n === name);
  X.indexOf = (entry, column = "main") => X.stepsOf(column).findIndex((s) => s.step === entry.step && !s.live === !entry.live);

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

  const waiting = {main: {}, compare: {}}; // step -> promise of its weights, for the column's run
  X.load = function (step, column = "main") {
    const which = other(column) ? "compare" : "main";
    if (!waiting[which][step]) {
      const entry = X.stepsOf(column).find((s) => s.step === step);
      if (!entry) return Promise.reject(new Error("no snapshot at step " + step));
      // The live weights' file is replaced as the run goes on: its step in the address, to read it anew.
      waiting[which][step] = X.script(entry.live ? entry.file + "?step=" + step : entry.file).then(() => X.weightsOf(column)[step]);
    }
    return waiting[which][step];
  };

  window.explorerWeights = function (step, data, runId) { // never another run's than the two the page shows
    if (runId === S.run.run) S.weights[step] = network.decodeWeights(data);
    else if (S.run.compare && runId === S.run.compare.run) S.compareWeights[step] = network.decodeWeights(data);
  };

  // --- actions: the only writers of the state; each draws the page anew (X.render) ---

  // The network's input (784 numbers in [0, 1]) and what made it: "stroke" (the pen, over whatever the
  // pad held; drawn at the next frame), "test" (a test digit; from: its index in the test set, if it is
  // one of them), "photo" (from: its name), "fool" (fooled: "fool it"'s result), "clear", "set" (the
  // API's), "keep" (a new copy, all else as it was: explorer.measure). All but "keep" and "fool" end "fool it".
  X.setInput = function (input, how, from = null, explain = true, fooled = null) {
    S.input = Float32Array.from(input);
    S.drawn = how === "stroke" || (how === "keep" && S.drawn);
    if (how === "test" || how === "clear" || how === "photo") {
      S.photo = how === "photo" ? from : null;
      S.test = how === "test" ? from : null;
    }
    if (how !== "keep") S.fooled = how === "fool" ? fooled : null;
    if (how === "stroke") X.renderSoon();
    else X.render(explain);
  };

  // The column (main: the Training step column; compare) at a step of run.steps (entry: that step's own,
  // which a live step needs); by the reader's hand, the Training step column stops following the run.
  // Resolves when its weights are here and it is drawn.
  X.setStep = function (column, step, byReader = true, entry = null) {
    entry = entry || X.stepsOf(column).find((s) => s.step === step);
    if (!entry) return Promise.reject(new Error("no snapshot at step " + step));
    S.steps[column] = entry;
    if (column === "main" && byReader) S.following = false;
    X.render();
    return X.load(entry.step, column).then(() => X.render(), () => {}); // another run's files: the page keeps what it had
  };

  X.follow = function () { // the Training step column back to the newest step, and on it as new ones come
    S.following = true;
    return S.run.steps.length ? X.setStep("main", null, false, S.run.steps[S.run.steps.length - 1]) : Promise.resolve();
  };

  X.setPlaying = function (playing) {
    S.playing = playing;
    if (playing) S.following = false;
    X.render();
  };

  X.select = function (selection) { // {name, c, column}: that channel in the panel; null: the panel closed
    S.selected = selection;
    X.render();
  };

  // A click on a bar: why that digit, in both columns; again (or on the column's own answer): the answers.
  X.ask = function (cls, column = "main") {
    const answer = X.views[column] && X.views[column].answer;
    S.asked = S.asked === cls || (S.asked === null && cls === answer) ? null : cls;
    X.render();
  };

  X.setCell = function (cell) { // [true, answer]: that cell's test images listed; the same again: closed
    S.cell = cell && S.cell && cell.join() === S.cell.join() ? null : cell;
    X.render();
  };

  X.setTests = function (tests, error = null) { // the test images (or why not: [English, Japanese]), once
    S.tests = tests;
    S.testsError = error;
    X.testsLoaded();
    X.render();
  };

  // "wasm" or "js": the engine of the passes; the columns computed anew with it
  X.setEngine = function (engine) {
    S.engine = engine;
    X.views.main = X.views.compare = null;
    X.render();
  };

  X.setPhotoError = function (error) { // [English, Japanese], or null
    S.photoError = error;
    X.render();
  };

  // The run's snapshot steps as its live word gives them (the live one among them): the columns keep the
  // steps they show, even a live step since replaced, but for a following Training step column, which
  // moves to the newest.
  X.setRunSteps = function (entries) {
    const steps = entries.slice();
    for (const column of (S.following ? ["compare"] : ["main", "compare"]).filter((c) => !other(c))) {
      const shown = S.steps[column];
      if (shown && !steps.some((t) => t.step === shown.step && !t.live === !shown.live)) steps.push(shown);
    }
    steps.sort((a, b) => a.step - b.step);
    S.run.steps = steps;
    if (!S.steps.compare && steps.length) S.steps.compare = steps[0];
    if ((S.following || !S.steps.main) && steps.length) S.steps.main = steps[steps.length - 1];
    X.render();
    for (const column of ["main", "compare"]) if (S.steps[column]) X.load(S.steps[column].step, column).then(() => X.render(), () => {});
  };

  // 6_live.js's word of this run (or of another, newer, one), as it came: the run's progress.
  X.hear = function (training, newer) {
    if (newer) S.newer = true;
    else S.training = training;
    X.render();
  };

  // 6_run.js: the run, once at the start; again, once it has ended, the finished run (its steps and summary
  // as 6.py gives them; the reader's drawing and the steps the columns show kept).
  X.setRun = function (run) {
    if (S.run) {
      const steps = run.steps;
      Object.assign(S.run, run, {steps: S.run.steps});
      X.setRunSteps(steps);
      return;
    }
    S.run = run;
    S.watched = run.running;
    S.steps = {main: run.steps[run.steps.length - 1] || null, compare: X.stepsOf("compare")[0] || null};
  };

  return X;
})();
