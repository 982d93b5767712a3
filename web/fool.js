// "Fool it": the smallest change to an input that makes the network answer a class of the reader's
// choosing, found as Kurakin, Goodfellow & Bengio's iterative method finds it (2016, "Adversarial
// examples in the physical world"), targeted, with L2 steps: over and over, a step of fixed length
// along the gradient of the target's log-probability (network.js's backward pass), the pixels kept in
// 0..1, until the network answers the target. Used by 6.html (explorer_fool.js, and explorer.fool).
"use strict";

(function (exports) {
  const STEP = 0.1; // each step's length (L2, pixels in 0..1): a tenth of one pixel turned from black to white
  const BUDGET = 200; // steps at most: a change of at most 20 in L2, more than any digit here needed

  const argmax = (a) => a.indexOf(Math.max(...a));

  // The input (784 numbers in [0, 1]) moved, step after step, until the network (network.js's passes,
  // with weights w) answers
  // target: {input (Float32Array), answer, target, steps, reached, probability (the target's),
  // changed (pixels moved by a gray level, 1/255, or more), l2 (the distance from the input)}. Where
  // the budget ends first, the input on the way that came closest (the target's largest probability).
  function fool(network, w, input, target, step = STEP, budget = BUDGET) {
    const x = Float32Array.from(input);
    let best = null;
    for (let t = 0; ; t++) {
      const layers = network.forward(w, x), p = layers.probabilities, answer = argmax(p);
      if (!best || p[target] > best.probability || answer === target) {
        best = {input: Float32Array.from(x), answer, probability: p[target], steps: t};
      }
      if (answer === target || t === budget) break;
      // the gradient of log p[target] on the logits (one-hot minus p), back to the input
      const g = network.backward(w, layers, p.map((v, k) => (k === target ? 1 : 0) - v)).input;
      let norm = 0;
      for (let i = 0; i < 784; i++) {
        if ((x[i] <= 0 && g[i] < 0) || (x[i] >= 1 && g[i] > 0)) g[i] = 0; // a pixel at its bound stays there
        norm += g[i] * g[i];
      }
      if (norm === 0) break; // nowhere to go
      const scale = step / Math.sqrt(norm);
      for (let i = 0; i < 784; i++) x[i] = Math.min(Math.max(x[i] + scale * g[i], 0), 1);
    }
    let changed = 0, l2 = 0;
    for (let i = 0; i < 784; i++) {
      const d = best.input[i] - input[i];
      if (Math.abs(d) >= 1 / 255) changed++;
      l2 += d * d;
    }
    return Object.assign(best, {target, reached: best.answer === target, changed, l2: Math.sqrt(l2)});
  }

  Object.assign(exports, {fool, STEP, BUDGET});
})(typeof module !== "undefined" ? module.exports : (window.fool = {}));
