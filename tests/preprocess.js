// node tests/preprocess.js NETWORK_JS RGBA WIDTH HEIGHT OUTPUT [HOW]
// The page's preprocessing (network.toMnist) of a drawing's RGBA bytes, as MNIST's digits or as HOW
// (JSON: a data set's reader_image) says; writes the 784 float32 of the 28x28 input to OUTPUT (all 0
// where it finds no ink).
"use strict";
const fs = require("fs");
const path = require("path");

const [networkJs, rgbaFile, width, height, outputFile, how] = process.argv.slice(2);
const network = require(path.resolve(networkJs));
const input = network.toMnist(new Uint8Array(fs.readFileSync(rgbaFile)), Number(width), Number(height),
                              ...(how ? [JSON.parse(how)] : []));
const out = input || new Float32Array(784);
fs.writeFileSync(outputFile, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
