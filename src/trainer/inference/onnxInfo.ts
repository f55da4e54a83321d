// What a runtime needs to know about an ONNX file besides its graph: label names, the longest input, the tokenizer's
// lower-casing, vocabulary size. Read from the file's own metadata first (Distill Studio writes labels, max_length,
// do_lower_case, ... into metadata_props), then from the Hugging Face files beside it (config.json,
// tokenizer_config.json) for other exporters' files. Where both say something and they disagree, the metadata wins
// (it was written with the weights) and a warning names both.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { metadataOf, readModelSkeleton } from '../onnx/onnxSkeleton';
import type { ModelProto } from '../onnx/onnxProto';

export interface OnnxInfo {
  /** Label names in logit order; undefined when neither the metadata nor config.json names them. */
  labels: string[] | undefined;
  /** Where the labels came from. */
  labelsFrom: 'metadata' | 'config.json' | undefined;
  /** metadata max_length, else max_position_embeddings of config.json. */
  maxLength: number | undefined;
  vocabSize: number | undefined;
  /** metadata do_lower_case, else undefined (the tokenizer files decide). */
  lowercase: boolean | undefined;
  /** metadata parameter_count. */
  parameterCount: number | undefined;
  /** metadata precision (fp32, fp16, int8) of Distill Studio exports. */
  precision: string | undefined;
  /** Disagreements between the metadata and the files beside it, and unusable metadata. */
  warnings: string[];
  /** The file without its weights (initializer names, dims, external data entries). */
  skeleton: ModelProto;
}

type Json = Record<string, unknown>;

async function readJsonBeside(file: string, name: string): Promise<Json | undefined> {
  try {
    const value = JSON.parse(await readFile(join(dirname(file), name), 'utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** An id2label object ({"0": "negative", ...}) as names in id order; undefined unless ids run 0..n-1. */
export function labelsFromId2Label(value: unknown): string[] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  const labels = new Array<string | undefined>(entries.length).fill(undefined);
  for (const [id, label] of entries) {
    const index = Number(id);
    if (!Number.isInteger(index) || index < 0 || index >= entries.length || typeof label !== 'string')
      return undefined;
    labels[index] = label;
  }
  return labels.every((l): l is string => l !== undefined) ? labels : undefined;
}

const positive = (value: unknown): number | undefined => {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
};

const listLabels = (labels: readonly string[]): string => labels.map((l, i) => `${i}:${l}`).join(' ');

/** Reads the file's metadata and the Hugging Face files beside it. */
export async function readOnnxInfo(file: string): Promise<OnnxInfo> {
  const skeleton = await readModelSkeleton(file);
  const meta = metadataOf(skeleton);
  const config = await readJsonBeside(file, 'config.json');
  const tokenizerConfig = await readJsonBeside(file, 'tokenizer_config.json');
  const name = basename(file);
  const warnings: string[] = [];

  const metaLabelsText = meta.get('labels');
  let metaLabels: string[] | undefined;
  if (metaLabelsText !== undefined) {
    try {
      metaLabels = labelsFromId2Label(JSON.parse(metaLabelsText));
    } catch {
      metaLabels = undefined;
    }
    if (metaLabels === undefined)
      warnings.push(
        `${name}: metadata "labels" is not an id2label object (${metaLabelsText.slice(0, 80)}); ignored.`,
      );
  }
  const configLabels = labelsFromId2Label(config?.['id2label']);
  if (
    metaLabels !== undefined &&
    configLabels !== undefined &&
    listLabels(metaLabels) !== listLabels(configLabels)
  )
    warnings.push(
      `${name}: its metadata labels (${listLabels(metaLabels)}) differ from id2label in the config.json beside it (${listLabels(configLabels)}); using the metadata, which was written with the weights. Correct config.json, or export again, so the two agree.`,
    );

  const metaLower = meta.get('do_lower_case');
  const lowercase = metaLower === 'true' ? true : metaLower === 'false' ? false : undefined;
  const configLower = tokenizerConfig?.['do_lower_case'];
  if (lowercase !== undefined && typeof configLower === 'boolean' && configLower !== lowercase)
    warnings.push(
      `${name}: its metadata says do_lower_case ${String(lowercase)} but the tokenizer_config.json beside it says ${String(configLower)}; using the metadata, the setting the model was exported with. Correct tokenizer_config.json, or export again, so the two agree.`,
    );

  const metaMax = positive(meta.get('max_length'));
  const configMax = positive(config?.['max_position_embeddings']);
  if (metaMax !== undefined && configMax !== undefined && metaMax > configMax)
    warnings.push(
      `${name}: metadata max_length ${metaMax} is longer than max_position_embeddings ${configMax} in the config.json beside it; using ${configMax}.`,
    );

  return {
    labels: metaLabels ?? configLabels,
    labelsFrom:
      metaLabels !== undefined ? 'metadata' : configLabels !== undefined ? 'config.json' : undefined,
    maxLength:
      metaMax !== undefined && configMax !== undefined
        ? Math.min(metaMax, configMax)
        : (metaMax ?? configMax),
    vocabSize: positive(meta.get('vocab_size')) ?? positive(config?.['vocab_size']),
    lowercase,
    parameterCount: positive(meta.get('parameter_count')),
    precision: meta.get('precision'),
    warnings,
    skeleton,
  };
}
