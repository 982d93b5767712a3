// node tests/preprocess.js NETWORK_JS RGBA WIDTH HEIGHT OUTPUT
// The page's preprocessing (network.toMnist) of a drawing's RGBA bytes; writes the 784 float32 of
// the 28x28 input to OUTPUT (all 0 where it finds no ink).
"use strict";
const fs = require("fs");
const path = require("path");

const [networkJs, rgbaFile, width, height, outputFile] = process.argv.slice(2);
const network = require(path.resolve(networkJs));
const input = network.toMnist(new Uint8Array(fs.readFileSync(rgbaFile)), Number(width), Number(height));
const out = input || new Float32Array(784);
fs.writeFileSync(outputFile, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
