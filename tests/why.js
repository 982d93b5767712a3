// node tests/why.js NETWORK_JS WEIGHTS_JS INPUTS OUTPUT
// Runs the page's forward and backward passes (network.js) with one snapshot's weights on every
// 784-float32 input in INPUTS, for the class the page answers; writes to OUTPUT, as float32, per
// input: the class, the saliency (784), HiResCAM on h_pool1 and on h_conv2 (196 each), h_conv2's
// 64 channels' contributions in channel order, and the two HiResCAMs as the page draws them
// (upsampled to 28x28, largest 1: 784 each). Prints the ms per input, forward and backward apart.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [networkJs, weightsJs, inputsFile, outputFile] = process.argv.slice(2);
const network = require(path.resolve(networkJs));
let data = null;
global.explorerWeights = (step, d) => { data = d; };
vm.runInThisContext(fs.readFileSync(weightsJs, "utf8"), {filename: weightsJs});
const weights = network.decodeWeights(data);
const raw = fs.readFileSync(inputsFile);
const inputs = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const parts = [];
let forwardMs = 0, backwardMs = 0;
for (let i = 0; i < inputs.length / 784; i++) {
  let start = process.hrtime.bigint();
  const layers = network.forward(weights, inputs.subarray(784 * i, 784 * (i + 1)));
  forwardMs += Number(process.hrtime.bigint() - start) / 1e6;
  start = process.hrtime.bigint();
  const answer = layers.probabilities.indexOf(Math.max(...layers.probabilities));
  const why = network.backward(weights, layers, answer);
  backwardMs += Number(process.hrtime.bigint() - start) / 1e6;
  const channels = new Float32Array(64);
  for (const {channel, contribution} of why.channels) channels[channel] = contribution;
  parts.push(Float32Array.of(answer), why.saliency, why.hirescam.h_pool1, why.hirescam.h_conv2, channels,
             network.toInputSize(why.hirescam.h_pool1, 14), network.toInputSize(why.hirescam.h_conv2, 14));
}
fs.writeFileSync(outputFile, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
const n = inputs.length / 784;
console.log(JSON.stringify({inputs: n, forward_ms: forwardMs / n, backward_ms: backwardMs / n}));
