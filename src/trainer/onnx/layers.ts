// The ONNX counterparts of models/nn.ts, with the export precision decided here and nowhere else:
// - fp32: plain float32 graph.
// - fp16: weights and compute in float16; LayerNormalization (or its decomposition) and the masked Softmax run in
//   float32 between Casts, because a variance or an exp() in float16 overflows or loses the small terms.
// - int8: dynamic quantization of every Linear (see `linear`); everything else stays float32.
import { MASKED_SCORE, type Activation, type Params } from '../models/nn';
import type { GraphBuilder } from './graphBuilder';
import { DataType } from './onnxProto';
import { float16Bits, quantizePerColumn, toFloat16 } from './quantize';

export type Precision = 'fp32' | 'fp16' | 'int8';

/**
 * int8 weights use 7 bits ([-63, 63]), onnxruntime's `reduce_range`: on x86 CPUs without VNNI, MLAS multiplies
 * uint8 activations by int8 weights with vpmaddubsw, which saturates a pair sum above 32767; with |w| <= 63 the
 * sum (2 * 255 * 63 = 32130) always fits, so results do not depend on the CPU the model runs on. Measured on the
 * test fixtures on an AVX2 CPU: full-range [-127, 127] weights made the logit error 3-16x larger (0.06 -> 1.0 on
 * mobilebert-cls), more than the extra bit of weight precision gains back.
 */
export const INT8_WEIGHT_RANGE = 63;

export class LayerEmitter {
  /** Initializers already written, by checkpoint name: a tensor used twice (tied weights) is stored once. */
  private readonly written = new Map<string, string>();

  constructor(
    readonly g: GraphBuilder,
    private readonly params: Params,
    readonly precision: Precision,
    readonly opset: number,
  ) {}

  /** The element type activations flow in. */
  get computeType(): typeof DataType.FLOAT | typeof DataType.FLOAT16 {
    return this.precision === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
  }

  /** A checkpoint tensor by its Hugging Face name. */
  read(name: string): { data: Float32Array; shape: number[] } {
    const variable = this.params.get(name);
    if (variable === undefined) throw new Error(`the model has no parameter ${name}`);
    return { data: variable.dataSync() as Float32Array, shape: [...variable.shape] };
  }

  /** A float initializer in the compute precision (or float32 when `keep32`). */
  floatTensor(name: string, data: Float32Array, dims: readonly number[], keep32 = false): string {
    if (this.precision === 'fp16' && !keep32)
      return this.g.initializer(name, DataType.FLOAT16, dims, toFloat16(data));
    return this.g.initializer(name, DataType.FLOAT, dims, data);
  }

  /** A checkpoint tensor as an initializer, unchanged. */
  weight(name: string, keep32 = false): string {
    const key = `${name}:${keep32 ? 'f32' : this.precision}`;
    let written = this.written.get(key);
    if (written === undefined) {
      const { data, shape } = this.read(name);
      written = this.floatTensor(name, data, shape, keep32);
      this.written.set(key, written);
    }
    return written;
  }

  /** A scalar in the compute precision. */
  scalar(value: number): string {
    return this.g.floatScalar(value, this.computeType, float16Bits(value));
  }

  /** Float16 activations -> float32 (no-op in the other precisions). */
  toFloat32(x: string): string {
    return this.precision === 'fp16' ? this.g.op('Cast', [x], { to: { i: DataType.FLOAT } }) : x;
  }

  /** Float32 -> the compute precision. */
  fromFloat32(x: string): string {
    return this.precision === 'fp16' ? this.g.op('Cast', [x], { to: { i: DataType.FLOAT16 } }) : x;
  }

