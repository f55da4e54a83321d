// Loads and saves models in Hugging Face format (config.json + model.safetensors, sharded or not), with or without
// the `bert.` / `mobilebert.` prefix, for the bare encoder and the classification and masked-LM heads. Heads the
// task needs but the checkpoint lacks are initialised and reported; tensors the model does not use are listed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parse as parseJsonc } from 'jsonc-parser';
import { writeFileAtomic } from '../util/atomicWrite';
import {
  architectureName,
  basePrefix,
  createModel,
  headFromArchitectures,
  type TransformerModel,
} from '../models/createModel';
import { completeConfig, labelNames, type HeadKind, type HfModelConfig } from '../models/modelConfig';
import {
  CheckpointError,
  readSafetensorsCheckpoint,
  toFloat32,
  writeSafetensors,
  type HostTensor,
} from './safetensors';

export interface LoadOptions {
  /** Head to build; defaults to the one in config.json `architectures`. */
  head?: HeadKind;
  /** Label names for a classification head (sets id2label; a head of another size is re-initialised). */
  labels?: string[];
  /** Seed for parameters the checkpoint lacks. */
  seed?: number;
  /** Also build (and load, when the checkpoint has it) the masked-LM head beside `head`. */
  maskedLmHead?: boolean;
}

export interface LoadReport {
  /** Parameters the checkpoint did not have, initialised randomly (e.g. a new classifier). */
  initialised: string[];
  /** Checkpoint tensors the model does not use (e.g. a question-answering head, next-sentence prediction). */
  unused: string[];
  /** Tensors converted from F16/BF16/F64 to float32. */
  converted: string[];
}

export interface LoadedModel {
  model: TransformerModel;
  config: HfModelConfig;
  report: LoadReport;
}

/** Reads and completes config.json. */
export async function readModelConfig(dir: string): Promise<HfModelConfig> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CheckpointError(
      `${file} is missing: a checkpoint folder needs config.json (save_pretrained writes it).`,
      file,
    );
  }
  const value = parseJsonc(text) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CheckpointError(`${file} is not a JSON object.`, file);
  }
  const raw = value as Record<string, unknown>;
  if (raw['model_type'] !== 'bert' && raw['model_type'] !== 'mobilebert') {
    throw new CheckpointError(
      `${file}: model_type ${JSON.stringify(raw['model_type'] ?? null)} is not supported; use "bert" or "mobilebert".`,
      file,
    );
  }
  return completeConfig(raw);
}

/** Checkpoint names as this model names them: old TF names (gamma/beta) renamed, the base prefix added. */
function canonicalName(name: string, prefix: string): string {
  let n = name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
  const isHead = n.startsWith('classifier.') || n.startsWith('cls.') || n.startsWith('qa_outputs.');
  if (!isHead && !n.startsWith(prefix)) n = prefix + n;
  return n;
}

function withLabels(config: HfModelConfig, labels: string[] | undefined): HfModelConfig {
  if (labels === undefined) return config;
  return { ...config, id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])) };
}

