// What an h_conv2 channel is made of (circuits, as 4.py draws them): before its ReLU, channel j at
// place p is b_conv2[j] plus, for each of the h_pool1 channels i (the article's 32), the sum over the
// K x K window (5x5) of W_conv2[ky, kx, i, j] * h_pool1[p + (ky - h, kx - h), i], h = (K - 1) / 2
// (SAME padding: zeros outside the map).
"use strict";

(function (exports) {
  const SIDE = 14;

  // The contributions of the c1 inputs to channel j at (y, x): a Float64Array(c1).
  function contributions(w, h_pool1, j, y, x) {
    const {c1: IN, c2: OUT, k: K} = w.net, half = (K - 1) / 2;
    const c = new Float64Array(IN);
    for (let ky = 0; ky < K; ky++) {
      const iy = y + ky - half;
      if (iy < 0 || iy >= SIDE) continue;
      for (let kx = 0; kx < K; kx++) {
        const ix = x + kx - half;
        if (ix < 0 || ix >= SIDE) continue;
        const inBase = (iy * SIDE + ix) * IN, wBase = (ky * K + kx) * IN * OUT + j;
        for (let i = 0; i < IN; i++) c[i] += h_pool1[inBase + i] * w.W_conv2[wBase + i * OUT];
      }
    }
    return c;
  }

  // Channel j's circuit for one input's h_pool1: the place where its preactivation is largest (the
  // first in row-major order at ties), that value as bias + contributions, and the inputs ranked,
  // largest contribution first.
  function circuit(w, h_pool1, j) {
    let best = -Infinity, place = [0, 0], parts = null;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const c = contributions(w, h_pool1, j, y, x);
        const z = w.b_conv2[j] + c.reduce((a, b) => a + b, 0);
        if (z > best) [best, place, parts] = [z, [y, x], c];
      }
    }
    const inputs = Array.from(parts, (contribution, channel) => ({channel, contribution}));
    inputs.sort((a, b) => b.contribution - a.contribution || a.channel - b.channel);
    return {channel: j, place, preactivation: best, bias: w.b_conv2[j], inputs};
  }

  Object.assign(exports, {circuit});
})(typeof module !== "undefined" ? module.exports : (window.circuits = {}));
