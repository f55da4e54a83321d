// Builds a randomly initialised BERT or MobileBERT with the requested head from a Hugging Face config.
import { BertModel } from './bert';
import { MobileBertModel } from './mobilebert';
import type { HeadKind, HfModelConfig, ModelOptions } from './modelConfig';
import { Params, SeedStream } from './nn';

export type TransformerModel = BertModel | MobileBertModel;

export function createModel(
  config: HfModelConfig,
  head: HeadKind,
  seed = 42,
  options: ModelOptions = {},
): TransformerModel {
  const params = new Params(new SeedStream(seed));
  return config.model_type === 'mobilebert'
    ? new MobileBertModel(params, config, head, options)
    : new BertModel(params, config, head, options);
}

/** The checkpoint prefix of the encoder's parameters (`bert.` / `mobilebert.`). */
export function basePrefix(config: HfModelConfig): string {
  return config.model_type === 'mobilebert' ? 'mobilebert.' : 'bert.';
}

/** Hugging Face class name for a family and head, as written to config.json `architectures`. */
export function architectureName(config: HfModelConfig, head: HeadKind): string {
  const family = config.model_type === 'mobilebert' ? 'MobileBert' : 'Bert';
  switch (head) {
    case 'encoder':
      return `${family}Model`;
    case 'sequence-classification':
      return `${family}ForSequenceClassification`;
    case 'masked-lm':
      return `${family}ForMaskedLM`;
  }
}

/** The head a checkpoint was saved with, from its `architectures` entry. */
export function headFromArchitectures(architectures: readonly string[] | undefined): HeadKind {
  const name = architectures?.[0] ?? '';
  if (name.endsWith('ForSequenceClassification')) return 'sequence-classification';
  if (name.endsWith('ForMaskedLM') || name.endsWith('ForPreTraining')) return 'masked-lm';
  return 'encoder';
}
