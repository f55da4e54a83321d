// Building blocks shared unchanged by BERT and MobileBERT: a named parameter store, Linear (weights kept in
// PyTorch's [out, in] layout so checkpoints load without transposes), LayerNorm, NoNorm, embedding lookup with a
// gradient that works on every backend, activations and seeded dropout.
import * as tf from '@tensorflow/tfjs';

// TensorFlow.js variable names are global; a counter keeps two models' variables apart.
let variableCounter = 0;

/** Variables by their Hugging Face checkpoint name, e.g. `bert.encoder.layer.0.attention.self.query.weight`. */
export class Params {
  private readonly variables = new Map<string, tf.Variable>();

  constructor(private readonly seeds: SeedStream) {}

  /** Creates (once) a float32 variable; `init` runs with a seed drawn from the stream, so runs are reproducible. */
  create(name: string, shape: number[], init: 'normal' | 'zeros' | 'ones', std = 0.02): tf.Variable {
    if (this.variables.has(name)) throw new Error(`parameter ${name} created twice`);
    const seed = this.seeds.next();
    const value =
      init === 'zeros'
        ? tf.zeros(shape)
        : init === 'ones'
          ? tf.ones(shape)
          : tf.randomNormal(shape, 0, std, 'float32', seed);
    const variable = tf.variable(
      value,
      true,
      `${name.replace(/[^A-Za-z0-9_.\-/]/g, '_')}_${++variableCounter}`,
    );
    value.dispose();
    this.variables.set(name, variable);
    return variable;
  }

  get(name: string): tf.Variable | undefined {
    return this.variables.get(name);
  }

  names(): string[] {
    return [...this.variables.keys()];
  }

  entries(): [string, tf.Variable][] {
    return [...this.variables.entries()];
  }

  /** Total number of scalars. */
  count(): number {
    let total = 0;
    for (const v of this.variables.values()) total += v.size;
    return total;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

/**
 * A deterministic mulberry32 stream: small, fast, and its whole state is one 32-bit integer. `next()` gives seeds
 * for random initialisation and dropout calls, `nextUnit()` numbers in [0, 1) for shuffling.
 */
export class SeedStream {
  constructor(private state: number) {}

  private nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  next(): number {
    return this.nextUint32() % 2147483647;
  }

  nextUnit(): number {
    return this.nextUint32() / 4294967296;
  }

  /** The whole state: `new SeedStream(s.snapshot())` continues exactly where `s` is (saved in checkpoints). */
  snapshot(): number {
    return this.state;
  }
}

/** Swaps the last two axes. */
function swapLast(t: tf.Tensor): tf.Tensor {
  const axes = t.shape.map((_, i) => i);
  const n = axes.length;
  [axes[n - 2], axes[n - 1]] = [axes[n - 1] as number, axes[n - 2] as number];
  return tf.transpose(t, axes);
}

/**
 * a x b (rank 2, or batched rank 4) whose gradient avoids matMul's transposeA/transposeB flags: on the wasm
 * backend those kernels are ~13x slower than an explicit transpose followed by a plain product (measured here:
 * 1224 ms vs 95 ms for [1280, 256] x [1024, 256]^T), and tf.matMul's own gradient uses them.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const product = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy;
        const [sx, sy] = saved as [tf.Tensor, tf.Tensor];
        return [tf.matMul(g, swapLast(sy)), tf.matMul(swapLast(sx), g)];
      },
    };
  });
  return product(a, b);
}

/** `x @ W^T + b` for x of shape [..., in] and W of shape [out, in] (PyTorch layout). */
export function linear(x: tf.Tensor, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  const inFeatures = x.shape[x.shape.length - 1] ?? 0;
  const outFeatures = weight.shape[0];
  const lead = x.shape.slice(0, -1);
  const flat = x.reshape([-1, inFeatures]); // [..., in] -> [N, in]
  let y: tf.Tensor = matMul(flat, tf.transpose(weight)); // [N, in] x [in, out] -> [N, out]
  if (bias !== undefined) y = tf.add(y, bias);
  return y.reshape([...lead, outFeatures]); // [N, out] -> [..., out]
}

/** A Linear layer whose parameters live in `params` under `<prefix>.weight` / `<prefix>.bias`. */
export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(
    params: Params,
    prefix: string,
    inFeatures: number,
    outFeatures: number,
    std: number,
    withBias = true,
  ) {
    this.weight = params.create(`${prefix}.weight`, [outFeatures, inFeatures], 'normal', std);
    this.bias = withBias ? params.create(`${prefix}.bias`, [outFeatures], 'zeros') : undefined;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return linear(x, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D | undefined);
  }
}

/** LayerNorm over the last axis, as torch.nn.LayerNorm (biased variance). */
export class LayerNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    params: Params,
    prefix: string,
    size: number,
    readonly eps: number,
  ) {
    this.weight = params.create(`${prefix}.weight`, [size], 'ones');
    this.bias = params.create(`${prefix}.bias`, [size], 'zeros');
  }

  apply(x: tf.Tensor): tf.Tensor {
    const axis = x.shape.length - 1;
    const { mean, variance } = tf.moments(x, axis, true);
    const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(normalised, this.weight), this.bias);
  }
}

