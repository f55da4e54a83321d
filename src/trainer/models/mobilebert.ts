// MobileBERT (Sun et al. 2020) in TensorFlow.js, ported layer for layer from Hugging Face transformers'
// modeling_mobilebert.py: trigram embeddings projected to hidden_size, bottlenecks around each block (optionally a
// shared key/query bottleneck, or attention entirely in the bottleneck), stacked FFNs, NoNorm or LayerNorm, and the
// classification and masked-LM heads. Where HF builds a norm without passing eps, torch's default 1e-5 applies;
// that is kept here on purpose for numerical parity.
import * as tf from '@tensorflow/tfjs';
import type { HeadKind, HfModelConfig, ModelOptions } from './modelConfig';
import { labelNames, trueHiddenSize } from './modelConfig';
import {
  LayerNorm,
  Linear,
  NoNorm,
  activate,
  attention,
  dropout,
  embeddingLookup,
  matMul,
  runLayers,
  splitHeads,
  type EncoderInputs,
  type ForwardOptions,
  type ModelOutput,
  type Params,
} from './nn';

const PREFIX = 'mobilebert';
const TORCH_DEFAULT_EPS = 1e-5;

type Norm = LayerNorm | NoNorm;

function norm(
  params: Params,
  prefix: string,
  size: number,
  config: HfModelConfig,
  eps = config.layer_norm_eps,
): Norm {
  return config.normalization_type === 'no_norm'
    ? new NoNorm(params, prefix, size)
    : new LayerNorm(params, prefix, size, eps);
}

class MobileBertEmbeddings {
  readonly words: tf.Variable;
  private readonly positions: tf.Variable;
  private readonly tokenTypes: tf.Variable;
  private readonly transformation: Linear;
  private readonly norm: Norm;

  constructor(
    params: Params,
    readonly config: HfModelConfig,
  ) {
    const p = `${PREFIX}.embeddings`;
    const std = config.initializer_range;
    this.words = params.create(
      `${p}.word_embeddings.weight`,
      [config.vocab_size, config.embedding_size],
      'normal',
      std,
    );
    this.positions = params.create(
      `${p}.position_embeddings.weight`,
      [config.max_position_embeddings, config.hidden_size],
      'normal',
      std,
    );
    this.tokenTypes = params.create(
      `${p}.token_type_embeddings.weight`,
      [config.type_vocab_size, config.hidden_size],
      'normal',
      std,
    );
    const inputWidth = config.embedding_size * (config.trigram_input ? 3 : 1);
    this.transformation = new Linear(
      params,
      `${p}.embedding_transformation`,
      inputWidth,
      config.hidden_size,
      std,
    );
    this.norm = norm(params, `${p}.LayerNorm`, config.hidden_size, config, TORCH_DEFAULT_EPS);
  }

  apply(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, options: ForwardOptions): tf.Tensor3D {
    const [batch, length] = inputIds.shape;
    let x = embeddingLookup(this.words as tf.Tensor2D, inputIds); // [B, T] -> [B, T, E]
    if (this.config.trigram_input) {
      // Each position sees its right neighbour, itself and its left neighbour: [B, T, E] -> [B, T, 3E]
      const width = this.config.embedding_size;
      const zero = tf.zeros([batch, 1, width]);
      const next = tf.concat([x.slice([0, 1, 0], [-1, length - 1, -1]), zero], 1);
      const previous = tf.concat([zero, x.slice([0, 0, 0], [-1, length - 1, -1])], 1);
      x = tf.concat([next, x, previous], 2);
    }
    if (this.config.trigram_input || this.config.embedding_size !== this.config.hidden_size) {
      x = this.transformation.apply(x); // [B, T, 3E] -> [B, T, D]
    }
    const positions = this.positions.slice([0, 0], [length, -1]).expandDims(0); // [T, D] -> [1, T, D]
    const types = embeddingLookup(this.tokenTypes as tf.Tensor2D, tokenTypeIds); // [B, T] -> [B, T, D]
    const sum = this.norm.apply(tf.add(tf.add(x, positions), types));
    return dropout(
      sum,
      this.config.hidden_dropout_prob,
      options.training === true,
      options.seeds,
    ) as tf.Tensor3D;
  }
}

/** A dense map followed by a norm: the bottleneck in and shared key/query maps. */
class DenseNorm {
  private readonly dense: Linear;
  private readonly norm: Norm;

  constructor(
    params: Params,
    prefix: string,
    inWidth: number,
    outWidth: number,
    config: HfModelConfig,
    eps?: number,
  ) {
    this.dense = new Linear(params, `${prefix}.dense`, inWidth, outWidth, config.initializer_range);
    this.norm = norm(params, `${prefix}.LayerNorm`, outWidth, config, eps);
  }

