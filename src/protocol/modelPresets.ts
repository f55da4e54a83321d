// Built-in architecture presets as Hugging Face config.json values (BertConfig / MobileBertConfig keys).
// Sources: BERT (Devlin et al. 2019) and the 24 compact BERTs (Turc et al. 2019), TinyBERT (Jiao et al. 2020,
// General_TinyBERT 4L-312D / 6L-768D), MobileBERT (Sun et al. 2020, Table 1; HF MobileBertConfig defaults).
import type { ModelConfigOverrides, ModelPreset } from './config';

const BERT_COMMON = {
  model_type: 'bert',
  vocab_size: 30522,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
} as const satisfies ModelConfigOverrides;

function bert(layers: number, hidden: number, heads: number, intermediate: number): ModelConfigOverrides {
  return {
    ...BERT_COMMON,
    num_hidden_layers: layers,
    hidden_size: hidden,
    num_attention_heads: heads,
    intermediate_size: intermediate,
  };
}

const MOBILEBERT: ModelConfigOverrides = {
  model_type: 'mobilebert',
  vocab_size: 30522,
  hidden_size: 512,
  num_hidden_layers: 24,
  num_attention_heads: 4,
  intermediate_size: 512,
  hidden_act: 'relu',
  hidden_dropout_prob: 0.0,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  embedding_size: 128,
  trigram_input: true,
  use_bottleneck: true,
  intra_bottleneck_size: 128,
  use_bottleneck_attention: false,
  key_query_shared_bottleneck: true,
  num_feedforward_networks: 4,
  normalization_type: 'no_norm',
  classifier_activation: true,
};

/** Full config.json values of every preset. */
export const MODEL_PRESETS: Readonly<Record<ModelPreset, Readonly<ModelConfigOverrides>>> = {
  'bert-large': bert(24, 1024, 16, 4096),
  'bert-base': bert(12, 768, 12, 3072),
  'bert-medium': bert(8, 512, 8, 2048),
  'bert-small': bert(4, 512, 8, 2048),
  'bert-mini': bert(4, 256, 4, 1024),
  'bert-tiny': bert(2, 128, 2, 512),
  'tinybert-4': bert(4, 312, 12, 1200),
  'tinybert-6': bert(6, 768, 12, 3072),
  mobilebert: MOBILEBERT,
  // MobileBERT_TINY (paper, Table 1): attention reads the 128-wide bottleneck and two stacked FFNs per block.
  'mobilebert-tiny': {
    ...MOBILEBERT,
    use_bottleneck_attention: true,
    key_query_shared_bottleneck: false,
    num_feedforward_networks: 2,
  },
};

/** Every preset name, for messages and completion. */
export const MODEL_PRESET_NAMES = Object.keys(MODEL_PRESETS) as ModelPreset[];
