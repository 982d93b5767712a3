// network.js's heavy parts in WebAssembly SIMD: KERNELS, the convolutions with their ReLU and fc1,
// forward and backward, computed by network.c's module (built into network_simd_wasm.js, which holds
// it as base64: a page opened from file:// can't fetch() a .wasm). network.forward(w, input, KERNELS)
// and network.backward(..., KERNELS) then give the same numbers as network.js alone, within float32's
// rounding (its sums are float32, as TensorFlow's; network.js's are float64). Where WebAssembly SIMD
// is missing, available() is false and the page keeps network.js's own. Used by 6.html and by node.
"use strict";

(function (exports) {
  const node = typeof module !== "undefined";
  const base64 = node ? require(__filename.replace(/network_simd\.js$/, "network_simd_wasm.js")).networkSimdWasm : window.networkSimdWasm;
  const network = node ? require(__filename.replace(/network_simd\.js$/, "network.js")) : window.network;
  const bytes = network.bytes(base64);

  let wasm = null; // the module's exports, once instantiated
  const SETS = 4; // weight sets in the module's memory at most (then all dropped)
  const LAYER = 28 * 28 * 256; // floats of the largest layer a network here can have (flags.MAX_CHANNELS)
  let top = 0, bottom = 0, placed = new Map(); // the arena's end and start; what is in it: w -> its arrays' addresses
  let scratch = null; // one call's inputs and outputs, below the arena: {a, b, c} of LAYER floats, d of 1024
  const supported = typeof WebAssembly === "object" && WebAssembly.validate(bytes); // (false without SIMD)
  const ready = !supported ? Promise.resolve(false)
    : node ? Promise.resolve(start(new WebAssembly.Instance(new WebAssembly.Module(bytes))))
      : WebAssembly.instantiate(bytes).then(({instance}) => start(instance), () => false); // (async: a page may not compile over 4 KB at once)

  function start(instance) {
    wasm = instance.exports;
    top = wasm.__heap_base.value;
    scratch = {a: alloc(LAYER), b: alloc(LAYER), c: alloc(LAYER), d: alloc(1024)};
    bottom = top;
    return true;
  }

  // --- the module's memory: the scratch, then an arena of the weight sets in use (SETS at most, then all dropped) ---

  function alloc(floats) {
    const at = (top + 15) & ~15, end = at + 4 * floats;
    const short = end - wasm.memory.buffer.byteLength;
    if (short > 0) wasm.memory.grow(Math.ceil(short / 65536));
    top = end;
    return at;
  }
  const view = (at, n) => new Float32Array(wasm.memory.buffer, at, n); // (anew each time: a grown memory moves)
  function put(array) {
    const at = alloc(array.length);
    view(at, array.length).set(array);
    return at;
  }

  // Where the weights w are in the arena, put there first if they are not: W_conv2 also transposed
  // (K, K, c2, c1) for the second layer's backward pass, W_fc1's integers as float32 (exact: 24 bits).
  function place(w) {
    let p = placed.get(w);
    if (p) return p;
    if (placed.size >= SETS) { placed = new Map(); top = bottom; }
    const {c1, c2, k: K, flat} = w.net;
    const WT = new Float32Array(K * K * c2 * c1);
    for (let kk = 0; kk < K * K; kk++) {
      for (let ci = 0; ci < c1; ci++) for (let co = 0; co < c2; co++) WT[(kk * c2 + co) * c1 + ci] = w.W_conv2[(kk * c1 + ci) * c2 + co];
    }
    p = {W_conv1: put(w.W_conv1), b_conv1: put(w.b_conv1), W_conv2: put(w.W_conv2), b_conv2: put(w.b_conv2), WT: put(WT),
         Wq: put(Float32Array.from(w.W_fc1)), scale: put(w.W_fc1_scale), b_fc1: put(w.b_fc1), flat};
    placed.set(w, p);
    return p;
  }

  // --- the kernels, as network.js's KERNELS takes them ---

  const KERNELS = {
    name: "wasm",
    convRelu(w, layer, input) {
      const p = place(w), s = scratch, {c1, c2, k: K} = w.net;
      const [size, inC, outC, W, b] = layer === 1 ? [28, 1, c1, p.W_conv1, p.b_conv1] : [14, c1, c2, p.W_conv2, p.b_conv2];
      view(s.a, size * size * inC).set(input);
      wasm.conv_relu(s.a, size, inC, W, b, outC, K, s.b);
      return view(s.b, size * size * outC).slice();
    },
    fc1(w, h_pool2) {
      const p = place(w), s = scratch;
      view(s.a, p.flat).set(h_pool2);
      wasm.fc1(s.a, p.flat, p.Wq, p.scale, p.b_fc1, s.d, s.b);
      return view(s.b, 1024).slice();
    },
    convReluBack(w, layer, out, grad) {
      const p = place(w), s = scratch, {c1, c2, k: K} = w.net;
      const [size, inC, outC, W] = layer === 1 ? [28, 1, c1, p.W_conv1] : [14, c1, c2, p.W_conv2];
      view(s.a, size * size * outC).set(out);
      view(s.b, size * size * outC).set(grad);
      wasm.conv_relu_back(s.a, s.b, size, inC, W, p.WT, outC, K, s.c, s.d);
      return view(s.c, size * size * inC).slice();
    },
    fc1Back(w, units, g1, n) {
      const p = place(w), s = scratch, dense = view(s.d, 1024);
      dense.fill(0);
      for (let k = 0; k < n; k++) dense[units[k]] = g1[k];
      wasm.fc1_back(p.Wq, s.d, p.flat, s.a);
      return view(s.a, p.flat).slice();
    },
  };

  // Whether these kernels can run the network w is of: WebAssembly SIMD here, the module instantiated,
  // and both layers' channels in fours (the article's 32 and 64, --channels 16,32)
  const available = (w) => wasm !== null && (!w || (w.net.c1 % 4 === 0 && w.net.c2 % 4 === 0));

  Object.assign(exports, {KERNELS, ready, available, supported});
})(typeof module !== "undefined" ? module.exports : (window.networkSimd = {}));