  /** norm(dense(x) [+ residual]) */
  apply(x: tf.Tensor, residual?: tf.Tensor, beforeNorm?: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
    let y = this.dense.apply(x);
    if (beforeNorm) y = beforeNorm(y);
    return this.norm.apply(residual === undefined ? y : tf.add(y, residual));
  }
}

class MobileBertLayer {
  private readonly query: Linear;
  private readonly key: Linear;
  private readonly value: Linear;
  private readonly attentionOutput: DenseNorm;
  private readonly intermediate: Linear;
  private readonly output: DenseNorm;
  private readonly outputBottleneck: DenseNorm | undefined;
  private readonly bottleneckInput: DenseNorm | undefined;
  private readonly bottleneckAttention: DenseNorm | undefined;
  private readonly ffns: { intermediate: Linear; output: DenseNorm }[];

  constructor(
    params: Params,
    index: number,
    readonly config: HfModelConfig,
  ) {
    const p = `${PREFIX}.encoder.layer.${index}`;
    const d = config.hidden_size;
    const t = trueHiddenSize(config);
    const i = config.intermediate_size;
    const std = config.initializer_range;
    this.query = new Linear(params, `${p}.attention.self.query`, t, t, std);
    this.key = new Linear(params, `${p}.attention.self.key`, t, t, std);
    this.value = new Linear(
      params,
      `${p}.attention.self.value`,
      config.use_bottleneck_attention ? t : d,
      t,
      std,
    );
    this.attentionOutput = new DenseNorm(params, `${p}.attention.output`, t, t, config);
    this.intermediate = new Linear(params, `${p}.intermediate.dense`, t, i, std);
    this.output = new DenseNorm(params, `${p}.output`, i, t, config, TORCH_DEFAULT_EPS);
    if (config.use_bottleneck) {
      this.outputBottleneck = new DenseNorm(params, `${p}.output.bottleneck`, t, d, config);
      this.bottleneckInput = new DenseNorm(
        params,
        `${p}.bottleneck.input`,
        d,
        config.intra_bottleneck_size,
        config,
      );
      if (config.key_query_shared_bottleneck) {
        this.bottleneckAttention = new DenseNorm(
          params,
          `${p}.bottleneck.attention`,
          d,
          config.intra_bottleneck_size,
          config,
        );
      }
    }
    this.ffns = Array.from({ length: Math.max(0, config.num_feedforward_networks - 1) }, (_, j) => ({
      intermediate: new Linear(params, `${p}.ffn.${j}.intermediate.dense`, t, i, std),
      output: new DenseNorm(params, `${p}.ffn.${j}.output`, i, t, config),
    }));
  }

  apply(
    x: tf.Tensor3D,
    mask: tf.Tensor2D | undefined,
    options: ForwardOptions,
  ): { output: tf.Tensor3D; probs: tf.Tensor4D; scores: tf.Tensor4D } {
    const config = this.config;
    const training = options.training === true;
    const drop = (t: tf.Tensor): tf.Tensor => dropout(t, config.hidden_dropout_prob, training, options.seeds);
    // Bottleneck: which tensors feed query, key, value, and the block's residual path ([B, T, D] -> [B, T, t]).
    let queryIn: tf.Tensor = x;
    let keyIn: tf.Tensor = x;
    let valueIn: tf.Tensor = x;
    let layerInput: tf.Tensor = x;
    if (this.bottleneckInput !== undefined) {
      layerInput = this.bottleneckInput.apply(x);
      if (config.use_bottleneck_attention) {
        queryIn = keyIn = valueIn = layerInput;
      } else if (this.bottleneckAttention !== undefined) {
        queryIn = keyIn = this.bottleneckAttention.apply(x);
      }
    }
    const heads = config.num_attention_heads;
    const q = splitHeads(this.query.apply(queryIn), heads); // [B, T, t] -> [B, H, T, t/H]
    const k = splitHeads(this.key.apply(keyIn), heads);
    const v = splitHeads(this.value.apply(valueIn), heads);
    const { context, probs, scores } = attention(q, k, v, mask, config.attention_probs_dropout_prob, options);
    const useBottleneck = config.use_bottleneck;
    let h = this.attentionOutput.apply(context, layerInput, useBottleneck ? undefined : drop); // [B, T, t]
    for (const ffn of this.ffns) {
      h = ffn.output.apply(activate(ffn.intermediate.apply(h), config.hidden_act), h); // stacked FFN, residual
    }
    const inner = activate(this.intermediate.apply(h), config.hidden_act); // [B, T, t] -> [B, T, I]
    let out = this.output.apply(inner, h, useBottleneck ? undefined : drop); // [B, T, I] -> [B, T, t]
    if (this.outputBottleneck !== undefined) out = this.outputBottleneck.apply(out, x, drop); // [B, T, t] -> [B, T, D]
    return { output: out as tf.Tensor3D, probs, scores };
  }
}

