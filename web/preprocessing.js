// The page's preprocessing, as Python's: mnist_preprocessing.to_mnist for a drawing (the ink's box, the
// centre of mass), image_folders.fitted for a data set of pictures, and saliency.to_input_size for
// the maps, with Pillow's resampling and numpy's percentiles. Used by 6.html, and by node in the tests.
"use strict";

(function (exports) {
  const BOX = 20, SIZE = 28, CENTRE = [14.0, 14.0], MIN_CONTRAST = 0.1;
  const SPECKS_SIDE = 256; // specks are looked for on a copy this size: smaller than ~1% of the image is a speck
  const MAX_PIXELS = 89478485; // Pillow's Image.MAX_IMAGE_PIXELS: over it, 5.py refuses to decode an image

  // numpy.percentile's default (linear) of sorted values
  function percentile(sorted, q) {
    const at = (q / 100) * (sorted.length - 1);
    const lo = Math.floor(at), hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
  }

  function median(values) {
    const sorted = Float64Array.from(values).sort();
    return percentile(sorted, 50);
  }

  // Python's round(): halves to even
  function roundHalfEven(v) {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }

  // Pillow's resampling of a float ("F") image (Resample.c): separable, horizontal pass first, each
  // output pixel a normalised sum of the inputs under the filter: Lanczos (to_mnist's), or bilinear
  // (saliency.to_input_size's, for the HiResCAM maps).
  const LANCZOS = {support: 3, at(x) {
    const sinc = (t) => (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t));
    return x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
  }};
  const BILINEAR = {support: 1, at(x) { x = Math.abs(x); return x < 1 ? 1 - x : 0; }};
  const BOX_FILTER = {support: 0.5, at(x) { return x >= -0.5 && x < 0.5 ? 1 : 0; }};

  function coefficients(inSize, outSize, filter) {
    const scale = inSize / outSize;
    const filterscale = Math.max(scale, 1);
    const support = filter.support * filterscale;
    const taps = [];
    for (let xx = 0; xx < outSize; xx++) {
      const center = (xx + 0.5) * scale;
      const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
      const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
      const k = [];
      let ww = 0;
      for (let x = 0; x < xmax; x++) {
        const w = filter.at((x + xmin - center + 0.5) / filterscale);
        k.push(w);
        ww += w;
      }
      taps.push({ xmin, k: k.map((w) => (ww === 0 ? w : w / ww)) });
    }
    return taps;
  }

  // bytes: an 8-bit image (0..255), as Pillow resizes an "L" image: each pass rounded and clipped to a byte.
  function resize(image, w, h, outW, outH, filter = LANCZOS, bytes = false) {
    const store = bytes ? (v) => Math.min(Math.max(Math.floor(v + 0.5), 0), 255) : (v) => v;
    let data = image, width = w;
    if (outW !== w) { // horizontal pass
      const taps = coefficients(w, outW, filter);
      const out = new Float32Array(outW * h);
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < outW; xx++) {
          const { xmin, k } = taps[xx];
          let ss = 0;
          for (let x = 0; x < k.length; x++) ss += data[y * width + x + xmin] * k[x];
          out[y * outW + xx] = store(ss);
        }
      }
      data = out;
      width = outW;
    }
    if (outH !== h) { // vertical pass
      const taps = coefficients(h, outH, filter);
      const out = new Float32Array(width * outH);
      for (let yy = 0; yy < outH; yy++) {
        const { xmin, k } = taps[yy];
        for (let x = 0; x < width; x++) {
          let ss = 0;
          for (let y = 0; y < k.length; y++) ss += data[(y + xmin) * width + x] * k[y];
          out[yy * width + x] = store(ss);
        }
      }
      data = out;
    }
    return data;
  }

  // RGBA bytes of an opaque drawing (no larger than 255 pixels a side, so to_mnist looks for no
  // specks) -> the 28x28 input (Float32Array, row-major, in [0, 1]), or null where there is no ink.
  // how: the data set's convention (run.json's reader_image): MNIST's box of 20 and centre of mass,
  // another box and centring, or a folder's pictures (picture()).
  function toMnist(rgba, width, height, how = {steps: "ink", box: BOX, by_mass: true}) {
    if (how.steps === "picture") return picture(rgba, width, height);
    const n = width * height;
    let gray = new Float64Array(n);
    for (let i = 0; i < n; i++) { // ITU-R 601 luma, as Pillow's "L"
      gray[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    }
    const k = Math.max(1, roundHalfEven(0.02 * Math.min(width, height))); // the border: the outer 2%
    const inBorder = (i) => {
      const y = Math.floor(i / width), x = i % width;
      return y < k || y >= height - k || x < k || x >= width - k;
    };
    // Transparent is paper. The paper's colour: the opaque part of the border; with a transparent
    // border (a drawing program's PNG), the colour opposite to the opaque strokes.
    let transparent = false;
    for (let i = 3; i < rgba.length && !transparent; i += 4) transparent = rgba[i] < 255;
    if (transparent) {
      const opaqueBorder = [], opaque = [];
      let borderCount = 0;
      for (let i = 0; i < n; i++) {
        const isBorder = inBorder(i);
        borderCount += isBorder;
        if (rgba[4 * i + 3] > 127.5) {
          opaque.push(gray[i]);
          if (isBorder) opaqueBorder.push(gray[i]);
        }
      }
      const under = opaqueBorder.length >= 0.5 * borderCount ? median(opaqueBorder)
        : opaque.length && median(opaque) < 0.5 ? 1 : 0;
      gray = gray.map((g, i) => { const a = rgba[4 * i + 3] / 255; return a * g + (1 - a) * under; });
    }
    // The paper: the median of the border; the ink: the extreme farther from it.
    const border = [];
    for (let y = 0; y < height; y++) { // (in the image's order; the median sorts them)
      const all = y < k || y >= height - k;
      for (let x = 0; x < width; x++) if (all || x < k || x >= width - k) border.push(gray[y * width + x]);
    }
    let paper = median(border);
    const sorted = Float64Array.from(gray).sort();
    let low = percentile(sorted, 0.1), high = percentile(sorted, 99.9);
    if (paper - low > high - paper) {
      gray = gray.map((g) => 1 - g);
      [paper, high] = [1 - paper, 1 - low];
    }
    if (high - paper < MIN_CONTRAST) return null;
    const ink = gray.map((g) => Math.min(Math.max((g - paper) / (high - paper), 0), 1));

    // Crop to the ink's box, at full resolution; specks (dust, noise) don't count.
    const [top, bottom, left, right] = inkBox(ink, width, height);
    const h = bottom - top, w = right - left;
    const cropped = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) cropped[y * w + x] = ink[(y + top) * width + x + left];
    }

    // Longer side to 20 pixels (the data set's box), aspect ratio kept, with Pillow's Lanczos filter.
    const scale = how.box / Math.max(h, w);
    const outW = Math.max(1, roundHalfEven(w * scale)), outH = Math.max(1, roundHalfEven(h * scale));
    const digit = resize(cropped, w, h, outW, outH).map((v) => Math.min(Math.max(v, 0), 1));

    // Into 28x28, its centre of mass where MNIST's are (or its box in the middle).
    let mass = 0, rows = 0, cols = 0;
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const v = digit[y * outW + x];
        mass += v; rows += y * v; cols += x * v;
      }
    }
    const clip = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
    const dy = how.by_mass ? clip(roundHalfEven(CENTRE[0] - rows / mass), 0, SIZE - outH) : Math.floor((SIZE - outH) / 2);
    const dx = how.by_mass ? clip(roundHalfEven(CENTRE[1] - cols / mass), 0, SIZE - outW) : Math.floor((SIZE - outW) / 2);
    const out = new Float32Array(SIZE * SIZE);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) out[(y + dy) * SIZE + x + dx] = digit[y * outW + x];
    }
    return out;
  }

  // The bounding box of one of mask's values (0..255 bytes over 127, or true): [top, bottom, left, right)
  function bounds(mask, width, height) {
    let top = height, bottom = 0, left = width, right = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (mask[y * width + x] > 127 || mask[y * width + x] === true) {
          top = Math.min(top, y); bottom = Math.max(bottom, y + 1);
          left = Math.min(left, x); right = Math.max(right, x + 1);
        }
      }
    }
    return [top, bottom, left, right];
  }

  // Pillow's MinFilter(3) or MaxFilter(3) of a byte image, its edges replicated
  function rank3(image, w, h, pick) {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let v = image[y * w + x];
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            v = pick(v, image[Math.min(Math.max(y + dy, 0), h - 1) * w + Math.min(Math.max(x + dx, 0), w - 1)]);
          }
        }
        out[y * w + x] = v;
      }
    }
    return out;
  }

  // mnist_preprocessing._ink_box: the ink's box (pixels above 0.5; any ink where none is). On an image
  // at least SPECKS_SIDE pixels on its longer side, ink that a 3x3 opening removes from a copy that
  // size is a speck: the box is that of the ink within 2% of what survives.
  function inkBox(ink, width, height) {
    const above = (level) => {
      const mask = new Float32Array(ink.length);
      let any = false;
      for (let i = 0; i < ink.length; i++) if (ink[i] > level) { mask[i] = 255; any = true; }
      return any && mask;
    };
    let mask = above(0.5) || above(0);
    if (!mask) mask = new Float32Array(ink.length);
    const factor = Math.max(width, height) / SPECKS_SIDE;
    if (factor >= 1) {
      const sw = Math.max(1, roundHalfEven(width / factor)), sh = Math.max(1, roundHalfEven(height / factor));
      const small = resize(mask, width, height, sw, sh, BOX_FILTER, true);
      const opened = rank3(rank3(small, sw, sh, Math.min), sw, sh, Math.max);
      const [r0, r1, c0, c1] = bounds(opened, sw, sh);
      if (r1 > r0) {
        const margin = 0.02 * SPECKS_SIDE;
        const top = Math.max(0, Math.trunc((r0 - margin) * factor)), bottom = Math.ceil((r1 + margin) * factor);
        const left = Math.max(0, Math.trunc((c0 - margin) * factor)), right = Math.ceil((c1 + margin) * factor);
        mask = mask.map((v, i) => {
          const y = Math.floor(i / width), x = i % width;
          return y >= top && y < bottom && x >= left && x < right ? v : 0;
        });
      }
    }
    return bounds(mask, width, height);
  }

  // image_folders.fitted: the image's luminance over white, fitted into 28x28 keeping its shape with
  // Pillow's Lanczos filter (an 8-bit image: each pass rounded to a byte), the rest the median of its
  // border, as a folder's pictures are made (nothing inverted).
  function picture(rgba, width, height) {
    const gray = new Float32Array(width * height);
    for (let i = 0; i < gray.length; i++) {
      const a = rgba[4 * i + 3] / 255, over = (v) => Math.round(v * a + 255 * (1 - a)); // over white
      gray[i] = Math.round(0.299 * over(rgba[4 * i]) + 0.587 * over(rgba[4 * i + 1]) + 0.114 * over(rgba[4 * i + 2]));
    }
    const edge = [];
    for (let x = 0; x < width; x++) edge.push(gray[x], gray[(height - 1) * width + x]);
    for (let y = 0; y < height; y++) edge.push(gray[y * width], gray[y * width + width - 1]);
    const fill = Math.trunc(median(edge)) / 255;
    // ImageOps.contain, then pad
    let outW = SIZE, outH = SIZE;
    if (width > height) outH = roundHalfEven(height / width * SIZE);
    if (height > width) outW = roundHalfEven(width / height * SIZE);
    const fitted = resize(gray, width, height, outW, outH, LANCZOS, true);
    const out = new Float32Array(SIZE * SIZE).fill(fill);
    const x0 = roundHalfEven((SIZE - outW) / 2), y0 = roundHalfEven((SIZE - outH) / 2);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) out[(y + y0) * SIZE + x + x0] = fitted[y * outW + x] / 255;
    }
    return out;
  }

  // A PNG's or a JPEG's size from its header, and whether its end is missing (PNG: no IEND chunk;
  // JPEG: no end-of-image marker); null for other formats (the browser decodes them, then they are measured).
  function imageHeader(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tail = (sequence) => bytes.length >= sequence.length &&
      Array.from(bytes.subarray(Math.max(0, bytes.length - 64))).join(",").includes(sequence.join(","));
    if (bytes.length >= 24 && view.getUint32(0) === 0x89504e47 && view.getUint32(12) === 0x49484452) { // PNG, IHDR
      return {width: view.getUint32(16), height: view.getUint32(20), truncated: !tail([0x49, 0x45, 0x4e, 0x44])};
    }
    if (bytes.length >= 4 && view.getUint16(0) === 0xffd8) { // JPEG: the first start-of-frame marker
      for (let i = 2; i + 9 < bytes.length;) {
        if (bytes[i] !== 0xff) { i++; continue; }
        const marker = bytes[i + 1];
        if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
          return {width: view.getUint16(i + 7), height: view.getUint16(i + 5), truncated: !tail([0xff, 0xd9])};
        }
        if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff) { i += marker === 0xff ? 1 : 2; continue; }
        i += 2 + view.getUint16(i + 2);
      }
      return {width: 0, height: 0, truncated: true};
    }
    return null;
  }

  // saliency.to_input_size: a 14x14 map's positive part, upsampled to 28x28 as Pillow's bilinear
  // filter does it, its largest value scaled to 1 (all 0 where nothing is positive).
  function toInputSize(map, side) {
    const up = resize(Float32Array.from(map, (v) => (v > 0 ? v : 0)), side, side, 28, 28, BILINEAR);
    let top = 0;
    for (const v of up) top = Math.max(top, v);
    return up.map((v) => v / Math.max(top, 1e-12));
  }

  Object.assign(exports, { MAX_PIXELS, imageHeader, percentile, resize, toInputSize, toMnist });
})(typeof module !== "undefined" ? module.exports : (window.preprocessing = {}));
