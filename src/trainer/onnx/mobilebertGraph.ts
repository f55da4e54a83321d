// MobileBERT as an ONNX graph, op for op as models/mobilebert.ts computes it: trigram embeddings (Slice/Pad/Concat)
// projected to hidden_size, bottlenecks (shared key/query or attention inside the bottleneck), stacked FFNs, NoNorm
// or LayerNorm (with torch's default eps where Hugging Face passes none), and the heads. The masked-LM decoder is
// [word embeddings^T ; cls.predictions.dense], built from the tied table by Transpose + Concat.
import type { MobileBertModel } from '../models/mobilebert';
import { trueHiddenSize } from '../models/modelConfig';
import type { EncoderGraph, GraphInputs } from './bertGraph';
import type { LayerEmitter } from './layers';

const PREFIX = 'mobilebert';
const TORCH_DEFAULT_EPS = 1e-5;

export function mobilebertGraph(l: LayerEmitter, model: MobileBertModel, inputs: GraphInputs): EncoderGraph {
  const { g } = l;
  const config = model.config;
  const configEps = config.layer_norm_eps;
  const norm = (x: string, prefix: string, eps = configEps): string =>
    config.normalization_type === 'no_norm' ? l.noNorm(x, prefix) : l.layerNorm(x, prefix, eps);
  /** norm(dense(x) [+ residual]), models/mobilebert.ts DenseNorm. */
  const denseNorm = (x: string, prefix: string, residual?: string, eps = configEps): string => {
    const y = l.linear(x, `${prefix}.dense`);
    return norm(residual === undefined ? y : g.op('Add', [y, residual]), `${prefix}.LayerNorm`, eps);
  };

  let h = g.scoped(`${PREFIX}.embeddings`, () => {
    const p = `${PREFIX}.embeddings`;
    let x = l.embedding(`${p}.word_embeddings.weight`, inputs.inputIds); // [B, T] -> [B, T, E]
    if (config.trigram_input) {
      // Each position sees its right neighbour, itself and its left neighbour: [B, T, E] -> [B, T, 3E].
      const axis1 = g.int64s([1]);
      const right = g.op('Slice', [x, g.int64s([1]), g.int64s([2n ** 63n - 1n]), axis1]); // [B, T-1, E]
      const next = g.op('Pad', [right, g.int64s([0, 0, 0, 0, 1, 0])]); // zero after the last position
      const left = g.op('Slice', [x, g.int64s([0]), g.int64s([-1]), axis1]); // [B, T-1, E]
      const previous = g.op('Pad', [left, g.int64s([0, 1, 0, 0, 0, 0])]); // zero before the first position
      x = g.op('Concat', [next, x, previous], { axis: { i: 2 } });
    }
    if (config.trigram_input || config.embedding_size !== config.hidden_size) {
      x = l.linear(x, `${p}.embedding_transformation`); // [B, T, 3E] -> [B, T, D]
    }
    const positions = l.positions(`${p}.position_embeddings.weight`, inputs.length); // [T, D]
    const types = l.embedding(`${p}.token_type_embeddings.weight`, inputs.tokenTypeIds); // [B, T, D]
    return norm(g.op('Add', [g.op('Add', [x, positions]), types]), `${p}.LayerNorm`, TORCH_DEFAULT_EPS);
  });

  const hiddenStates = [h];
  const attentions: string[] = [];
  const width = trueHiddenSize(config);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = `${PREFIX}.encoder.layer.${i}`;
    h = g.scoped(p, () => {
      const x = h;
      // Bottleneck: which values feed query, key, value, and the block's residual path ([B, T, D] -> [B, T, t]).
      let queryIn = x;
      let keyIn = x;
      let valueIn = x;
      let layerInput = x;
      if (config.use_bottleneck) {
        layerInput = denseNorm(x, `${p}.bottleneck.input`);
        if (config.use_bottleneck_attention) {
          queryIn = keyIn = valueIn = layerInput;
        } else if (config.key_query_shared_bottleneck) {
          queryIn = keyIn = denseNorm(x, `${p}.bottleneck.attention`);
        }
      }
      const q = l.linear(queryIn, `${p}.attention.self.query`);
      const k = l.linear(keyIn, `${p}.attention.self.key`);
      const v = l.linear(valueIn, `${p}.attention.self.value`);
      const { context, probs } = l.attention(q, k, v, inputs.mask, config.num_attention_heads, width);
      attentions.push(probs);
      let t = denseNorm(context, `${p}.attention.output`, layerInput); // [B, T, t]
      for (let j = 0; j < config.num_feedforward_networks - 1; j++) {
        const inner = l.activation(l.linear(t, `${p}.ffn.${j}.intermediate.dense`), config.hidden_act);
        t = denseNorm(inner, `${p}.ffn.${j}.output`, t); // stacked FFN, residual
      }
      const inner = l.activation(l.linear(t, `${p}.intermediate.dense`), config.hidden_act); // [B, T, t] -> [B, T, I]
      let out = denseNorm(inner, `${p}.output`, t, TORCH_DEFAULT_EPS); // [B, T, I] -> [B, T, t]
      if (config.use_bottleneck) out = denseNorm(out, `${p}.output.bottleneck`, x); // [B, T, t] -> [B, T, D]
      return out;
    });
    hiddenStates.push(h);
  }

  const result: EncoderGraph = { lastHiddenState: h, hiddenStates, attentions };
  if (model.head === 'sequence-classification') {
    result.logits = g.scoped('head', () => {
      const first = g.op('Gather', [h, g.int64Scalar(0)], { axis: { i: 1 } }); // [B, T, D] -> [B, D]
      const pooled = config.classifier_activation
        ? g.op('Tanh', [l.linear(first, `${PREFIX}.pooler.dense`)])
        : first;
      return l.linear(pooled, 'classifier'); // -> [B, labels]
    });
  } else if (model.head === 'masked-lm') {
    result.logits = g.scoped('head', () => {
      // The transform always uses LayerNorm, whatever normalization_type says (as in HF).
      const dense = l.activation(l.linear(h, 'cls.predictions.transform.dense'), config.hidden_act);
      const t = l.layerNorm(dense, 'cls.predictions.transform.LayerNorm', configEps);
      const words = g.op('Transpose', [l.weight(`${PREFIX}.embeddings.word_embeddings.weight`)], {
        perm: { ints: [1, 0] },
      }); // [V, E] -> [E, V], tied
      const decoder = g.op('Concat', [words, l.weight('cls.predictions.dense.weight')], { axis: { i: 0 } }); // -> [D, V]
      const scores = g.op('MatMul', [t, decoder]); // [B, T, D] x [D, V] -> [B, T, V]
      return g.op('Add', [scores, l.weight('cls.predictions.bias')]);
    });
  }
  return result;
}