/** MobileBERT with an optional task head, and optionally the masked-LM head beside it. */
export class MobileBertModel {
  readonly kind = 'mobilebert';
  private readonly embeddings: MobileBertEmbeddings;
  private readonly layers: MobileBertLayer[];
  private readonly pooler: Linear | undefined;
  private readonly classifier: Linear | undefined;
  private readonly mlmTransform: DenseNorm | undefined;
  private readonly mlmDense: tf.Variable | undefined;
  private readonly mlmBias: tf.Variable | undefined;

  constructor(
    readonly params: Params,
    readonly config: HfModelConfig,
    readonly head: HeadKind,
    options: ModelOptions = {},
  ) {
    const d = config.hidden_size;
    const std = config.initializer_range;
    this.embeddings = new MobileBertEmbeddings(params, config);
    this.layers = Array.from(
      { length: config.num_hidden_layers },
      (_, i) => new MobileBertLayer(params, i, config),
    );
    if (head !== 'masked-lm' && config.classifier_activation)
      this.pooler = new Linear(params, `${PREFIX}.pooler.dense`, d, d, std);
    if (head === 'sequence-classification') {
      this.classifier = new Linear(params, 'classifier', d, Math.max(1, labelNames(config).length), std);
    }
    // Created after the other heads, so adding it leaves their initialisation unchanged.
    if (head === 'masked-lm' || options.maskedLmHead === true) {
      // The transform always uses LayerNorm, whatever normalization_type says (as in HF).
      this.mlmTransform = new DenseNorm(params, 'cls.predictions.transform', d, d, {
        ...config,
        normalization_type: 'layer_norm',
      });
      // The decoder is tied to the word embeddings, which are only embedding_size wide: HF's extra `dense` rows
      // ([hidden - embedding, vocab], untied, trained) make up the rest of the hidden width.
      this.mlmDense = params.create(
        'cls.predictions.dense.weight',
        [d - config.embedding_size, config.vocab_size],
        'normal',
        std,
      );
      this.mlmBias = params.create('cls.predictions.bias', [config.vocab_size], 'zeros');
    }
  }

  /** The word embedding table [vocab, embedding_size] (tied to the masked-LM decoder). */
  get wordEmbeddings(): tf.Variable {
    return this.embeddings.words;
  }

  get hasMaskedLmHead(): boolean {
    return this.mlmTransform !== undefined;
  }

  /**
   * The masked-LM head (MobileBertLMPredictionHead) on N final hidden states: dense, activation, LayerNorm, then
   * the decoder [word embeddings^T; dense] ([E + (D - E), V]) plus a bias. [N, D] -> [N, V].
   */
  maskedLmLogits(hidden: tf.Tensor2D): tf.Tensor2D {
    if (this.mlmTransform === undefined || this.mlmDense === undefined || this.mlmBias === undefined)
      throw new Error('this model has no masked-LM head');
    const t = this.mlmTransform.apply(hidden, undefined, (y) => activate(y, this.config.hidden_act)); // [N, D]
    const tied = this.wordEmbeddings.transpose(); // [V, E] -> [E, V]
    const decoder = this.mlmDense.shape[0] === 0 ? tied : tf.concat([tied, this.mlmDense], 0); // -> [D, V]
    return tf.add(matMul(t, decoder), this.mlmBias) as tf.Tensor2D; // [N, D] x [D, V] -> [N, V]
  }

  forward(inputs: EncoderInputs, options: ForwardOptions = {}): ModelOutput {
    const tokenTypeIds = inputs.tokenTypeIds ?? tf.zerosLike(inputs.inputIds);
    const embedded = this.embeddings.apply(inputs.inputIds, tokenTypeIds, options);
    const result = runLayers(embedded, this.layers, inputs.attentionMask, options);
    const h = result.lastHiddenState;
    if (this.head !== 'masked-lm') {
      const first = h.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D; // [B, T, D] -> [B, D]
      result.pooledOutput =
        this.pooler !== undefined ? (tf.tanh(this.pooler.apply(first)) as tf.Tensor2D) : first;
    }
    if (options.outputLogits === false) return result;
    if (this.classifier !== undefined && result.pooledOutput !== undefined) {
      const rate = this.config.classifier_dropout ?? this.config.hidden_dropout_prob;
      result.logits = this.classifier.apply(
        dropout(result.pooledOutput, rate, options.training === true, options.seeds),
      ); // -> [B, L]
    }
    if (this.head === 'masked-lm') {
      const flat = h.reshape([-1, this.config.hidden_size]) as tf.Tensor2D; // [B, T, D] -> [B*T, D]
      const scores = this.maskedLmLogits(flat); // [B*T, V]
      result.logits = scores.reshape([h.shape[0], h.shape[1], this.config.vocab_size]); // -> [B, T, V]
    }
    return result;
  }
}
