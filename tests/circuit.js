// node tests/circuit.js NETWORK_JS CIRCUITS_JS WEIGHTS_JS INPUTS CHANNELS
// The page's circuits (circuits.js) of h_conv2's channels CHANNELS (comma-separated) for every
// 784-float32 input in INPUTS, with one snapshot's weights (a 6_weights_STEP.js): prints a JSON list,
// per input, of circuit(channel) for each channel, as explorer.circuit gives it.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [networkJs, circuitsJs, weightsJs, inputsFile, channels] = process.argv.slice(2);
const network = require(path.resolve(networkJs));
const circuits = require(path.resolve(circuitsJs));
let data = null;
global.explorerWeights = (step, d) => { data = d; };
vm.runInThisContext(fs.readFileSync(weightsJs, "utf8"), {filename: weightsJs});
const weights = network.decodeWeights(data);
const raw = fs.readFileSync(inputsFile);
const inputs = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const out = [];
for (let i = 0; i < inputs.length / 784; i++) {
  const {h_pool1} = network.forward(weights, inputs.subarray(784 * i, 784 * (i + 1)));
  out.push(channels.split(",").map((c) => circuits.circuit(weights, h_pool1, Number(c))));
}
console.log(JSON.stringify(out));