export async function loadModel(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const savedConfig = await readModelConfig(dir);
  const head = options.head ?? headFromArchitectures(savedConfig.architectures);
  const config = withLabels(savedConfig, options.labels);
  const checkpoint = await readSafetensorsCheckpoint(dir);
  const prefix = basePrefix(config);
  const tensors = new Map<string, { tensor: HostTensor; original: string }>();
  for (const [name, tensor] of checkpoint.tensors)
    tensors.set(canonicalName(name, prefix), { tensor, original: name });
  // HF ties the masked-LM decoder bias to cls.predictions.bias; older files may carry only the decoder's copy.
  const decoderBias = tensors.get('cls.predictions.decoder.bias');
  if (decoderBias !== undefined && !tensors.has('cls.predictions.bias'))
    tensors.set('cls.predictions.bias', decoderBias);

  const model = createModel(config, head, options.seed ?? 42, {
    ...(options.maskedLmHead !== undefined ? { maskedLmHead: options.maskedLmHead } : {}),
  });
  const hasMaskedLm = head === 'masked-lm' || options.maskedLmHead === true;
  const report: LoadReport = { initialised: [], unused: [], converted: [] };
  const used = new Set<string>();
  for (const [name, variable] of model.params.entries()) {
    const entry = tensors.get(name);
    if (entry === undefined) {
      report.initialised.push(name);
      continue;
    }
    const { tensor, original } = entry;
    const same =
      tensor.shape.length === variable.shape.length && tensor.shape.every((d, i) => d === variable.shape[i]);
    if (!same) {
      const isClassifier = name.startsWith('classifier.');
      if (isClassifier && options.labels !== undefined) {
        // A new label set: the old classifier does not fit, so a fresh one is trained.
        report.initialised.push(name);
        used.add(name);
        continue;
      }
      throw new CheckpointError(
        `Tensor "${original}" in ${dir} has shape [${tensor.shape.join(', ')}] but config.json implies [${variable.shape.join(', ')}]. The weights and config.json do not belong together; re-save the model with save_pretrained().`,
        dir,
        original,
      );
    }
    if (tensor.dtype === 'F16' || tensor.dtype === 'BF16' || tensor.dtype === 'F64')
      report.converted.push(original);
    if (
      tensor.dtype !== 'F32' &&
      tensor.dtype !== 'F16' &&
      tensor.dtype !== 'BF16' &&
      tensor.dtype !== 'F64'
    ) {
      throw new CheckpointError(
        `Tensor "${original}" in ${dir} is ${tensor.dtype}; model weights must be floating point.`,
        dir,
        original,
      );
    }
    variable.assign(tf.tensor(toFloat32(tensor), variable.shape, 'float32'));
    used.add(name);
  }
  const tied = new Set(['cls.predictions.decoder.weight', 'cls.predictions.decoder.bias']);
  for (const [name, { original }] of tensors) {
    if (!used.has(name) && !(tied.has(name) && hasMaskedLm)) report.unused.push(original);
  }
  return { model, config: { ...config, architectures: [architectureName(config, head)] }, report };
}

const MOBILEBERT_ONLY = new Set([
  'embedding_size',
  'trigram_input',
  'use_bottleneck',
  'intra_bottleneck_size',
  'use_bottleneck_attention',
  'key_query_shared_bottleneck',
  'num_feedforward_networks',
  'normalization_type',
  'classifier_activation',
]);

/** The config.json a saved model carries, so Hugging Face transformers opens it unchanged. */
export function configJson(model: TransformerModel, head: HeadKind = model.head): Record<string, unknown> {
  const config = model.config;
  const labels = labelNames(config);
  const out: Record<string, unknown> = { ...config, architectures: [architectureName(config, head)] };
  if (head === 'sequence-classification') {
    out['id2label'] = Object.fromEntries(labels.map((l, i) => [String(i), l]));
    out['label2id'] = Object.fromEntries(labels.map((l, i) => [l, i]));
  } else {
    delete out['id2label'];
  }
  // BertConfig has no MobileBERT keys; completeConfig added inert ones that must not reach config.json.
  const written =
    config.model_type === 'bert'
      ? Object.fromEntries(Object.entries(out).filter(([key]) => !MOBILEBERT_ONLY.has(key)))
      : out;
  written['tie_word_embeddings'] = true;
  return written;
}

/** Whether parameter `name` belongs in a checkpoint of the Hugging Face class for `head`. */
function savedWith(name: string, head: HeadKind): boolean {
  const classifier = name.startsWith('classifier.');
  const maskedLm = name.startsWith('cls.');
  // *ForMaskedLM builds its encoder with add_pooling_layer=False.
  if (head === 'masked-lm') return !classifier && !name.includes('.pooler.');
  if (head === 'sequence-classification') return !maskedLm;
  return !classifier && !maskedLm;
}

/**
 * Saves config.json and model.safetensors (atomically); the bare encoder is saved without its prefix, as HF does.
 * `head` picks which Hugging Face class the files are for, when the model carries more than one head (a task
 * model with the masked-LM head it was pre-training-distilled with): only that class's tensors are written.
 * `extra` keys go into config.json as they are (transformers keeps unknown keys as config attributes).
 */
export async function saveModel(
  model: TransformerModel,
  dir: string,
  head: HeadKind = model.head,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const prefix = basePrefix(model.config);
  const tensors = new Map<string, HostTensor>();
  for (const [name, variable] of model.params.entries()) {
    if (!savedWith(name, head)) continue;
    const key = head === 'encoder' ? name.replace(new RegExp(`^${prefix.replace('.', '\\.')}`), '') : name;
    tensors.set(key, { dtype: 'F32', shape: [...variable.shape], data: variable.dataSync() as Float32Array });
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  const config = { ...configJson(model, head), ...extra };
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}
