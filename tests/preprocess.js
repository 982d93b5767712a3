// node tests/preprocess.js PREPROCESSING_JS RGBA WIDTH HEIGHT OUTPUT [HOW]
// The page's preprocessing (preprocessing.toMnist) of a drawing's RGBA bytes, as MNIST's digits or as HOW
// (JSON: a data set's reader_image) says; writes the 784 float32 of the 28x28 input to OUTPUT (all 0
// where it finds no ink).
"use strict";
const fs = require("fs");
const path = require("path");

const [preprocessingJs, rgbaFile, width, height, outputFile, how] = process.argv.slice(2);
const preprocessing = require(path.resolve(preprocessingJs));
const input = preprocessing.toMnist(new Uint8Array(fs.readFileSync(rgbaFile)), Number(width), Number(height),
                              ...(how ? [JSON.parse(how)] : []));
const out = input || new Float32Array(784);
fs.writeFileSync(outputFile, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
