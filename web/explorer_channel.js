// 6.html's panel of one channel, opened by a click on its tile or on a deciding channel: its map for
// this input, enlarged, with its pattern and top patches (4.py's, where it has run for this model) or
// else the weights that make it.
"use strict";

(function (X) {
  const S = X.state, $ = X.$, T = X.T;

  // The channel under a click on a layer's tile (none on a gap).
  X.pick = function (e, name, column) {
    const [, side, channels] = X.layer(name, column), order = X.orderOf(column, name);
    const canvas = e.currentTarget;
    const x = Math.floor(e.offsetX * canvas.width / canvas.clientWidth);
    const y = Math.floor(e.offsetY * canvas.height / canvas.clientHeight);
    if (x % (side + 1) === side || y % (side + 1) === side) return; // a gap
    const place = Math.floor(y / (side + 1)) * X.COLS + Math.floor(x / (side + 1));
    if (place < channels) X.select({name, c: order ? order[place] : place, column}); // (an empty cell of the last row: none)
  };

  // The panel of the selected channel (S.selected), for its column's input and step; hidden without one.
  X.showChannel = function () {
    $("channel").hidden = !S.selected;
    if (!S.selected || !X.views[S.selected.column]) return;
    const {name, c, column} = S.selected;
    const [, side, channels] = X.layer(name, column);
    const {step, layers} = X.views[column];
    $("channel-title").textContent = (S.run.compare ? X.modelOf(column) + " " : "") + name +
      T(", channel " + c + ", at step " + X.number(step), " のチャンネル " + c + "（ステップ " + X.number(step) + "）");
    const body = $("channel-body");
    body.replaceChildren();
    // A figure of pictures (gray, width, height), each css pixels wide, with one caption.
    const add = (pictures, css, caption) => {
      const figure = document.createElement("figure"), text = document.createElement("figcaption");
      for (const [gray, width, height] of pictures) {
        const canvas = document.createElement("canvas");
        X.paint(canvas, gray, width, height);
        canvas.style.width = css + "px";
        figure.appendChild(canvas);
      }
      text.textContent = caption;
      figure.appendChild(text);
      body.appendChild(figure);
    };
    add([[X.channelImage(layers[name], side, channels, c), side, side]], 224,
        T("its " + side + "x" + side + " map for this input (times 255)", "この入力でのマップ（" + side + "x" + side + "、値は 255 倍）"));
    if (name === "h_conv2") X.showCircuit(body, column, c); // what it is made of (explorer_circuit.js)
    if (name === "h_conv1") X.showFilterOverPatch(body, column, c);
    const conv = name.replace("pool", "conv"); // a pooling channel shows its convolution's channel
    const found = !X.orderOf(column, conv) && S.run.channels && S.run.channels[conv]; // (4.py's, of the page's own run)
    if (found) {
      const size = found.size, bytes = network.bytes(found.patterns);
      add([[bytes.subarray(c * size * size, (c + 1) * size * size), size, size]], 112,
          T(conv + "'s pattern (4.py): the input its centre unit answers to most, its " + size + "x" + size + " field",
            conv + " のパターン（4.py）：中央のユニットがいちばん強く反応する入力。そのユニットが見る " + size + "x" + size + " の範囲（受容野）"));
      const top = network.bytes(found.top), per = found.count * size * size, patches = [];
      for (let k = 0; k < found.count; k++) {
        patches.push([top.subarray(c * per + k * size * size, c * per + (k + 1) * size * size), size, size]);
      }
      add(patches, 56, T("the " + found.count + " test patches where it fires hardest (4.py), after training",
                         "トップパッチ：学習後、いちばん強く反応したテスト画像の " + found.count + " か所（4.py）"));
    } else { // the weights that make it: K x K per input channel, gray 0, white +, black -
      const w = X.views[column].w, {c1, c2, k: K} = w.net;
      const inC = conv === "h_conv1" ? 1 : c1, outC = conv === "h_conv1" ? c1 : c2;
      const W = conv === "h_conv1" ? w.W_conv1 : w.W_conv2, size = K + "x" + K;
      let largest = 0;
      for (let i = c; i < W.length; i += outC) largest = Math.max(largest, Math.abs(W[i]));
      const filters = [];
      for (let ci = 0; ci < inC; ci++) {
        const gray = [];
        for (let k = 0; k < K * K; k++) gray.push(Math.round(128 + 127 * W[(k * inC + ci) * outC + c] / (largest || 1)));
        filters.push([gray, K, K]);
      }
      add(filters, inC === 1 ? 112 : 40, T(conv + "'s " + size + " weights at this step" + (inC > 1 ? ", one per h_pool1 channel" : "") +
          " (gray 0, white +, black -); run 4.py for its pattern and top patches",
          "このステップでの " + conv + " の " + size + " の重み" + (inC > 1 ? "、h_pool1 のチャンネルごとに 1 つ" : "") +
          "（灰色 0、白 +、黒 -）。パターンとトップパッチは、4.py を実行すると表示されます。"));
    }
  };
})(window.Explorer);
