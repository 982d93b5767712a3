// The article's network in plain JavaScript: the same numbers as TensorFlow's graph in cnn.py, for
// one 28x28 input: forward (every layer) and backward (why: the gradients of one class's logit).
// Every layer is a Float32Array in TensorFlow's NHWC order (for one image, so HWC): index
// (y * width + x) * channels + c. The drawing's preprocessing is preprocessing.js's. Used by 6.html,
// and by node in the tests.
"use strict";

(function (exports) {

  // --- weights: 6.py writes them as base64 of little-endian float32, W_fc1 as 24-bit integers ---

  function bytes(base64) {
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(base64); // (Chrome 140, Firefox 133, Safari 18.2)
    if (typeof atob === "function") {
      const text = atob(base64);
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
      return out;
    }
    return new Uint8Array(Buffer.from(base64, "base64")); // node
  }

  function float32(base64) {
    const b = bytes(base64);
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  }

  // One snapshot's eight variables, decoded: W_fc1 as integers (from 3 little-endian bytes each,
  // signed), with a float32 scale per column; and the network they are of (network: its channels, its
  // kernels' side, its pooling), with each layer's size.
  function decodeWeights(data) {
    const w = {};
    for (const name of ["W_conv1", "b_conv1", "W_conv2", "b_conv2", "b_fc1", "W_fc2", "b_fc2"]) {
      w[name] = float32(data[name]);
    }
    const q = bytes(data.W_fc1.int24);
    w.W_fc1 = new Int32Array(q.length / 3);
    for (let i = 0, k = 0; i < w.W_fc1.length; i++, k += 3) w.W_fc1[i] = ((q[k] | (q[k + 1] << 8) | (q[k + 2] << 16)) << 8) >> 8;
    w.W_fc1_scale = float32(data.W_fc1.scale);
    const {channels: [c1, c2], kernel, pool} = data.network;
    w.net = {c1, c2, k: kernel, pool, flat: 7 * 7 * c2}; // flat: h_pool2_flat's size
    return w;
  }

  // --- the layers (cnn.py): conv2d K x K SAME stride 1, ReLU, max_pool_2x2 (or avg_pool_2x2) SAME ---

  // relu(conv2d(input, W) + b): input (size, size, inC), W (K, K, inC, outC) -> (size, size, outC).
  // At each place the window's inputs that are not 0 (most are 0: paper, ReLU) are gathered first,
  // in (ky, kx, ci) order, then each output channel sums them in that order, eight channels at a time
  // (the article's 32 and 64), the channels left over one by one.
  function convRelu(input, size, inC, W, b, outC, K) {
    const out = new Float32Array(size * size * outC), half = (K - 1) / 2, eights = outC - outC % 8;
    const values = new Float64Array(K * K * inC), rows = new Int32Array(K * K * inC);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let n = 0;
        for (let ky = 0; ky < K; ky++) {
          const iy = y + ky - half;
          if (iy < 0 || iy >= size) continue; // SAME: zeros outside
          for (let kx = 0; kx < K; kx++) {
            const ix = x + kx - half;
            if (ix < 0 || ix >= size) continue;
            const inBase = (iy * size + ix) * inC;
            const wBase = (ky * K + kx) * inC * outC;
            for (let ci = 0; ci < inC; ci++) {
              const v = input[inBase + ci];
              if (v !== 0) { values[n] = v; rows[n++] = wBase + ci * outC; }
            }
          }
        }
        const outBase = (y * size + x) * outC;
        for (let co = 0; co < eights; co += 8) {
          let s0 = b[co], s1 = b[co + 1], s2 = b[co + 2], s3 = b[co + 3], s4 = b[co + 4], s5 = b[co + 5], s6 = b[co + 6], s7 = b[co + 7];
          for (let k = 0; k < n; k++) {
            const v = values[k], r = rows[k] + co;
            s0 += v * W[r]; s1 += v * W[r + 1]; s2 += v * W[r + 2]; s3 += v * W[r + 3];
            s4 += v * W[r + 4]; s5 += v * W[r + 5]; s6 += v * W[r + 6]; s7 += v * W[r + 7];
          }
          const o = outBase + co;
          out[o] = s0 > 0 ? s0 : 0; out[o + 1] = s1 > 0 ? s1 : 0; out[o + 2] = s2 > 0 ? s2 : 0; out[o + 3] = s3 > 0 ? s3 : 0;
          out[o + 4] = s4 > 0 ? s4 : 0; out[o + 5] = s5 > 0 ? s5 : 0; out[o + 6] = s6 > 0 ? s6 : 0; out[o + 7] = s7 > 0 ? s7 : 0;
        }
        for (let co = eights; co < outC; co++) {
          let s = b[co];
          for (let k = 0; k < n; k++) s += values[k] * W[rows[k] + co];
          out[outBase + co] = s > 0 ? s : 0;
        }
      }
    }
    return out;
  }

  // max_pool_2x2 (kind "max") or avg_pool_2x2 ("avg"): (size, size, C) -> (size / 2, size / 2, C);
  // size is even, so SAME pads nothing and each window has its four
  function pool(input, size, C, kind) {
    const half = size / 2;
    const out = new Float32Array(half * half * C);
    for (let y = 0; y < half; y++) {
      for (let x = 0; x < half; x++) {
        for (let c = 0; c < C; c++) {
          const at = (dy, dx) => input[((2 * y + dy) * size + 2 * x + dx) * C + c];
          out[(y * half + x) * C + c] = kind === "avg" ? (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4
            : Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
        }
      }
    }
    return out;
  }

  // h_fc1 = relu(h_pool2_flat W_fc1 + b_fc1), W_fc1 (7 * 7 * c2, 1024) as integers times their column's
  // scale (the rows of h_pool2's inputs that are not 0 taken four at a time, each unit adding them in order)
  function fc1(w, h_pool2) {
    const acc = new Float64Array(1024), W = w.W_fc1, on = [];
    for (let i = 0; i < w.net.flat; i++) if (h_pool2[i] !== 0) on.push(i);
    let k = 0;
    for (; k + 4 <= on.length; k += 4) {
      const v0 = h_pool2[on[k]], v1 = h_pool2[on[k + 1]], v2 = h_pool2[on[k + 2]], v3 = h_pool2[on[k + 3]];
      const r0 = on[k] * 1024, r1 = on[k + 1] * 1024, r2 = on[k + 2] * 1024, r3 = on[k + 3] * 1024;
      for (let j = 0; j < 1024; j++) {
        let s = acc[j];
        s += v0 * W[r0 + j]; s += v1 * W[r1 + j]; s += v2 * W[r2 + j]; s += v3 * W[r3 + j];
        acc[j] = s;
      }
    }
    for (; k < on.length; k++) {
      const v = h_pool2[on[k]], row = on[k] * 1024;
      for (let j = 0; j < 1024; j++) acc[j] += v * W[row + j];
    }
    const h_fc1 = new Float32Array(1024);
    for (let j = 0; j < 1024; j++) {
      const value = acc[j] * w.W_fc1_scale[j] + w.b_fc1[j];
      h_fc1[j] = value > 0 ? value : 0;
    }
    return h_fc1;
  }

  // The passes' heavy parts, which network_simd.js gives in WebAssembly SIMD: the convolutions with
  // their ReLU and fc1, forward and backward (here, plain JavaScript: the reference and the fallback).
  const KERNELS = {
    name: "js",
    convRelu: (w, layer, input) => (layer === 1 ? convRelu(input, 28, 1, w.W_conv1, w.b_conv1, w.net.c1, w.net.k)
      : convRelu(input, 14, w.net.c1, w.W_conv2, w.b_conv2, w.net.c2, w.net.k)),
    fc1,
    convReluBack: (w, layer, out, grad) => (layer === 1 ? convReluBack(out, grad, 28, 1, w.W_conv1, w.net.c1, w.net.k)
      : convReluBack(out, grad, 14, w.net.c1, w.W_conv2, w.net.c2, w.net.k)),
    fc1Back,
  };

  // The whole network for one input (784 numbers in [0, 1], row-major, as x): every layer's output
  // (kernels: whose convolutions and fc1, KERNELS or network_simd.js's).
  function forward(w, input, kernels = KERNELS) {
    const {c1, c2, pool: kind} = w.net;
    const h_conv1 = kernels.convRelu(w, 1, input);
    const h_pool1 = pool(h_conv1, 28, c1, kind);
    const h_conv2 = kernels.convRelu(w, 2, h_pool1);
    const h_pool2 = pool(h_conv2, 14, c2, kind); // h_pool2_flat is this array as it is: NHWC
    const h_fc1 = kernels.fc1(w, h_pool2);
    // y_conv = softmax(h_fc1 W_fc2 + b_fc2); keep_prob 1: dropout does nothing. One logit a class
    // (MNIST's 10 digits, or --data's classes).
    const classes = w.b_fc2.length, logits = new Float64Array(classes);
    for (let k = 0; k < classes; k++) logits[k] = w.b_fc2[k];
    for (let j = 0; j < 1024; j++) {
      const v = h_fc1[j];
      if (v === 0) continue;
      for (let k = 0; k < classes; k++) logits[k] += v * w.W_fc2[j * classes + k];
    }
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    const sum = e.reduce((a, b) => a + b, 0);
    const probabilities = Array.from(e, (v) => v / sum);
    return { h_conv1, h_pool1, h_conv2, h_pool2, h_fc1, logits: Array.from(logits), probabilities };
  }

  // --- why: one class's logit back through the network, as tf.gradients does it (dropout off) ---

  const WINDOW = [[0, 0], [0, 1], [1, 0], [1, 1]]; // a 2x2 window, row-major

  // max_pool_2x2's gradient: each window's gradient to its largest element, the first of equals in
  // the window's row-major order (TensorFlow's MaxPoolGrad); avg_pool_2x2's: a fourth of it to each of
  // its four. grad (size / 2, size / 2, C) -> (size, size, C)
  function poolBack(input, grad, size, C, kind) {
    const half = size / 2;
    const out = new Float64Array(size * size * C);
    for (let y = 0; y < half; y++) {
      for (let x = 0; x < half; x++) {
        for (let c = 0; c < C; c++) {
          const g = grad[(y * half + x) * C + c];
          if (g === 0) continue;
          if (kind === "avg") {
            for (const [dy, dx] of WINDOW) out[((2 * y + dy) * size + 2 * x + dx) * C + c] += g / 4;
            continue;
          }
          let best = -Infinity, at = 0;
          for (const [dy, dx] of WINDOW) {
            const i = ((2 * y + dy) * size + 2 * x + dx) * C + c;
            if (input[i] > best) { best = input[i]; at = i; }
          }
          out[at] += g;
        }
      }
    }
    return out;
  }

  // conv2d's gradient with respect to its input, through the ReLU after it: grad (size, size, outC)
  // of the ReLU's output, masked where that output (out) is 0 (TensorFlow's ReluGrad), then through
  // W (K, K, inC, outC), SAME: -> (size, size, inC). Only the places and channels the mask lets
  // through are visited.
  function convReluBack(out, grad, size, inC, W, outC, K) {
    const result = new Float64Array(size * size * inC), half = (K - 1) / 2;
    const cs = new Int32Array(outC), gs = new Float64Array(outC);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const base = (y * size + x) * outC;
        let n = 0;
        for (let co = 0; co < outC; co++) {
          if (out[base + co] > 0 && grad[base + co] !== 0) { cs[n] = co; gs[n++] = grad[base + co]; }
        }
        if (n === 0) continue;
        for (let ky = 0; ky < K; ky++) {
          const iy = y + ky - half;
          if (iy < 0 || iy >= size) continue;
          for (let kx = 0; kx < K; kx++) {
            const ix = x + kx - half;
            if (ix < 0 || ix >= size) continue;
            const inBase = (iy * size + ix) * inC, wBase = (ky * K + kx) * inC * outC;
            let ci = 0;
            for (; ci + 4 <= inC; ci += 4) { // four input channels at a time, each summed in the channels' order
              const w0 = wBase + ci * outC, w1 = w0 + outC, w2 = w1 + outC, w3 = w2 + outC;
              let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
              for (let k = 0; k < n; k++) {
                const c = cs[k], g = gs[k];
                s0 += g * W[w0 + c]; s1 += g * W[w1 + c]; s2 += g * W[w2 + c]; s3 += g * W[w3 + c];
              }
              result[inBase + ci] += s0; result[inBase + ci + 1] += s1; result[inBase + ci + 2] += s2; result[inBase + ci + 3] += s3;
            }
            for (; ci < inC; ci++) {
              const wRow = wBase + ci * outC;
              let s = 0;
              for (let k = 0; k < n; k++) s += gs[k] * W[wRow + cs[k]];
              result[inBase + ci] += s;
            }
          }
        }
      }
    }
    return result;
  }

  // fc1's gradient: to h_pool2 (h_pool2_flat is h_pool2 as it is), from g1 of the n units that are on
  // (units), W_fc1 as integers times their column's scale: four rows at a time, each summed in the
  // units' order, the rows left over one by one
  function fc1Back(w, units, g1, n) {
    const flat = w.net.flat, fours = flat - flat % 4, gPool2 = new Float64Array(flat), W = w.W_fc1;
    for (let i = 0; i < fours; i += 4) {
      const r0 = i * 1024, r1 = r0 + 1024, r2 = r1 + 1024, r3 = r2 + 1024;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < n; k++) {
        const u = units[k], g = g1[k];
        s0 += W[r0 + u] * g; s1 += W[r1 + u] * g; s2 += W[r2 + u] * g; s3 += W[r3 + u] * g;
      }
      gPool2[i] = s0; gPool2[i + 1] = s1; gPool2[i + 2] = s2; gPool2[i + 3] = s3;
    }
    for (let i = fours; i < flat; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += W[i * 1024 + units[k]] * g1[k];
      gPool2[i] = s;
    }
    return gPool2;
  }

  // HiResCAM's terms: gradient times activation, per place (summed over the channels) and per
  // channel (summed over the places). (places x channels) -> {map (places), channels (channels)}
  function hiResCam(grad, layer, places, channels) {
    const map = new Float64Array(places), perChannel = new Float64Array(channels);
    for (let p = 0; p < places; p++) {
      for (let c = 0; c < channels; c++) {
        const v = grad[p * channels + c] * layer[p * channels + c];
        map[p] += v;
        perChannel[c] += v;
      }
    }
    return {map, channels: perChannel};
  }

  // Why the network gives logits[cls] for this input: layers are forward()'s, for the same weights.
  // The gradient of the logit with respect to the input (saliency: its absolute value), to h_pool1
  // and to h_conv2; HiResCAM on h_pool1 and h_conv2 (positive part, 14x14), and h_conv2's
  // channels' contributions to the logit (HiResCAM's per-channel terms). All row-major, NHWC.
  // cls may instead be a gradient on the logits (one number a class): the same of sum_k cls[k] logits[k]
  // (fool.js's log-probability).
  function backward(w, layers, cls, kernels = KERNELS) {
    // fc2, and fc1's ReLU: the units that are on pass W_fc2's column on (or the columns, weighted)
    const classes = w.b_fc2.length, units = new Int32Array(1024), g1 = new Float64Array(1024);
    let n = 0;
    for (let j = 0; j < 1024; j++) {
      if (!(layers.h_fc1[j] > 0)) continue;
      let g = 0;
      if (typeof cls === "number") g = w.W_fc2[j * classes + cls];
      else for (let k = 0; k < classes; k++) g += w.W_fc2[j * classes + k] * cls[k];
      units[n] = j;
      g1[n++] = g * w.W_fc1_scale[j];
    }
    const {c1, c2, pool: kind} = w.net;
    const gPool2 = kernels.fc1Back(w, units, g1, n);
    const gConv2 = poolBack(layers.h_conv2, gPool2, 14, c2, kind);
    const gPool1 = kernels.convReluBack(w, 2, layers.h_conv2, gConv2);
    const gConv1 = poolBack(layers.h_conv1, gPool1, 28, c1, kind);
    const gInput = kernels.convReluBack(w, 1, layers.h_conv1, gConv1);
    const conv2 = hiResCam(gConv2, layers.h_conv2, 196, c2), pool1 = hiResCam(gPool1, layers.h_pool1, 196, c1);
    const positive = (map) => Float32Array.from(map, (v) => (v > 0 ? v : 0));
    return {
      cls, input: gInput, h_pool1: gPool1, h_conv2: gConv2,
      saliency: Float32Array.from(gInput, Math.abs),
      hirescam: {h_pool1: positive(pool1.map), h_conv2: positive(conv2.map)},
      channels: Array.from(conv2.channels, (contribution, channel) => ({channel, contribution}))
        .sort((a, b) => b.contribution - a.contribution),
    };
  }

  Object.assign(exports, { bytes, decodeWeights, forward, backward, KERNELS });
})(typeof module !== "undefined" ? module.exports : (window.network = {}));
