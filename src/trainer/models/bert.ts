// BERT (Devlin et al. 2019) in TensorFlow.js, ported from Hugging Face transformers' modeling_bert.py:
// embeddings (word + position + token type, LayerNorm), post-LN encoder layers with erf GELU, tanh pooler, and the
// sequence-classification and masked-LM heads (decoder tied to the word embeddings). TinyBERT and BERT-Tiny..Large
// differ only in config. Parameter names are the checkpoint's, so loading needs no rename table.
import * as tf from '@tensorflow/tfjs';
import type { HeadKind, HfModelConfig, ModelOptions } from './modelConfig';
import { labelNames } from './modelConfig';
import {
  LayerNorm,
  Linear,
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

const PREFIX = 'bert';

class BertEmbeddings {
  private readonly words: tf.Variable;
  private readonly positions: tf.Variable;
  private readonly tokenTypes: tf.Variable;
  private readonly norm: LayerNorm;

  constructor(
    params: Params,
    readonly config: HfModelConfig,
  ) {
    const p = `${PREFIX}.embeddings`;
    const std = config.initializer_range;
    this.words = params.create(
      `${p}.word_embeddings.weight`,
      [config.vocab_size, config.hidden_size],
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
    this.norm = new LayerNorm(params, `${p}.LayerNorm`, config.hidden_size, config.layer_norm_eps);
  }

  get wordEmbeddings(): tf.Variable {
    return this.words;
  }

  apply(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, options: ForwardOptions): tf.Tensor3D {
    const length = inputIds.shape[1];
    const words = embeddingLookup(this.words as tf.Tensor2D, inputIds); // [B, T] -> [B, T, D]
    const positions = this.positions.slice([0, 0], [length, -1]).expandDims(0); // [T, D] -> [1, T, D]
    const types = embeddingLookup(this.tokenTypes as tf.Tensor2D, tokenTypeIds); // [B, T] -> [B, T, D]
    const sum = tf.add(tf.add(words, positions), types);
    return dropout(
      this.norm.apply(sum),
      this.config.hidden_dropout_prob,
      options.training === true,
      options.seeds,
    ) as tf.Tensor3D;
  }
}

class BertLayer {
  private readonly query: Linear;
  private readonly key: Linear;
  private readonly value: Linear;
  private readonly attentionOutput: Linear;
  private readonly attentionNorm: LayerNorm;
  private readonly intermediate: Linear;
  private readonly output: Linear;
  private readonly outputNorm: LayerNorm;

  constructor(
    params: Params,
    index: number,
    readonly config: HfModelConfig,
  ) {
    const p = `${PREFIX}.encoder.layer.${index}`;
    const d = config.hidden_size;
    const std = config.initializer_range;
    this.query = new Linear(params, `${p}.attention.self.query`, d, d, std);
    this.key = new Linear(params, `${p}.attention.self.key`, d, d, std);
    this.value = new Linear(params, `${p}.attention.self.value`, d, d, std);
    this.attentionOutput = new Linear(params, `${p}.attention.output.dense`, d, d, std);
    this.attentionNorm = new LayerNorm(params, `${p}.attention.output.LayerNorm`, d, config.layer_norm_eps);
    this.intermediate = new Linear(params, `${p}.intermediate.dense`, d, config.intermediate_size, std);
    this.output = new Linear(params, `${p}.output.dense`, config.intermediate_size, d, std);
    this.outputNorm = new LayerNorm(params, `${p}.output.LayerNorm`, d, config.layer_norm_eps);
  }

  apply(
    x: tf.Tensor3D,
    mask: tf.Tensor2D | undefined,
    options: ForwardOptions,
  ): { output: tf.Tensor3D; probs: tf.Tensor4D; scores: tf.Tensor4D } {
    const heads = this.config.num_attention_heads;
    const training = options.training === true;
    const q = splitHeads(this.query.apply(x), heads); // [B, T, D] -> [B, H, T, Dh]
    const k = splitHeads(this.key.apply(x), heads);
    const v = splitHeads(this.value.apply(x), heads);
    const { context, probs, scores } = attention(
      q,
      k,
      v,
      mask,
      this.config.attention_probs_dropout_prob,
      options,
    );
    const attended = dropout(
      this.attentionOutput.apply(context),
      this.config.hidden_dropout_prob,
      training,
      options.seeds,
    );
    const h = this.attentionNorm.apply(tf.add(attended, x)); // post-LN residual
    const inner = activate(this.intermediate.apply(h), this.config.hidden_act); // [B, T, D] -> [B, T, I]
    const out = dropout(this.output.apply(inner), this.config.hidden_dropout_prob, training, options.seeds); // -> [B, T, D]
    return { output: this.outputNorm.apply(tf.add(out, h)) as tf.Tensor3D, probs, scores };
  }
}

/** BERT with an optional task head, and optionally the masked-LM head beside it. */
export class BertModel {
  readonly kind = 'bert';
  private readonly embeddings: BertEmbeddings;
  private readonly layers: BertLayer[];
  private readonly pooler: Linear | undefined;
  private readonly classifier: Linear | undefined;
  private readonly mlmTransform: Linear | undefined;
  private readonly mlmNorm: LayerNorm | undefined;
  private readonly mlmBias: tf.Variable | undefined;

  constructor(
    readonly params: Params,
    readonly config: HfModelConfig,
    readonly head: HeadKind,
    options: ModelOptions = {},
  ) {
    const d = config.hidden_size;
    const std = config.initializer_range;
    this.embeddings = new BertEmbeddings(params, config);
    this.layers = Array.from(
      { length: config.num_hidden_layers },
      (_, i) => new BertLayer(params, i, config),
    );
    const pooled = head !== 'masked-lm';
    this.pooler = pooled ? new Linear(params, `${PREFIX}.pooler.dense`, d, d, std) : undefined;
    if (head === 'sequence-classification') {
      this.classifier = new Linear(params, 'classifier', d, Math.max(1, labelNames(config).length), std);
    }
    // Created after the other heads, so adding it leaves their initialisation unchanged.
    if (head === 'masked-lm' || options.maskedLmHead === true) {
      this.mlmTransform = new Linear(params, 'cls.predictions.transform.dense', d, d, std);
      this.mlmNorm = new LayerNorm(params, 'cls.predictions.transform.LayerNorm', d, config.layer_norm_eps);
      this.mlmBias = params.create('cls.predictions.bias', [config.vocab_size], 'zeros');
    }
  }

  /** The word embedding table [vocab, hidden] (tied to the masked-LM decoder). */
  get wordEmbeddings(): tf.Variable {
    return this.embeddings.wordEmbeddings;
  }

  get hasMaskedLmHead(): boolean {
    return this.mlmTransform !== undefined;
  }

  /**
   * The masked-LM head (BertLMPredictionHead) on N final hidden states: dense, GELU, LayerNorm, then the decoder
   * tied to the word embeddings plus a bias. [N, D] -> [N, V]. Callers gather the positions they need first.
   */
  maskedLmLogits(hidden: tf.Tensor2D): tf.Tensor2D {
    if (this.mlmTransform === undefined || this.mlmNorm === undefined || this.mlmBias === undefined)
      throw new Error('this model has no masked-LM head');
    const t = this.mlmNorm.apply(activate(this.mlmTransform.apply(hidden), this.config.hidden_act)); // [N, D]
    return tf.add(matMul(t, tf.transpose(this.wordEmbeddings)), this.mlmBias) as tf.Tensor2D; // [N, D] x [D, V] -> [N, V]
  }

  forward(inputs: EncoderInputs, options: ForwardOptions = {}): ModelOutput {
    const tokenTypeIds = inputs.tokenTypeIds ?? tf.zerosLike(inputs.inputIds);
    const embedded = this.embeddings.apply(inputs.inputIds, tokenTypeIds, options);
    const result = runLayers(embedded, this.layers, inputs.attentionMask, options);
    const h = result.lastHiddenState;
    if (this.pooler !== undefined) {
      const first = h.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]); // [B, T, D] -> [B, D]
      result.pooledOutput = tf.tanh(this.pooler.apply(first)) as tf.Tensor2D;
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