  /** `x @ W^T + b` with W [out, in] from the checkpoint, stored transposed once as [in, out]. */
  linear(x: string, prefix: string, withBias = true): string {
    const { data, shape } = this.read(`${prefix}.weight`);
    const [outFeatures = 0, inFeatures = 0] = shape;
    const transposed = new Float32Array(data.length);
    for (let o = 0; o < outFeatures; o++)
      for (let i = 0; i < inFeatures; i++) transposed[i * outFeatures + o] = data[o * inFeatures + i] ?? 0;
    let y: string;
    if (this.precision === 'int8') {
      // Dynamic quantization as onnxruntime's quantize_dynamic writes it, so its CPU graph optimiser fuses the
      // chain into one DynamicQuantizeMatMul (u8 activations quantized per call, s8 weights, int32 accumulation):
      // DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(a_scale * b_scale). All four are standard ONNX ops,
      // so onnx.checker accepts the file. (DequantizeLinear + MatMul would only shrink the file: the MatMul stays
      // float32 and is no faster.)
      const q = quantizePerColumn(transposed, inFeatures, outFeatures, INT8_WEIGHT_RANGE);
      const weight = this.g.initializer(
        `${prefix}.weight.int8`,
        DataType.INT8,
        [inFeatures, outFeatures],
        q.values,
      );
      const scales = this.g.initializer(`${prefix}.weight.scale`, DataType.FLOAT, [outFeatures], q.scales);
      const [xq = '', xScale = '', xZero = ''] = this.g.opN('DynamicQuantizeLinear', [x], 3); // [..., in] -> uint8
      const product = this.g.op('MatMulInteger', [xq, weight, xZero]); // [..., in] x [in, out] -> int32 [..., out]
      const scale = this.g.op('Mul', [xScale, scales]); // [out]
      y = this.g.op('Mul', [this.g.op('Cast', [product], { to: { i: DataType.FLOAT } }), scale]);
    } else {
      const weight = this.floatTensor(`${prefix}.weight.T`, transposed, [inFeatures, outFeatures]);
      y = this.g.op('MatMul', [x, weight]); // [..., in] x [in, out] -> [..., out]
    }
    return withBias ? this.g.op('Add', [y, this.weight(`${prefix}.bias`)]) : y;
  }

  /** torch.nn.LayerNorm over the last axis (biased variance), computed in float32. */
  layerNorm(x: string, prefix: string, eps: number): string {
    const scale = this.weight(`${prefix}.weight`, true);
    const bias = this.weight(`${prefix}.bias`, true);
    const x32 = this.toFloat32(x);
    let y: string;
    if (this.opset >= 17) {
      y = this.g.op('LayerNormalization', [x32, scale, bias], { axis: { i: -1 }, epsilon: { f: eps } });
    } else {
      // LayerNormalization arrived in opset 17; before it, the same arithmetic as nn.ts LayerNorm.
      const mean = (t: string): string =>
        this.g.op('ReduceMean', [t], { axes: { ints: [-1] }, keepdims: { i: 1 } });
      const centred = this.g.op('Sub', [x32, mean(x32)]);
      const variance = mean(this.g.op('Mul', [centred, centred]));
      const std = this.g.op('Sqrt', [this.g.op('Add', [variance, this.g.floatScalar(eps, DataType.FLOAT)])]);
      y = this.g.op('Add', [this.g.op('Mul', [this.g.op('Div', [centred, std]), scale]), bias]);
    }
    return this.fromFloat32(y);
  }

  /** MobileBERT's NoNorm: x * weight + bias. */
  noNorm(x: string, prefix: string): string {
    return this.g.op('Add', [
      this.g.op('Mul', [x, this.weight(`${prefix}.weight`)]),
      this.weight(`${prefix}.bias`),
    ]);
  }

