// 6.html's why, beside the pad for each column, drawn as 5.py draws it: the probabilities as bars (a
// click asks about that digit), the saliency map (SmoothGrad once the pen rests), HiResCAM on h_pool1
// and h_conv2 over the input, and h_conv2's 8 deciding channels.
"use strict";

(function (X) {
  const S = X.state, $ = X.$, T = X.T;
  const REST_MS = 300; // the pen at rest this long: SmoothGrad
  const FRAME_MS = 6; // SmoothGrad's passes a column may take in a frame (of 16.7 ms at 60 Hz)
  let resting = null, generation = 0; // the timer that starts SmoothGrad; its passes belong to the input they started on

  // The column's box beside the pad: its title, the bars, the three maps, the deciding channels.
  X.buildWhy = function (column) {
    const box = $(column + "-why"), element = (tag, className, id) => {
      const e = document.createElement(tag);
      if (className) e.className = className;
      if (id) e.id = column + "-" + id;
      return e;
    };
    const row = element("div", "why-row"), bars = element("div", "bars", "bars");
    row.append(bars, ...["saliency", "cam-h_pool1", "cam-h_conv2"].map((m) => element("canvas", "map", m)));
    box.replaceChildren(element("div", "why-title", "why-title"), row, element("div", "deciding", "deciding"));
    bars.addEventListener("click", (e) => {
      const bar = e.target.closest(".bar");
      if (!bar) return;
      X.ask(Number(bar.dataset.digit), column); // again: back to the answers
    });
  };

  // RGB bytes of 28x28 pictures onto a canvas
  const paintRgb = X.paintRgb = function (canvas, rgb) {
    if (canvas.width !== 28 || canvas.height !== 28) canvas.width = canvas.height = 28;
    const context = canvas.getContext("2d"), image = context.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      image.data[4 * i] = rgb[3 * i]; image.data[4 * i + 1] = rgb[3 * i + 1]; image.data[4 * i + 2] = rgb[3 * i + 2]; image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  };

  // drawing.heat_overlay: the digit in gray (0.6 of its value) where the heat is 0, through red to
  // yellow where it is 1
  const heatOverlay = X.heatOverlay = function (digit, heat) {
    const rgb = new Uint8ClampedArray(784 * 3);
    for (let i = 0; i < 784; i++) {
      const h = heat[i], base = 0.6 * digit[i] * (1 - h);
      const hot = [Math.min(Math.max(2 * h, 0), 1), Math.min(Math.max(2 * h - 1, 0), 1), 0];
      for (let k = 0; k < 3; k++) rgb[3 * i + k] = Math.round(255 * Math.min(Math.max(base + hot[k] * h, 0), 1));
    }
    return rgb;
  };

  // drawing.digit_sheet's saliency: white from the 99th percentile up (numpy's, linear)
  const saliencyGray = X.saliencyGray = function (saliency) {
    const top = Math.max(preprocessing.percentile(Float64Array.from(saliency).sort(), 99), 1e-12);
    return Array.from(saliency, (v) => Math.round(255 * Math.min(v / top, 1)));
  };

  // SmoothGrad (saliency.py's, with its samples and noise from 6_run.js: copies of the input with
  // Gaussian noise, their gradients averaged, then the absolute value), once the pen rests: that many
  // forward and backward passes a column, as many a frame as fit in FRAME_MS (two at least), given up
  // as soon as the input or a step changes.
  X.smoothSoon = function () {
    clearTimeout(resting);
    const mine = ++generation, {samples, noise} = S.run.smoothgrad;
    resting = setTimeout(() => {
      for (const column of ["main", "compare"]) {
        const v = X.views[column];
        if (!v || !v.why || v.why.smooth) continue; // (a column that kept its view has its map)
        const w = v.w, random = gaussian(0), sum = new Float64Array(784);
        let k = 0;
        const chunk = () => {
          if (mine !== generation || X.views[column] !== v) return; // the pen moved on
          const start = performance.now();
          for (let n = 0; k < samples && (n < 2 || performance.now() - start < FRAME_MS); n++, k++) { // the page still answers
            const noisy = Float32Array.from(S.input, (x) => x + noise * random());
            const g = X.net.backward(w, X.net.forward(w, noisy), v.why.cls).input;
            for (let i = 0; i < 784; i++) sum[i] += g[i];
          }
          if (k < samples) return requestAnimationFrame(chunk);
          v.why.smooth = Float32Array.from(sum, (g) => Math.abs(g / samples));
          X.showWhy(column);
        };
        requestAnimationFrame(chunk);
      }
    }, REST_MS);
  };

  // Standard normal numbers from a seed (mulberry32 and Box-Muller): the same map for the same input.
  function gaussian(seed) {
    let a = seed >>> 0;
    const uniform = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  }

  // One probability's bar: its percentage over it (from 1%), the digit (the class's label) under it,
  // the class's name in its title.
  function bar(v, d, answer, asked) {
    const box = document.createElement("div"), top = document.createElement("span");
    const fill = document.createElement("div"), label = document.createElement("span");
    box.className = "bar" + (d === answer ? " answer" : "") + (asked ? " asked" : "");
    box.dataset.digit = d;
    top.textContent = v >= 0.01 ? Math.round(100 * v) : "";
    fill.style.height = (100 * v).toFixed(1) + "%";
    label.textContent = d;
    box.title = X.className(d) + T(": ", "：") + (100 * v).toFixed(1) + "%";
    box.append(top, fill, label);
    return box;
  }

  X.showWhy = function (column) {
    const {step, layers, answer, why} = X.views[column];
    const p = layers.probabilities, cls = why ? why.cls : answer;
    $(column + "-why-title").textContent = (S.run.compare ? X.modelOf(column) + " " : "") +
      (column === "main" ? T("Training step ", "学習ステップ ") : T("Compare with ", "比較（ステップ ")) +
      X.number(step) + T(": it says ", (column === "main" ? "" : "）") + "：答えは ") + X.className(answer) + T(" (", "（") + Math.round(100 * p[answer]) + T("%)", "%）") +
      (why ? (cls === answer ? T(". Why " + X.className(cls) + "?", "。なぜ " + X.className(cls) + " なのか？") :
        T(". Why not " + X.className(cls) + "? (" + (100 * p[cls]).toFixed(1) + "%)",
          "。なぜ " + X.className(cls) + " ではないのか？（" + (100 * p[cls]).toFixed(1) + "%）")) : "");
    $(column + "-bars").replaceChildren(...p.map((v, d) => bar(v, d, answer, why && S.asked !== null && d === cls)));
    for (const id of ["saliency", "cam-h_pool1", "cam-h_conv2"]) $(column + "-" + id).hidden = !why;
    $(column + "-deciding").hidden = !why;
    if (!why) return;
    X.paint($(column + "-saliency"), saliencyGray(why.smooth || why.saliency), 28, 28);
    $(column + "-saliency").title = why.smooth ? T("SmoothGrad (the pen rests)", "SmoothGrad（ペンを止めたとき）")
      : T("the plain gradient |d logit / d x|", "勾配の絶対値 |d logit / d x|（描いている間）");
    for (const name of ["h_pool1", "h_conv2"]) {
      paintRgb($(column + "-cam-" + name), heatOverlay(S.input, preprocessing.toInputSize(why.hirescam[name], 14)));
    }
    // The deciding channels: h_conv2's 8 largest contributions to the logit, each its map and its share
    const box = $(column + "-deciding");
    box.replaceChildren();
    for (const {channel, contribution} of why.channels.slice(0, 8)) {
      const figure = document.createElement("figure"), canvas = document.createElement("canvas");
      const caption = document.createElement("figcaption");
      X.paint(canvas, X.channelImage(layers.h_conv2, 14, X.views[column].w.net.c2, channel), 14, 14);
      canvas.className = "tile";
      canvas.title = T("h_conv2, channel " + channel + ": " + contribution.toFixed(2) + " of the logit",
                       "h_conv2 のチャンネル " + channel + "：ロジットへの寄与 " + contribution.toFixed(2));
      canvas.addEventListener("click", () => X.select({name: "h_conv2", c: channel, column}));
      caption.append(String(channel), document.createElement("br"), (contribution >= 0 ? "+" : "") + contribution.toFixed(1));
      figure.append(canvas, caption);
      box.appendChild(figure);
    }
  };
})(window.Explorer);
