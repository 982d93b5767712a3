// 6.html's "fool it": a class picked, the input on the pad moved along the gradient (fool.js) until
// the Training step column's network answers that class; the change as a picture (red added, blue
// removed), how far it went, h_conv2's channels that rose and fell most, and why, before and after.
// The fooled input stays on the pad (both columns answer for it); Clear, a new digit or a stroke ends it.
"use strict";

(function (X) {
  const S = X.state, $ = X.$, T = X.T;
  const CHANNELS = 4; // h_conv2's channels shown that rose most, and as many that fell
  let busy = false; // looking for the change

  // Fool the network at the Training step column's step into answering target, from the input as it was
  // before any fooling; resolves with fool.js's result once it is on the pad.
  X.fool = function (target) {
    const v = X.views.main;
    if (!v) return Promise.reject(new Error("the Training step column's weights are not here yet"));
    const original = S.fooled ? S.fooled.original : Float32Array.from(S.input), w = v.w;
    busy = true;
    X.showFool();
    return new Promise((resolve) => setTimeout(resolve, 0)).then(() => { // (the line "looking" shown first)
      const result = fool.fool(X.net, w, original, target);
      const before = X.net.forward(w, original), after = X.net.forward(w, result.input);
      const answer = before.probabilities.indexOf(Math.max(...before.probabilities));
      // each h_conv2 channel's sum over its places, before and after
      const sums = (layer) => {
        const c2 = w.net.c2, out = new Float64Array(c2);
        for (let i = 0; i < layer.length; i++) out[i % c2] += layer[i];
        return out;
      };
      const was = sums(before.h_conv2), now = sums(after.h_conv2);
      const channels = Array.from(now, (n, channel) => ({channel, change: n - was[channel]})).sort((a, b) => b.change - a.change);
      const fooled = {original, target, result, step: v.step, answer, after,
                      channels: channels.slice(0, CHANNELS).concat(channels.slice(-CHANNELS).reverse()),
                      why: [X.net.backward(w, before, answer), X.net.backward(w, after, target)]};
      busy = false;
      X.startFrom(result.input, "fool", null, fooled);
      return result;
    }).finally(() => { busy = false; });
  };

  // The change (fooled minus original): white where none, through red where ink was added, blue where removed
  function changeRgb(original, fooled) {
    let top = 1e-12;
    for (let i = 0; i < 784; i++) top = Math.max(top, Math.abs(fooled[i] - original[i]));
    const rgb = new Uint8ClampedArray(784 * 3);
    for (let i = 0; i < 784; i++) {
      const d = (fooled[i] - original[i]) / top, off = Math.round(255 * (1 - Math.abs(d)));
      rgb.set(d >= 0 ? [255, off, off] : [off, off, 255], 3 * i);
    }
    return {rgb, top};
  }

  X.buildFool = function () {
    const box = $("fool-targets");
    box.replaceChildren(...S.run.data.classes.flatMap((name, k) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = name;
      button.dataset.target = k;
      return [button, " "]; // (apart in the page's text too)
    }));
    box.addEventListener("click", (e) => {
      const button = e.target.closest("button");
      if (button) X.fool(Number(button.dataset.target));
    });
    $("fool-back").addEventListener("click", () => {
      if (S.fooled) X.startFrom(S.fooled.original, "set");
    });
  };

  X.showFool = function () {
    const f = S.fooled;
    for (const button of $("fool-targets").querySelectorAll("button")) {
      button.title = T("move the input until it answers ", "答えが ") + X.className(Number(button.dataset.target)) + T("", " になるまで入力を動かす");
      button.disabled = !X.views.main;
    }
    $("fool-result").hidden = !f && !busy;
    $("fool-pictures").hidden = $("fool-more").hidden = busy || !f;
    if (busy) $("fool-text").textContent = T("Looking for the change…", "変化を探しています…");
    if (busy || !f) return;
    const r = f.result, p = f.after.probabilities, name = X.className;
    const percent = (v) => (100 * v).toFixed(v < 0.1 ? 1 : 0) + "%";
    const {rgb, top} = changeRgb(f.original, r.input);
    X.paint($("fool-original"), Array.from(f.original, (v) => Math.round(255 * v)), 28, 28);
    X.paintRgb($("fool-change"), rgb);
    X.paint($("fool-fooled"), Array.from(r.input, (v) => Math.round(255 * v)), 28, 28);
    const [whyBefore, whyAfter] = f.why;
    X.paint($("fool-saliency-before"), X.saliencyGray(whyBefore.saliency), 28, 28);
    X.paintRgb($("fool-cam-before"), X.heatOverlay(f.original, preprocessing.toInputSize(whyBefore.hirescam.h_conv2, 14)));
    X.paint($("fool-saliency-after"), X.saliencyGray(whyAfter.saliency), 28, 28);
    X.paintRgb($("fool-cam-after"), X.heatOverlay(r.input, preprocessing.toInputSize(whyAfter.hirescam.h_conv2, 14)));
    $("fool-before-label").textContent = T("before: " + name(f.answer) + ", why " + name(f.answer),
                                           "前：" + name(f.answer) + "（なぜ " + name(f.answer) + " なのか）");
    $("fool-after-label").textContent = r.reached
      ? T("after: " + name(r.answer) + ", why " + name(f.target), "後：" + name(r.answer) + "（なぜ " + name(f.target) + " なのか）")
      : T("after: " + name(r.answer) + ", why not " + name(f.target), "後：" + name(r.answer) + "（なぜ " + name(f.target) + " ではないのか）");
    const how = T(r.steps + " steps, " + X.number(r.changed) + " pixels changed (by a gray level or more, at most " + top.toFixed(2) +
                  "), L2 distance " + r.l2.toFixed(2),
                  r.steps + " ステップ、変わったピクセル " + X.number(r.changed) + " 個（1 階調以上。変化は最大 " + top.toFixed(2) + "）、L2 距離 " + r.l2.toFixed(2));
    $("fool-text").textContent = r.reached
      ? T("Step " + X.number(f.step) + ": it now answers " + name(f.target) + " (" + percent(p[f.target]) + ") after " + how + ". Red: ink added; blue: taken away.",
          "ステップ " + X.number(f.step) + "：答えは " + name(f.target) + "（" + percent(p[f.target]) + "）になりました。ここまで " + how + " です。赤は足したインク、青は消したインクです。")
      : T("Step " + X.number(f.step) + ": not fooled within " + fool.BUDGET + " steps. Closest: " + name(f.target) + " at " + percent(r.probability) +
          " (it still answers " + name(r.answer) + "), after " + how + ".",
          "ステップ " + X.number(f.step) + "：" + fool.BUDGET + " ステップ以内にはだませませんでした。" + "いちばん近づいたときの " + name(f.target) + " の確率は " +
          percent(r.probability) + "（答えは " + name(r.answer) + " のまま）で、そこまで " + how + " です。");
    // h_conv2's channels that rose and fell most: each its map for the fooled input and its change
    const box = $("fool-channels");
    box.replaceChildren(...f.channels.map(({channel, change}) => {
      const figure = document.createElement("figure"), canvas = document.createElement("canvas"), caption = document.createElement("figcaption");
      X.paint(canvas, X.channelImage(f.after.h_conv2, 14, X.layer("h_conv2")[2], channel), 14, 14);
      canvas.className = "tile";
      canvas.title = T("h_conv2, channel " + channel + ": its sum over the places " + (change >= 0 ? "rose" : "fell") + " by " + Math.abs(change).toFixed(2),
                       "h_conv2 のチャンネル " + channel + "：すべての場所の合計が " + Math.abs(change).toFixed(2) + (change >= 0 ? " 増えた" : " 減った"));
      canvas.addEventListener("click", () => X.select({name: "h_conv2", c: channel, column: "main"}));
      caption.append(String(channel), document.createElement("br"), (change >= 0 ? "+" : "") + change.toFixed(1));
      figure.append(canvas, caption);
      return figure;
    }));
  };
})(window.Explorer);