  /** Activations by Hugging Face name, written as nn.ts `activate` computes them. */
  activation(x: string, name: Activation): string {
    const g = this.g;
    switch (name) {
      case 'gelu': {
        // x * 0.5 * (1 + erf(x / sqrt(2))); onnxruntime fuses this chain into one Gelu kernel.
        const erf = g.op('Erf', [g.op('Div', [x, this.scalar(Math.SQRT2)])]);
        return g.op('Mul', [g.op('Mul', [x, this.scalar(0.5)]), g.op('Add', [erf, this.scalar(1)])]);
      }
      case 'gelu_new':
      case 'gelu_pytorch_tanh': {
        const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
        const inner = g.op('Add', [x, g.op('Mul', [cube, this.scalar(0.044715)])]);
        const tanh = g.op('Tanh', [g.op('Mul', [inner, this.scalar(Math.sqrt(2 / Math.PI))])]);
        return g.op('Mul', [g.op('Mul', [x, this.scalar(0.5)]), g.op('Add', [tanh, this.scalar(1)])]);
      }
      case 'relu':
        return g.op('Relu', [x]);
      case 'tanh':
        return g.op('Tanh', [x]);
    }
  }

  /** Rows of a [V, D] table for int64 ids [B, T] -> [B, T, D]. */
  embedding(tableName: string, ids: string): string {
    return this.g.op('Gather', [this.weight(tableName), ids], { axis: { i: 0 } });
  }

  /** The first `length` rows of the [P, D] position table -> [T, D]; `length` is a 1-D int64 [1]. */
  positions(tableName: string, length: string): string {
    return this.g.op('Slice', [this.weight(tableName), this.g.int64s([0]), length, this.g.int64s([0])]);
  }

  /** The additive attention mask from int64 attention_mask [B, T]: 0 to attend, MASKED_SCORE not -> [B, 1, 1, T]. */
  additiveMask(attentionMask: string): string {
    const g = this.g;
    const keep = g.op('Cast', [attentionMask], { to: { i: DataType.FLOAT } });
    const dropped = g.op('Sub', [g.floatScalar(1, DataType.FLOAT), keep]);
    const additive = g.op('Mul', [dropped, g.floatScalar(MASKED_SCORE, DataType.FLOAT)]);
    return g.op('Unsqueeze', [additive, g.int64s([1, 2])]); // [B, T] -> [B, 1, 1, T]
  }

  /**
   * Scaled dot-product attention (nn.ts `attention`). q, k, v: [B, T, H * Dh]; mask: [B, 1, 1, T] float32.
   * Returns the context [B, T, H * Dh] and the probabilities [B, H, T, T] (float32 in every precision).
   */
  attention(
    q: string,
    k: string,
    v: string,
    mask: string,
    heads: number,
    width: number,
  ): { context: string; probs: string } {
    const g = this.g;
    const headSize = width / heads;
    const split = g.int64s([0, 0, heads, headSize]);
    const heads4 = (t: string, perm: number[]): string =>
      g.op('Transpose', [g.op('Reshape', [t, split])], { perm: { ints: perm } }); // [B, T, W] -> [B, T, H, Dh] -> perm
    const query = heads4(q, [0, 2, 1, 3]); // -> [B, H, T, Dh]
    const keyT = heads4(k, [0, 2, 3, 1]); // -> [B, H, Dh, T]
    const value = heads4(v, [0, 2, 1, 3]); // -> [B, H, T, Dh]
    const raw = g.op('MatMul', [query, keyT]); // [B, H, T, Dh] x [B, H, Dh, T] -> [B, H, T, T]
    const scores = this.toFloat32(g.op('Mul', [raw, this.scalar(1 / Math.sqrt(headSize))]));
    const probs = g.op('Softmax', [g.op('Add', [scores, mask])], { axis: { i: -1 } });
    const context = g.op('MatMul', [this.fromFloat32(probs), value]); // [B, H, T, T] x [B, H, T, Dh] -> [B, H, T, Dh]
    const merged = g.op('Transpose', [context], { perm: { ints: [0, 2, 1, 3] } }); // -> [B, T, H, Dh]
    return { context: g.op('Reshape', [merged, g.int64s([0, 0, width])]), probs }; // -> [B, T, H * Dh]
  }
}
