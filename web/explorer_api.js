// 6.html's small API, for tests and for the curious (the browser's console): window.explorer.
"use strict";

(function (X) {
  const S = X.state, $ = X.$;

  window.explorer = {
    setInput(pixels) { // 784 numbers in [0, 1], row-major, as x
      S.input = Float32Array.from(pixels);
      S.drawing = false;
      X.update();
    },
    setStep(step) { // one of steps(); resolves when its layers are drawn (the column stops following)
      const index = S.run.steps.findIndex((s) => s.step === step);
      if (index < 0) return Promise.reject(new Error("no snapshot at step " + step));
      $("step").value = index;
      $("step").dispatchEvent(new Event("input"));
      return X.load(step).then(X.update);
    },
    steps() { return S.run.steps.map((s) => s.step); }, // the snapshot steps, and the live one while there is one
    training() { // the run's last known step and its total; running false once it has ended or stopped
      if (!S.training) return {running: S.run.running, step: S.run.running ? 0 : this.steps().pop(), steps: null};
      return {running: S.training.running, step: S.training.step, steps: S.training.steps};
    },
    follow() { // the Training step column back to following the run
      S.following = true;
      X.moveTo("step", S.run.steps.length - 1);
    },
    state() { // the main column: the input (and the photo it came from), the four layers (NHWC, one image), h_fc1 and the probabilities
      const {step, layers} = S.view.main;
      const out = {};
      for (const [name] of S.run.layers) out[name] = Array.from(layers[name]);
      return {step, input: Array.from(S.input), drawn: S.drawing, photo: S.photo, layers: out, h_fc1: Array.from(layers.h_fc1),
              probabilities: layers.probabilities.slice()};
    },
    timings() { return S.timings.slice(); }, // ms of each update so far
    // Why the Training step column answers as it does, for its input and step: the gradient of the
    // answer's logit (or cls's), as tf.gradients gives it, before any upsampling or colour: the plain
    // gradient's absolute value (784), HiResCAM on h_pool1 and h_conv2 (positive part, 14x14 each,
    // row-major), and h_conv2's 64 channels' contributions to the logit, largest first.
    // Also smoothgrad: the SmoothGrad map the page shows once the pen rests (null until then).
    why(cls) {
      const {step, layers, answer, why: shown} = S.view.main;
      const why = network.backward(S.weights[step], layers, cls === undefined ? answer : cls);
      const smooth = shown && shown.cls === why.cls && shown.smooth;
      return {cls: why.cls, saliency: Array.from(why.saliency), smoothgrad: smooth ? Array.from(smooth) : null,
              hirescam: {h_pool1: Array.from(why.hirescam.h_pool1), h_conv2: Array.from(why.hirescam.h_conv2)},
              channels: why.channels.map(({channel, contribution}) => ({channel, contribution}))};
    },
    // What h_conv2's channel is made of for the Training step column's input (explorer_circuit.js):
    // {channel, place: [y, x], preactivation, bias, inputs: [{channel, contribution}]}, largest first.
    circuit(channel) { return X.circuitOf("main", channel); },
    open(name, channel) { // a layer's channel in the panel, for the Training step column, as a click opens it; open(null) closes it
      S.selected = name ? {name, c: channel, column: "main"} : null;
      $("channel").hidden = !name;
      if (name) X.showChannel();
    },
    asked() { return S.asked; }, // the digit the maps are asked of (a click on its bar), or null: the answers
    // ms of n updates with the maps and n without (forward only, as before them), in turns: medians
    measure(n) {
      const times = {full: [], forward: []};
      for (let k = 0; k < n; k++) {
        for (const kind of ["full", "forward"]) {
          S.explain = kind === "full";
          S.input = Float32Array.from(S.input); // a new input, as a pen move gives: both columns computed afresh
          const start = performance.now();
          X.update();
          times[kind].push(performance.now() - start);
        }
      }
      S.explain = true;
      clearTimeout(S.resting);
      X.update();
      const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
      return {full_ms: median(times.full), forward_ms: median(times.forward)};
    },
  };
})(window.Explorer);
