// What an h_conv2 channel is made of (circuits, as 4.py draws them): before its ReLU, channel j at
// place p is b_conv2[j] plus, for each of the 32 h_pool1 channels i, the sum over the 5x5 window of
// W_conv2[ky, kx, i, j] * h_pool1[p + (ky - 2, kx - 2), i] (SAME padding: zeros outside the map).
"use strict";

(function (exports) {
  const SIDE = 14, IN = 32, OUT = 64;

  // The contributions of the 32 inputs to channel j at (y, x): a Float64Array(32).
  function contributions(w, h_pool1, j, y, x) {
    const c = new Float64Array(IN);
    for (let ky = 0; ky < 5; ky++) {
      const iy = y + ky - 2;
      if (iy < 0 || iy >= SIDE) continue;
      for (let kx = 0; kx < 5; kx++) {
        const ix = x + kx - 2;
        if (ix < 0 || ix >= SIDE) continue;
        const inBase = (iy * SIDE + ix) * IN, wBase = (ky * 5 + kx) * IN * OUT + j;
        for (let i = 0; i < IN; i++) c[i] += h_pool1[inBase + i] * w.W_conv2[wBase + i * OUT];
      }
    }
    return c;
  }

  // Channel j's circuit for one input's h_pool1: the place where its preactivation is largest (the
  // first in row-major order at ties), that value as bias + contributions, and the 32 inputs ranked,
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