/** MobileBERT's NoNorm: an element-wise affine map (x * weight + bias), cheaper than LayerNorm on phones. */
export class NoNorm {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;

  constructor(params: Params, prefix: string, size: number) {
    this.weight = params.create(`${prefix}.weight`, [size], 'ones');
    this.bias = params.create(`${prefix}.bias`, [size], 'zeros');
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.mul(x, this.weight), this.bias);
  }
}

export type Activation = 'gelu' | 'relu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'tanh';

/** Activations by Hugging Face name. `gelu` is the exact erf form, as in BERT and HF's ACT2FN["gelu"]. */
export function activate(x: tf.Tensor, name: Activation): tf.Tensor {
  switch (name) {
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    case 'gelu_new':
    case 'gelu_pytorch_tanh': {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
    }
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
  }
}

/**
 * Embedding lookup. The forward is a gather; the gradient is a scatter-add written with scatterND, because the
 * WebAssembly backend lacks UnsortedSegmentSum, which tf.gather's own gradient needs.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, i, save] = args as [tf.Tensor2D, tf.Tensor, tf.GradSaveFunc];
    save([i]);
    return {
      value: tf.gather(t, i), // [V, D] gathered by ids [...] -> [..., D]
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const upstream = Array.isArray(dy) ? dy[0] : dy;
        const [savedIds] = saved;
        if (upstream === undefined || savedIds === undefined)
          throw new Error('embedding gradient lost its inputs');
        const flatIds = savedIds.reshape([-1, 1]); // [...] -> [N, 1]
        const flatDy = upstream.reshape([-1, t.shape[1] ?? 0]); // [..., D] -> [N, D]
        return [tf.scatterND(flatIds, flatDy, t.shape), tf.zerosLike(savedIds)];
      },
    };
  });
  return lookup(table, ids);
}

/** Inverted dropout; identity unless training. */
export function dropout(
  x: tf.Tensor,
  rate: number,
  training: boolean,
  seeds: SeedStream | undefined,
): tf.Tensor {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, seeds?.next());
}

/** Score given to masked key positions before the softmax, so masked entries are exactly identifiable. */
export const MASKED_SCORE = -1e9;

/** Options for every forward pass. Extra outputs are computed only when asked for. */
export interface ForwardOptions {
  /** Return the embedding output and every layer's output. */
  outputHiddenStates?: boolean;
  /** Return every layer's attention probabilities [B, H, T, T]. */
  outputAttentions?: boolean;
  /** Return every layer's pre-softmax scores [B, H, T, T], masked keys set to MASKED_SCORE. */
  outputAttentionScores?: boolean;
  /**
   * Compute the head's logits (default true). False returns encoder outputs only, e.g. to gather a few positions
   * before a masked-LM head instead of projecting every position onto the vocabulary.
   */
  outputLogits?: boolean;
  /** Dropout on; needs `seeds` for reproducibility. */
  training?: boolean;
  seeds?: SeedStream;
}

/** Inputs as int32 tensors of shape [B, T]. */
export interface EncoderInputs {
  inputIds: tf.Tensor2D;
  attentionMask?: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D;
}

/** One output record for every model and head. */
export interface ModelOutput {
  /** [B, T, hidden] */
  lastHiddenState: tf.Tensor3D;
  /** [B, hidden] after the pooler. */
  pooledOutput?: tf.Tensor2D;
  /** layers + 1 tensors [B, T, hidden]: the embedding output, then each layer's output. */
  hiddenStates?: tf.Tensor3D[];
  /** one [B, H, T, T] per layer */
  attentions?: tf.Tensor4D[];
  /** one [B, H, T, T] per layer, before softmax */
  attentionScores?: tf.Tensor4D[];
  /** [B, labels] for classification, [B, T, vocab] for masked LM */
  logits?: tf.Tensor;
}

