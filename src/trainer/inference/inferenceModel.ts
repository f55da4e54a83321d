// One interface over the two ways a trained model runs for inference: a checkpoint folder through TensorFlow.js,
// or an ONNX file through onnxruntime-node (ours or another exporter's).
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../cliErrors';
import type { BertTokenizerSettings } from '../tokenizer/tokenizerOptions';

/** Token ids for a batch, already padded to one length. */
export interface EncodedBatch {
  inputIds: number[][];
  attentionMask: number[][];
  tokenTypeIds: number[][];
}

export interface InferenceResult {
  /** [batch][labels] for classifiers. */
  logits?: number[][];
  /** [batch][seq][hidden] */
  lastHiddenState?: number[][][];
  /** [layers + 1][batch][seq][hidden] */
  hiddenStates?: number[][][][];
  /** [layers][batch][heads][seq][seq] */
  attentions?: number[][][][][];
}

export interface InferenceModel {
  readonly kind: 'tfjs' | 'onnx';
  /** The folder or file it was opened from. */
  readonly path: string;
  /** Label names in logit order, when the model is a classifier. */
  readonly labels: string[] | undefined;
  /** Longest input the model accepts (position embeddings, or a static ONNX sequence axis). */
  readonly maxLength: number | undefined;
  /** What runs it, with why better backends were skipped (for logs). */
  readonly backend: string;
  /** Folder holding the tokenizer files (the checkpoint folder, or the ONNX file's folder). */
  readonly tokenizerDir: string;
  /** Settings that win over the tokenizer files (an ONNX file's metadata do_lower_case). */
  readonly tokenizerSettings?: BertTokenizerSettings;
  /** Problems found while opening it that do not stop it running (metadata vs config.json), for the user. */
  readonly warnings?: readonly string[];
  run(batch: EncodedBatch, options: { hidden: boolean }): Promise<InferenceResult>;
  dispose(): Promise<void>;
}

/** Opens `path`: a folder is a checkpoint (TensorFlow.js), a `.onnx` file runs on onnxruntime. */
export async function openInferenceModel(path: string, backend: string | undefined): Promise<InferenceModel> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined)
    throw new UserError(`Model "${path}" does not exist: give a checkpoint folder or a .onnx file.`);
  if (info.isFile() && extname(path).toLowerCase() === '.onnx') {
    const { openOnnxModel } = await import('./onnxModel');
    return openOnnxModel(path);
  }
  if (info.isDirectory()) {
    const { openTfjsModel } = await import('./tfjsModel');
    return openTfjsModel(path, backend);
  }
  throw new UserError(`Model "${path}" is neither a checkpoint folder nor a .onnx file.`);
}
