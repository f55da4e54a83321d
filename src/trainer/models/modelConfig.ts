// The Hugging Face config.json of a BERT or MobileBERT model, completed with the library's defaults, plus the
// task head. One type for both families so loading, saving and the trainer treat them alike.
import type { ModelConfigOverrides } from '../../protocol/config';
import { MODEL_PRESETS } from '../../protocol/modelPresets';
import type { Activation } from './nn';

/** What sits on top of the encoder. */
export type HeadKind = 'encoder' | 'sequence-classification' | 'masked-lm';

/** Options beyond the head. */
export interface ModelOptions {
  /**
   * Also build the masked-LM head (`cls.predictions.*`, decoder tied to the word embeddings) next to another
   * head, for pre-training distillation followed by task stages on the same encoder.
   */
  maskedLmHead?: boolean;
}

export interface HfModelConfig extends Required<
  Omit<ModelConfigOverrides, 'classifier_dropout' | 'hidden_act'>
> {
  hidden_act: Activation;
  classifier_dropout: number | null;
  /** Label names by id, for classification heads. */
  id2label: Record<string, string>;
  /** Architecture names written into config.json (e.g. BertForSequenceClassification). */
  architectures?: string[];
}

/** Fills every key from the family's defaults (HF BertConfig / MobileBertConfig), then the given values. */
export function completeConfig(partial: ModelConfigOverrides & Record<string, unknown>): HfModelConfig {
  const type = partial.model_type ?? 'bert';
  const defaults = type === 'mobilebert' ? MODEL_PRESETS.mobilebert : MODEL_PRESETS['bert-base'];
  // BERT has no bottleneck fields; give them inert values so one type covers both.
  const inert = {
    embedding_size: partial.hidden_size ?? defaults.hidden_size,
    trigram_input: false,
    use_bottleneck: false,
    intra_bottleneck_size: partial.hidden_size ?? defaults.hidden_size,
    use_bottleneck_attention: false,
    key_query_shared_bottleneck: false,
    num_feedforward_networks: 1,
    normalization_type: 'layer_norm',
    classifier_activation: true,
  } as const;
  const merged = {
    ...(type === 'mobilebert' ? {} : inert),
    ...defaults,
    classifier_dropout: null,
    id2label: {},
    ...partial,
  };
  return merged as HfModelConfig;
}

/** MobileBERT's attention width (HF `true_hidden_size`); BERT's is hidden_size. */
export function trueHiddenSize(config: HfModelConfig): number {
  return config.model_type === 'mobilebert' && config.use_bottleneck
    ? config.intra_bottleneck_size
    : config.hidden_size;
}

/** Label names in id order (`LABEL_i` where id2label has a gap). */
export function labelNames(config: HfModelConfig): string[] {
  const ids = Object.keys(config.id2label).map(Number).filter(Number.isInteger);
  const count = ids.length === 0 ? 0 : Math.max(...ids) + 1;
  return Array.from({ length: count }, (_, i) => config.id2label[String(i)] ?? `LABEL_${i}`);
}
