// [FORWARD_ENGINE=wasm] node tests/forward.js NETWORK_JS WEIGHTS_JS INPUTS OUTPUT [layers | why | circuit CIRCUITS_JS CHANNELS]
// Runs the page's forward pass (network.js) with one snapshot's weights (a 6_weights_STEP.js) on
// every 784-float32 input in INPUTS (the maps upsampled by preprocessing.js, found beside NETWORK_JS);
// writes to OUTPUT, as float32, each input's 10 probabilities,
// preceded by its four layers (h_conv1, h_pool1, h_conv2, h_pool2, NHWC) with "layers". With "why",
// the backward pass too, for the class the page answers: per input, in place of the probabilities,
// the class, the saliency (784), HiResCAM on h_pool1 and on h_conv2 (196 each), h_conv2's
// channels' contributions in channel order, the two HiResCAMs as the page draws them (upsampled to
// 28x28, largest 1: 784 each), and the branches the page took: its h_conv1, h_conv2 and h_fc1 (after
// their ReLUs). With "circuit CIRCUITS_JS CHANNELS", in place of all that: OUTPUT is JSON, per input,
// circuits.js's circuit of each of h_conv2's CHANNELS (comma-separated), as explorer.circuit gives it.
// Prints the ms per input, forward and backward apart. With FORWARD_ENGINE=wasm, the passes' heavy parts
// are network_simd.js's (WebAssembly SIMD), found beside NETWORK_JS, as the page runs them.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [networkJs, weightsJs, inputsFile, outputFile, what, circuitsJs, channels] = process.argv.slice(2);
const network = require(path.resolve(networkJs));
const preprocessing = require(path.resolve(networkJs.replace(/network\.js$/, "preprocessing.js"))); // (6_ in images/)
let data = null;
global.explorerWeights = (step, d) => { data = d; };
vm.runInThisContext(fs.readFileSync(weightsJs, "utf8"), {filename: weightsJs});
const weights = network.decodeWeights(data);
const kernels = process.env.FORWARD_ENGINE === "wasm"
  ? require(path.resolve(networkJs.replace(/network\.js$/, "network_simd.js"))).KERNELS : network.KERNELS;
const raw = fs.readFileSync(inputsFile);
const inputs = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const parts = [];
const n = inputs.length / 784;
let forwardMs = 0, backwardMs = 0;
if (what === "circuit") {
  const circuits = require(path.resolve(circuitsJs));
  const found = [];
  for (let i = 0; i < n; i++) {
    const {h_pool1} = network.forward(weights, inputs.subarray(784 * i, 784 * (i + 1)));
    found.push(channels.split(",").map((c) => circuits.circuit(weights, h_pool1, Number(c))));
  }
  fs.writeFileSync(outputFile, JSON.stringify(found));
  process.exit(0);
}
for (let i = 0; i < n; i++) {
  let start = process.hrtime.bigint();
  const out = network.forward(weights, inputs.subarray(784 * i, 784 * (i + 1)), kernels);
  forwardMs += Number(process.hrtime.bigint() - start) / 1e6;
  if (what === "why") {
    start = process.hrtime.bigint();
    const answer = out.probabilities.indexOf(Math.max(...out.probabilities));
    const why = network.backward(weights, out, answer, kernels);
    backwardMs += Number(process.hrtime.bigint() - start) / 1e6;
    const channels = new Float32Array(weights.net.c2);
    for (const {channel, contribution} of why.channels) channels[channel] = contribution;
    parts.push(Float32Array.of(answer), why.saliency, why.hirescam.h_pool1, why.hirescam.h_conv2, channels,
               preprocessing.toInputSize(why.hirescam.h_pool1, 14), preprocessing.toInputSize(why.hirescam.h_conv2, 14),
               out.h_conv1, out.h_conv2, out.h_fc1);
    continue;
  }
  if (what === "layers") parts.push(out.h_conv1, out.h_pool1, out.h_conv2, out.h_pool2);
  parts.push(Float32Array.from(out.probabilities));
}
fs.writeFileSync(outputFile, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
console.log(JSON.stringify({inputs: n, ms_per_input: forwardMs / n, backward_ms: backwardMs / n}));
