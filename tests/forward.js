// node tests/forward.js NETWORK_JS WEIGHTS_JS INPUTS OUTPUT [layers]
// Runs the page's forward pass (network.js) with one snapshot's weights (a 6_weights_STEP.js) on
// every 784-float32 input in INPUTS; writes to OUTPUT, as float32, each input's 10 probabilities,
// preceded by its four layers (h_conv1, h_pool1, h_conv2, h_pool2, NHWC) with "layers".
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [networkJs, weightsJs, inputsFile, outputFile, what] = process.argv.slice(2);
const network = require(path.resolve(networkJs));
let data = null;
global.explorerWeights = (step, d) => { data = d; };
vm.runInThisContext(fs.readFileSync(weightsJs, "utf8"), {filename: weightsJs});
const weights = network.decodeWeights(data);
const raw = fs.readFileSync(inputsFile);
const inputs = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const parts = [];
const start = process.hrtime.bigint();
for (let i = 0; i < inputs.length / 784; i++) {
  const out = network.forward(weights, inputs.subarray(784 * i, 784 * (i + 1)));
  if (what === "layers") parts.push(out.h_conv1, out.h_pool1, out.h_conv2, out.h_pool2);
  parts.push(Float32Array.from(out.probabilities));
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
fs.writeFileSync(outputFile, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
console.log(JSON.stringify({inputs: inputs.length / 784, ms_per_input: ms / (inputs.length / 784)}));
