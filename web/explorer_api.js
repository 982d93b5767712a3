// 6.html's small API, for tests and for the curious (the browser's console): window.explorer. It reads
// the state and the columns' views, and changes them through the page's actions (explorer_base.js).
"use strict";

(function (X) {
  const S = X.state;

  window.explorer = {
    // resolves once the Training step column is first drawn; readyMs: when, from navigation's start
    ready: X.ready.then(() => { window.explorer.readyMs = performance.now(); }),
    setInput(pixels) { X.setInput(pixels, "set"); }, // 784 numbers in [0, 1], row-major, as x
    // one of steps(); resolves when its layers are drawn (the column stops following)
    setStep(step) { return X.setStep("main", step); },
    steps() { return S.run.steps.map((s) => s.step); }, // the snapshot steps, and the live one while there is one
    compareSteps() { return X.stepsOf("compare").map((s) => s.step); }, // the Compare column's: the other run's with --compare
    training() { // the run's last known step and its total; running false once it has ended or stopped
      if (!S.training) return {running: S.run.running, step: S.run.running ? 0 : this.steps().pop(), steps: null};
      return {running: S.training.running, step: S.training.step, steps: S.training.steps};
    },
    follow() { X.follow(); }, // the Training step column back to following the run
    // The main column: the input (and the photo it came from), the four layers (NHWC, one image), h_fc1 and
    // the probabilities; models: the model folder each column shows; compare: the Compare column's step,
    // layers and probabilities.
    state() {
      const column = (name) => {
        const {step, layers} = X.views[name] || {layers: {}};
        const out = {};
        for (const [layer] of X.layersOf(name)) out[layer] = layers[layer] && Array.from(layers[layer]);
        return {step, layers: out, h_fc1: layers.h_fc1 && Array.from(layers.h_fc1),
                probabilities: layers.probabilities && layers.probabilities.slice()};
      };
      return Object.assign(column("main"), {input: Array.from(S.input), drawn: S.drawn, photo: S.photo, test: S.test,
                                            fooled: S.fooled && S.fooled.target,
                                            models: {main: X.modelOf("main"), compare: X.modelOf("compare")},
                                            compare: column("compare")});
    },
    timings() { return X.timings.slice(); }, // ms of each render that ran the network
    // Why the Training step column answers as it does, for its input and step: the gradient of the
    // answer's logit (or cls's), as tf.gradients gives it, before any upsampling or colour: the plain
    // gradient's absolute value (784), HiResCAM on h_pool1 and h_conv2 (positive part, 14x14 each,
    // row-major), and h_conv2's 64 channels' contributions to the logit, largest first.
    // Also smoothgrad: the SmoothGrad map the page shows once the pen rests (null until then).
    why(cls) {
      const {layers, answer, why: shown} = X.views.main;
      const why = X.net.backward(X.views.main.w, layers, cls === undefined ? answer : cls);
      const smooth = shown && shown.cls === why.cls && shown.smooth;
      return {cls: why.cls, saliency: Array.from(why.saliency), smoothgrad: smooth ? Array.from(smooth) : null,
              hirescam: {h_pool1: Array.from(why.hirescam.h_pool1), h_conv2: Array.from(why.hirescam.h_conv2)},
              channels: why.channels.map(({channel, contribution}) => ({channel, contribution}))};
    },
    // What h_conv2's channel is made of for the Training step column's input (explorer_circuit.js):
    // {channel, place: [y, x], preactivation, bias, inputs: [{channel, contribution}]}, largest first.
    circuit(channel) { return X.circuitOf("main", channel); },
    // a layer's channel in the panel, for the Training step column, as a click opens it; open(null) closes it
    open(name, channel) { X.select(name ? {name, c: channel, column: "main"} : null); },
    // Where it goes wrong at a step (the Training step column's by default): counts[true][answer] over
    // the test images the step's answers cover (all of them, but while training: docs/6.md), from
    // TensorFlow's answers; null for a live step.
    confusion(step) {
      const entry = step === undefined ? S.steps.main : S.run.steps.find((s) => s.step === step && !s.live);
      const counts = X.confusion(entry);
      return counts && {step: entry.step, counts};
    },
    // the indices of the test images in the cell (true class, answer) at a step, ascending
    cell(truth, answer, step) {
      return X.cellOf(step === undefined ? S.steps.main : S.run.steps.find((s) => s.step === step && !s.live), truth, answer);
    },
    showTest(i) { return X.showTest(i); }, // test image i on the pad, once the test images are here
    testsAskedMs() { return X.testsAskedMs; }, // when the test images were asked for (after readyMs), or undefined
    // "Fool it": resolves with {input, answer, target, steps, changed, l2, reached, probability} once the
    // fooled input is on the pad (fool.js); from the input before any fooling, at the Training step column's step.
    fool(target) {
      return X.fool(target).then((r) => ({input: Array.from(r.input), answer: r.answer, target: r.target, steps: r.steps,
                                          changed: r.changed, l2: r.l2, reached: r.reached, probability: r.probability}));
    },
    asked() { return S.asked; }, // the digit the maps are asked of (a click on its bar), or null: the answers
    // The engine of the network's passes: engine("js") network.js's own, engine("wasm") WebAssembly SIMD's
    // where it runs (the default); returns the one the Training step column now uses.
    engine(name) {
      if (name !== undefined) X.setEngine(name);
      return X.kernels(X.views.main && X.views.main.w).name;
    },
    // ms of n updates with the maps and n without (forward only, as before them), in turns: medians.
    // Each a new input, as a pen move gives: both columns computed afresh.
    measure(n) {
      const times = {full: [], forward: []};
      for (let k = 0; k < n; k++) {
        for (const kind of ["full", "forward"]) {
          const start = performance.now();
          X.setInput(S.input, "keep", null, kind === "full");
          times[kind].push(performance.now() - start);
        }
      }
      X.setInput(S.input, "keep");
      const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
      return {full_ms: median(times.full), forward_ms: median(times.forward)};
    },
  };
})(window.Explorer);
