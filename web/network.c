// The page's heaviest passes in WebAssembly SIMD (128 bits: four float32 at a time): the convolutions
// (with their ReLU) and fc1, forward and backward, as network.js computes them. network_simd.js calls
// them; network.js keeps the rest (pooling, fc2, softmax, HiResCAM). Built into network_simd_wasm.js by
// `python -m machinery.pictures.wasm` (clang, wasm32, -msimd128). Every array is float32, NHWC, in the
// module's memory, which network_simd.js lays out.
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static float values[32768];  // a place's window's inputs that are not 0 (K * K * inC: 9 * 9 * 256 at most)
static int rows[32768];      // and where their rows of W start (or fc1's inputs that are not 0: 7 * 7 * 256 at most)
static float gs[1024];      // a place's output gradients that pass the ReLU
static int cs[1024];        // and their channels

// relu(conv2d(input, W) + b): input (size, size, inC), W (K, K, inC, outC), SAME, stride 1 ->
// out (size, size, outC). At each place the window's inputs that are not 0 are gathered (in (ky, kx,
// ci) order), then each four output channels sum them in that order.
EXPORT(conv_relu)
void conv_relu(const float *input, int size, int inC, const float *W, const float *b, int outC, int K, float *out) {
  const int half = (K - 1) / 2, fours = outC - outC % 4;
  for (int y = 0; y < size; y++) {
    for (int x = 0; x < size; x++) {
      int n = 0;
      for (int ky = 0; ky < K; ky++) {
        const int iy = y + ky - half;
        if (iy < 0 || iy >= size) continue;  // SAME: zeros outside
        for (int kx = 0; kx < K; kx++) {
          const int ix = x + kx - half;
          if (ix < 0 || ix >= size) continue;
          const float *in = input + (iy * size + ix) * inC;
          const int base = (ky * K + kx) * inC * outC;
          for (int ci = 0; ci < inC; ci++) {
            if (in[ci] != 0.0f) { values[n] = in[ci]; rows[n++] = base + ci * outC; }
          }
        }
      }
      float *o = out + (y * size + x) * outC;
      int co = 0;
      for (; co + 32 <= fours; co += 32) {  // thirty-two channels, eight registers
        v128_t s[8];
        for (int q = 0; q < 8; q++) s[q] = wasm_v128_load(b + co + 4 * q);
        for (int k = 0; k < n; k++) {
          const v128_t v = wasm_f32x4_splat(values[k]);
          const float *w = W + rows[k] + co;
          for (int q = 0; q < 8; q++) s[q] = wasm_f32x4_add(s[q], wasm_f32x4_mul(v, wasm_v128_load(w + 4 * q)));
        }
        for (int q = 0; q < 8; q++) wasm_v128_store(o + co + 4 * q, wasm_f32x4_max(s[q], wasm_f32x4_splat(0.0f)));
      }
      for (; co + 16 <= fours; co += 16) {  // sixteen channels, four registers
        v128_t s0 = wasm_v128_load(b + co), s1 = wasm_v128_load(b + co + 4);
        v128_t s2 = wasm_v128_load(b + co + 8), s3 = wasm_v128_load(b + co + 12);
        for (int k = 0; k < n; k++) {
          const v128_t v = wasm_f32x4_splat(values[k]);
          const float *w = W + rows[k] + co;
          s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(v, wasm_v128_load(w)));
          s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(v, wasm_v128_load(w + 4)));
          s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(v, wasm_v128_load(w + 8)));
          s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(v, wasm_v128_load(w + 12)));
        }
        const v128_t zero = wasm_f32x4_splat(0.0f);
        wasm_v128_store(o + co, wasm_f32x4_max(s0, zero));
        wasm_v128_store(o + co + 4, wasm_f32x4_max(s1, zero));
        wasm_v128_store(o + co + 8, wasm_f32x4_max(s2, zero));
        wasm_v128_store(o + co + 12, wasm_f32x4_max(s3, zero));
      }
      for (; co < fours; co += 4) {
        v128_t s = wasm_v128_load(b + co);
        for (int k = 0; k < n; k++) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_f32x4_splat(values[k]), wasm_v128_load(W + rows[k] + co)));
        wasm_v128_store(o + co, wasm_f32x4_max(s, wasm_f32x4_splat(0.0f)));
      }
      for (; co < outC; co++) {
        float s = b[co];
        for (int k = 0; k < n; k++) s += values[k] * W[rows[k] + co];
        o[co] = s > 0.0f ? s : 0.0f;
      }
    }
  }
}

// The sum of a[i] * b[i] over n floats, four at a time (n a multiple of 4)
static float dot(const float *a, const float *b, int n) {
  v128_t s = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < n; i += 4) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
}

