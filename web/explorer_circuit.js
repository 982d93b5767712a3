// 6.html's circuit of an h_conv2 channel, in its panel (explorer_channel.js): for this input, where
// the channel is driven most, that value as its bias plus one contribution per h_pool1 channel, the
// inputs ranked with their tiles and kernels, and a click on one opens that h_conv1 channel. For an
// h_conv1 channel: its filter over the patch of the input where it fires hardest.
"use strict";

(function (X) {
  const S = X.state, T = X.T;
  const ZOOM = 8;

  // Red where positive, blue where negative, white at zero, full at +-scale (4.py's kernel_colours).
  function kernelRgb(value, scale) {
    const v = Math.max(-1, Math.min(1, value / (scale || 1)));
    const [r, g, b] = v > 0 ? [215, 48, 39] : [49, 54, 149];
    const t = Math.abs(v);
    return [255 + t * (r - 255), 255 + t * (g - 255), 255 + t * (b - 255)].map(Math.round);
  }

  // A canvas of side x side cells, each ZOOM pixels, coloured by rgb(k) for cell k; a square marked
  // around cells [top, top + size) x [left, left + size), where given.
  function cells(side, rgb, mark, zoom = ZOOM) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = side * zoom;
    const context = canvas.getContext("2d"), n = side * zoom, image = context.createImageData(n, n);
    const pixels = new Uint32Array(image.data.buffer); // (a 32-bit word a pixel: RGBA bytes)
    for (let k = 0; k < side * side; k++) {
      const [r, g, b] = rgb(k), word = (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
      const at = Math.floor(k / side) * zoom * n + (k % side) * zoom;
      for (let row = 0; row < zoom; row++) pixels.fill(word, at + row * n, at + row * n + zoom);
    }
    context.putImageData(image, 0, 0);
    if (mark) {
      const [top, left, size] = mark;
      context.strokeStyle = "#ff8c00";
      context.lineWidth = 2;
      context.strokeRect(left * zoom + 1, top * zoom + 1, size * zoom - 2, size * zoom - 2);
    }
    canvas.className = "cells";
    return canvas;
  }
  const gray = (values, scale = 255) => (k) => {
    const v = Math.trunc(Math.min(Math.max(values[k] * scale, 0), 255));
    return [v, v, v];
  };

  function figure(parts, caption) {
    const f = document.createElement("figure"), text = document.createElement("figcaption");
    f.append(...parts);
    text.textContent = caption;
    f.appendChild(text);
    return f;
  }

  X.circuitOf = (column, c) => circuits.circuit(X.views[column].w, X.views[column].layers.h_pool1, c);

  // The h_conv2 channel c's circuit into body, for the column's input and step.
  X.showCircuit = function (body, column, c) {
    const {layers, w} = X.views[column], {c1, c2, k: K} = w.net, circuit = X.circuitOf(column, c);
    // h_conv2's field (receptive_fields.py): 3K - 1 pixels a side (14 for 5x5 kernels), from 2y - 3(K - 1) / 2
    const [y, x] = circuit.place, field = 3 * K - 1, top = 2 * y - 3 * (K - 1) / 2, left = 2 * x - 3 * (K - 1) / 2;
    const kernel = K + "x" + K, sides = field + "x" + field;
    const sum = circuit.preactivation - circuit.bias;
    const head = document.createElement("p");
    head.id = "circuit-how";
    head.textContent = T(
      "What it is made of: at the marked place, where this drawing drives it most, the channel before its ReLU is its " +
      "bias plus one contribution from each h_pool1 channel (W_conv2's " + kernel + " kernel over that channel's window). " +
      "Red bars drive it up, blue ones hold it back; click one to open that h_conv1 channel.",
      "何からできているか：印の場所（" + (X.mnist() ? "この数字" : "この入力") + "でこのチャンネルの値がいちばん大きくなる場所）での ReLU 前の値は、バイアスと、" +
      "h_pool1 の全チャンネルからの寄与（そのチャンネルの窓と W_conv2 の " + kernel + " のカーネルの積和）を足したものです。" +
      "赤い棒は押し上げ、青い棒は抑えます。棒をクリックすると、その h_conv1 のチャンネルを開きます。");
    body.appendChild(head);
    body.appendChild(figure([cells(14, gray(Array.from({length: 196}, (_, k) => layers.h_conv2[k * c2 + c])), [y, x, 1]),
                             cells(28, gray(S.input), [top, left, field], 4)],
      T("its map, and the input with what the marked unit sees (its " + sides + " field)",
        "マップと、印のユニットが見る入力の範囲（" + sides + " の受容野）")));
    const total = document.createElement("p");
    total.id = "circuit-sum";
    total.textContent = T("at (" + y + ", " + x + "): " + circuit.preactivation.toFixed(3) + " = bias " +
                          circuit.bias.toFixed(3) + " + inputs " + sum.toFixed(3),
                          "(" + y + ", " + x + ") で " + circuit.preactivation.toFixed(3) + " = バイアス " +
                          circuit.bias.toFixed(3) + " + 入力の寄与 " + sum.toFixed(3));
    body.appendChild(total);
    // All the inputs (h_pool1's channels), a bar each, exciting first; the 4 strongest with their tile and kernel.
    const largest = Math.max(...circuit.inputs.map((i) => Math.abs(i.contribution))) || 1;
    let scale = 0;
    for (let i = 0; i < c1; i++) for (let k = 0; k < K * K; k++) scale = Math.max(scale, Math.abs(w.W_conv2[(k * c1 + i) * c2 + c]));
    const list = document.createElement("div");
    list.id = "circuit-inputs";
    circuit.inputs.forEach(({channel, contribution}, rank) => {
      const row = document.createElement("button");
      row.type = "button";
      row.className = "circuit-input";
      row.dataset.channel = channel;
      row.dataset.contribution = contribution;
      const label = document.createElement("span"), bar = document.createElement("span");
      label.textContent = "#" + channel + " " + (contribution >= 0 ? "+" : "") + contribution.toFixed(3);
      bar.className = "bar " + (contribution >= 0 ? "up" : "down");
      bar.style.width = (12 * Math.abs(contribution) / largest).toFixed(2) + "em";
      row.append(label, bar);
      if (rank < 4 && contribution > 0) {
        row.append(cells(28, gray(Array.from({length: 784}, (_, k) => layers.h_conv1[k * c1 + channel])), null, 2),
                   cells(K, (k) => kernelRgb(w.W_conv2[(k * c1 + channel) * c2 + c], scale), null, Math.round(30 / K)));
      }
      row.addEventListener("click", () => X.select({name: "h_conv1", c: channel, column}));
      list.appendChild(row);
    });
    body.appendChild(list);
    const found = !X.orderOf(column, "h_conv2") && S.run.channels && S.run.channels.h_conv2; // (the page's own run's)
    if (found && found.inputs) {
      const usual = found.inputs.slice(c * c1, c * c1 + 4).map((i, k) => "#" + i + " " + found.contributions[c * c1 + k].toFixed(2));
      const p = document.createElement("p");
      p.id = "circuit-usual";
      p.textContent = T("Usually (4.py, where it fires hardest in its 9 top test " + (X.mnist() ? "digits" : "images") +
                        ", after training): " + usual.join(", "),
                        "ふだんの上位 4 つ（4.py。学習後、いちばん強く反応した 9 枚のテスト画像での平均）：" + usual.join("、"));
      body.appendChild(p);
    }
  };

  // The h_conv1 channel c's K x K filter beside the patch of the input it sees where it fires hardest.
  X.showFilterOverPatch = function (body, column, c) {
    const {layers, w} = X.views[column], {c1, k: K} = w.net, W = w.W_conv1, half = (K - 1) / 2, kernel = K + "x" + K;
    let best = 0;
    for (let k = 1; k < 784; k++) if (layers.h_conv1[k * c1 + c] > layers.h_conv1[best * c1 + c]) best = k;
    const y = Math.floor(best / 28), x = best % 28;
    const patch = Array.from({length: K * K}, (_, k) => {
      const iy = y + Math.floor(k / K) - half, ix = x + (k % K) - half;
      return iy < 0 || iy >= 28 || ix < 0 || ix >= 28 ? 0 : S.input[iy * 28 + ix];
    });
    let scale = 0;
    for (let k = 0; k < K * K; k++) scale = Math.max(scale, Math.abs(W[k * c1 + c]));
    body.appendChild(figure([cells(K, gray(patch), null, Math.round(80 / K)), cells(K, (k) => kernelRgb(W[k * c1 + c], scale), null, Math.round(80 / K))],
      T("where it fires hardest in this input, (" + y + ", " + x + "): the " + kernel + " patch it sees, and its filter (red +, blue -)",
        "この入力でいちばん強く反応した場所 (" + y + ", " + x + ") で見ている " + kernel + " の範囲と、そのフィルタ（赤 +、青 -）")));
  };
})(window.Explorer);