/**
 * Scaled dot-product attention with the padding mask. q, k, v: [B, H, T, Dh]; mask: [B, T] (1 = attend).
 * Returns the context [B, T, H * Dh], the probabilities and, when asked, the masked pre-softmax scores.
 */
export function attention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor2D | undefined,
  probsDropout: number,
  options: ForwardOptions,
): { context: tf.Tensor3D; probs: tf.Tensor4D; scores: tf.Tensor4D } {
  const [batch, heads, length, headSize] = q.shape;
  const kT = k.transpose([0, 1, 3, 2]); // [B, H, T, Dh] -> [B, H, Dh, T]
  let scores = tf.mul(matMul(q, kT), 1 / Math.sqrt(headSize)) as tf.Tensor4D; // [B,H,T,Dh] x [B,H,Dh,T] -> [B,H,T,T]
  if (mask !== undefined) {
    // scores * keep + (1 - keep) * MASKED_SCORE: masked keys become exactly MASKED_SCORE, the rest stay exact.
    // Arithmetic rather than tf.where, which is ~25x slower on wasm.
    const keep = tf.cast(mask, 'float32').reshape([batch, 1, 1, length]); // [B, T] -> [B, 1, 1, T]
    scores = tf.add(tf.mul(scores, keep), tf.mul(tf.sub(1, keep), MASKED_SCORE)) as tf.Tensor4D;
  }
  const probs = tf.softmax(scores, -1) as tf.Tensor4D;
  const dropped = dropout(probs, probsDropout, options.training === true, options.seeds) as tf.Tensor4D;
  const context = matMul(dropped, v); // [B,H,T,T] x [B,H,T,Dh] -> [B,H,T,Dh]
  const merged = context.transpose([0, 2, 1, 3]).reshape([batch, length, heads * headSize]) as tf.Tensor3D; // -> [B,T,H*Dh]
  return { context: merged, probs, scores };
}

/** One encoder layer as both architectures implement it. */
export interface EncoderLayer {
  apply(
    x: tf.Tensor3D,
    mask: tf.Tensor2D | undefined,
    options: ForwardOptions,
  ): { output: tf.Tensor3D; probs: tf.Tensor4D; scores: tf.Tensor4D };
}

/** Runs the layers over the embedding output, collecting hidden states and attention only when asked for. */
export function runLayers(
  embedded: tf.Tensor3D,
  layers: readonly EncoderLayer[],
  mask: tf.Tensor2D | undefined,
  options: ForwardOptions,
): ModelOutput {
  let h = embedded;
  const hiddenStates = options.outputHiddenStates === true ? [h] : undefined;
  const attentions = options.outputAttentions === true ? ([] as tf.Tensor4D[]) : undefined;
  const attentionScores = options.outputAttentionScores === true ? ([] as tf.Tensor4D[]) : undefined;
  for (const layer of layers) {
    const input = h;
    // Each layer in its own scope: only its output (and the maps asked for) outlive it, so its [B, T, I]
    // activations and unrequested [B, H, T, T] maps are freed as it ends. Without this a BERT-base teacher at
    // batch 16 x 128 holds every intermediate of every layer at once and overflows the wasm backend's 4 GiB heap.
    // Gradients are unaffected: the engine keeps its own copies of what backprop needs.
    const { output, probs, scores } = tf.tidy(() => {
      const r = layer.apply(input, mask, options);
      return {
        output: r.output,
        ...(attentions !== undefined ? { probs: r.probs } : {}),
        ...(attentionScores !== undefined ? { scores: r.scores } : {}),
      };
    });
    h = output;
    hiddenStates?.push(h);
    if (probs !== undefined) attentions?.push(probs);
    if (scores !== undefined) attentionScores?.push(scores);
  }
  const result: ModelOutput = { lastHiddenState: h };
  if (hiddenStates) result.hiddenStates = hiddenStates;
  if (attentions) result.attentions = attentions;
  if (attentionScores) result.attentionScores = attentionScores;
  return result;
}

/** [B, T, H * Dh] -> [B, H, T, Dh] */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [batch, length, width] = x.shape as [number, number, number];
  return x.reshape([batch, length, heads, width / heads]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
}

/** Runs `fn` in a tensor scope and frees every tensor it made; for code that returns plain values read back. */
export function scoped<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}