// conv2d's gradient with respect to its input, through the ReLU after it: grad (size, size, outC) of
// the ReLU's output, masked where out is 0, through W (K, K, inC, outC) -> result (size, size, inC).
// With inC a multiple of 4 (the second layer), four input channels at a time along WT (K, K, outC,
// inC: W transposed), visiting only the channels the mask lets through; else (the first layer, one
// input channel) the masked gradient's dot product with each of W's rows. outC a multiple of 4.
EXPORT(conv_relu_back)
void conv_relu_back(const float *out, const float *grad, int size, int inC, const float *W, const float *WT, int outC,
                    int K, float *result, float *masked) {
  const int half = (K - 1) / 2;
  for (int i = 0; i < size * size * inC; i++) result[i] = 0.0f;
  for (int y = 0; y < size; y++) {
    for (int x = 0; x < size; x++) {
      const float *o = out + (y * size + x) * outC, *g = grad + (y * size + x) * outC;
      int n = 0;
      for (int co = 0; co < outC; co++) {
        const int on = o[co] > 0.0f && g[co] != 0.0f;
        masked[co] = on ? g[co] : 0.0f;
        if (on) { cs[n] = co; gs[n++] = g[co]; }
      }
      if (n == 0) continue;
      for (int ky = 0; ky < K; ky++) {
        const int iy = y + ky - half;
        if (iy < 0 || iy >= size) continue;
        for (int kx = 0; kx < K; kx++) {
          const int ix = x + kx - half;
          if (ix < 0 || ix >= size) continue;
          float *r = result + (iy * size + ix) * inC;
          const int kk = ky * K + kx;
          if (inC % 4 == 0) {
            for (int ci = 0; ci < inC; ci += 4) {
              v128_t s = wasm_v128_load(r + ci);
              for (int k = 0; k < n; k++) {
                s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_f32x4_splat(gs[k]), wasm_v128_load(WT + (kk * outC + cs[k]) * inC + ci)));
              }
              wasm_v128_store(r + ci, s);
            }
          } else {
            for (int ci = 0; ci < inC; ci++) r[ci] += dot(W + (kk * inC + ci) * outC, masked, outC);
          }
        }
      }
    }
  }
}

// fc1 without its bias and ReLU: acc (1024) = the sum over h_pool2's inputs that are not 0 of the input
// times its row of Wq (flat x 1024: W_fc1's 24-bit integers as float32, exact); h_fc1 = relu(acc *
// scale + b), per unit.
EXPORT(fc1)
void fc1(const float *h_pool2, int flat, const float *Wq, const float *scale, const float *b, float *acc, float *h_fc1) {
  for (int j = 0; j < 1024; j += 4) wasm_v128_store(acc + j, wasm_f32x4_splat(0.0f));
  int n = 0;
  for (int i = 0; i < flat; i++) if (h_pool2[i] != 0.0f) rows[n++] = i;
  int k = 0;
  for (; k + 4 <= n; k += 4) {  // four rows at a time: acc read and written once for four
    const v128_t v0 = wasm_f32x4_splat(h_pool2[rows[k]]), v1 = wasm_f32x4_splat(h_pool2[rows[k + 1]]);
    const v128_t v2 = wasm_f32x4_splat(h_pool2[rows[k + 2]]), v3 = wasm_f32x4_splat(h_pool2[rows[k + 3]]);
    const float *w0 = Wq + rows[k] * 1024, *w1 = Wq + rows[k + 1] * 1024, *w2 = Wq + rows[k + 2] * 1024, *w3 = Wq + rows[k + 3] * 1024;
    for (int j = 0; j < 1024; j += 4) {
      v128_t s = wasm_v128_load(acc + j);
      s = wasm_f32x4_add(s, wasm_f32x4_mul(v0, wasm_v128_load(w0 + j)));
      s = wasm_f32x4_add(s, wasm_f32x4_mul(v1, wasm_v128_load(w1 + j)));
      s = wasm_f32x4_add(s, wasm_f32x4_mul(v2, wasm_v128_load(w2 + j)));
      s = wasm_f32x4_add(s, wasm_f32x4_mul(v3, wasm_v128_load(w3 + j)));
      wasm_v128_store(acc + j, s);
    }
  }
  for (; k < n; k++) {
    const v128_t v = wasm_f32x4_splat(h_pool2[rows[k]]);
    const float *w = Wq + rows[k] * 1024;
    for (int j = 0; j < 1024; j += 4) wasm_v128_store(acc + j, wasm_f32x4_add(wasm_v128_load(acc + j), wasm_f32x4_mul(v, wasm_v128_load(w + j))));
  }
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int j = 0; j < 1024; j += 4) {
    const v128_t h = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(acc + j), wasm_v128_load(scale + j)), wasm_v128_load(b + j));
    wasm_v128_store(h_fc1 + j, wasm_f32x4_max(h, zero));
  }
}

// fc1's gradient with respect to h_pool2: g (flat) = Wq (flat x 1024) times g1 (1024: each unit's
// gradient times its column's scale, 0 where the unit is off)
EXPORT(fc1_back)
void fc1_back(const float *Wq, const float *g1, int flat, float *g) {
  for (int i = 0; i < flat; i++) g[i] = dot(Wq + i * 1024, g1, 1024);
}
