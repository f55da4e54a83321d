// BERT as an ONNX graph, op for op as models/bert.ts computes it: word + position + token-type embeddings and
// LayerNorm, post-LN encoder layers, tanh pooler, classifier, and the masked-LM head whose decoder is the word
// embedding table itself (a Transpose node over the same initializer keeps the tie; onnxruntime folds it at load).
import type { BertModel } from '../models/bert';
import type { LayerEmitter } from './layers';

/** Graph values every architecture starts from. */
export interface GraphInputs {
  /** int64 [B, T] */
  inputIds: string;
  /** int64 [B, T] */
  tokenTypeIds: string;
  /** float32 [B, 1, 1, T]: 0 where attended, a large negative where padded. */
  mask: string;
  /** int64 [1]: T, for slicing the position table. */
  length: string;
}

/** Graph values an architecture ends with (compute precision, except attentions: float32). */
export interface EncoderGraph {
  /** [B, T, D] */
  lastHiddenState: string;
  /** The embedding output, then each layer's output. */
  hiddenStates: string[];
  /** [B, H, T, T] per layer. */
  attentions: string[];
  /** [B, labels] or [B, T, vocab]. */
  logits?: string;
}

export function bertGraph(l: LayerEmitter, model: BertModel, inputs: GraphInputs): EncoderGraph {
  const { g } = l;
  const config = model.config;
  const d = config.hidden_size;
  const eps = config.layer_norm_eps;
  let h = g.scoped('bert.embeddings', () => {
    const words = l.embedding('bert.embeddings.word_embeddings.weight', inputs.inputIds); // [B, T] -> [B, T, D]
    const positions = l.positions('bert.embeddings.position_embeddings.weight', inputs.length); // [T, D]
    const types = l.embedding('bert.embeddings.token_type_embeddings.weight', inputs.tokenTypeIds); // [B, T, D]
    const sum = g.op('Add', [g.op('Add', [words, positions]), types]);
    return l.layerNorm(sum, 'bert.embeddings.LayerNorm', eps);
  });
  const hiddenStates = [h];
  const attentions: string[] = [];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `bert.encoder.layer.${i}`;
    h = g.scoped(p, () => {
      const x = h;
      const q = l.linear(x, `${p}.attention.self.query`);
      const k = l.linear(x, `${p}.attention.self.key`);
      const v = l.linear(x, `${p}.attention.self.value`);
      const { context, probs } = l.attention(q, k, v, inputs.mask, config.num_attention_heads, d);
      attentions.push(probs);
      const attended = l.linear(context, `${p}.attention.output.dense`);
      const h1 = l.layerNorm(g.op('Add', [attended, x]), `${p}.attention.output.LayerNorm`, eps); // post-LN residual
      const inner = l.activation(l.linear(h1, `${p}.intermediate.dense`), config.hidden_act); // [B, T, D] -> [B, T, I]
      const out = l.linear(inner, `${p}.output.dense`); // -> [B, T, D]
      return l.layerNorm(g.op('Add', [out, h1]), `${p}.output.LayerNorm`, eps);
    });
    hiddenStates.push(h);
  }
  const result: EncoderGraph = { lastHiddenState: h, hiddenStates, attentions };
  if (model.head === 'sequence-classification') {
    result.logits = g.scoped('head', () => {
      const first = g.op('Gather', [h, g.int64Scalar(0)], { axis: { i: 1 } }); // [B, T, D] -> [B, D]
      const pooled = g.op('Tanh', [l.linear(first, 'bert.pooler.dense')]);
      return l.linear(pooled, 'classifier'); // -> [B, labels]
    });
  } else if (model.head === 'masked-lm') {
    result.logits = g.scoped('head', () => {
      const transformed = l.activation(l.linear(h, 'cls.predictions.transform.dense'), config.hidden_act);
      const t = l.layerNorm(transformed, 'cls.predictions.transform.LayerNorm', eps);
      const words = l.weight('bert.embeddings.word_embeddings.weight');
      const decoder = g.op('Transpose', [words], { perm: { ints: [1, 0] } }); // [V, D] -> [D, V], tied
      const scores = g.op('MatMul', [t, decoder]); // [B, T, D] x [D, V] -> [B, T, V]
      return g.op('Add', [scores, l.weight('cls.predictions.bias')]);
    });
  }
  return result;
}
