// Resolves a teacher/student spec (checkpoint folder, preset, config overrides) to the sizes validation needs,
// reading the checkpoint's config.json and checking that usable weights are there.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import type { ModelConfigOverrides, ModelSpec, TeacherSpec } from '../protocol/config';
import type { ConfigDiagnostic, DiagnosticCode } from '../protocol/diagnostics';
import { MODEL_PRESETS } from '../protocol/modelPresets';
import { parseJsonDocument, type JsonDocument, type JsonPath } from './jsonDocument';
import { resolveFrom } from './paths';
import { checkpointTensorNames, hasMaskedLmHead } from './tensorNames';

/** The sizes of one model that the config's losses and mappings depend on. */
export interface ModelShape {
  modelType: 'bert' | 'mobilebert';
  layers: number;
  hiddenSize: number;
  heads: number;
  maxPositions: number;
  vocabSize: number;
  typeVocabSize: number;
  /** The merged Hugging Face config. */
  config: ModelConfigOverrides;
  /** Whether trained weights come with it (a checkpoint folder, or an ONNX export). */
  hasWeights: boolean;
  /** Absolute checkpoint folder (for a teacher given only as ONNX, the file's folder), when there is one. */
  checkpointDir?: string;
  /** Whether the checkpoint holds a masked-LM head (cls.predictions.*); undefined when unknown. */
  hasMaskedLmHead?: boolean;
  /** Teachers: what computes them (`onnx` when `onnx` is given or `runtime` says so). */
  runtime: 'tfjs' | 'onnx';
  /** A teacher given only as an ONNX file: no TensorFlow.js weights (it cannot be trained here). */
  onnxOnly: boolean;
  /** Label names from the checkpoint's id2label, in id order. */
  labels?: string[];
  /** Tokenizer files found in the checkpoint folder. */
  tokenizerFiles: string[];
}

const SUPPORTED = ['bert', 'mobilebert'] as const;

function isSupported(type: unknown): type is 'bert' | 'mobilebert' {
  return (SUPPORTED as readonly unknown[]).includes(type);
}

function labelsFrom(config: Record<string, unknown>): string[] | undefined {
  const id2label = config['id2label'];
  if (id2label === null || typeof id2label !== 'object') return undefined;
  const entries = Object.entries(id2label as Record<string, unknown>)
    .map(([id, label]) => [Number(id), String(label)] as const)
    .filter(([id]) => Number.isInteger(id))
    .sort((a, b) => a[0] - b[0]);
  return entries.map(([, label]) => label);
}

interface Checkpoint {
  config: Record<string, unknown>;
  labels?: string[];
  tokenizerFiles: string[];
  tensorNames?: string[];
}

/**
 * Reads and checks a checkpoint folder (or, with `onnxFile`, the folder an ONNX export sits in, which needs only
 * config.json); every problem becomes a diagnostic at `path` in the config.
 */
async function readCheckpoint(
  dir: string,
  doc: JsonDocument,
  path: JsonPath,
  diagnostics: ConfigDiagnostic[],
  onnxFile?: string,
): Promise<Checkpoint | undefined> {
  const at = (code: DiagnosticCode, message: string, file = doc.file, range = doc.rangeOf(path)): void => {
    diagnostics.push({ severity: 'error', code, message, file, range, path: file === doc.file ? path : [] });
  };
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) {
    at(
      'file-missing',
      `Checkpoint folder "${dir}" does not exist. Point it at a folder with config.json and model.safetensors (paths are relative to the config file).`,
    );
    return undefined;
  }
  if (!info.isDirectory()) {
    at(
      'checkpoint-not-folder',
      `"${dir}" is a file; a checkpoint is a folder with config.json and model.safetensors.`,
    );
    return undefined;
  }
  const files = await readdir(dir).catch(() => [] as string[]);
  const configPath = join(dir, 'config.json');
  let configText: string;
  try {
    configText = await readFile(configPath, 'utf8');
  } catch {
    at(
      'checkpoint-config-missing',
      onnxFile !== undefined
        ? `"${dir}" has no readable config.json beside ${onnxFile}; the teacher's config.json there describes it (\`distill-studio export\` copies it). Copy the checkpoint's config.json next to the file, or give "checkpoint" too.`
        : `Checkpoint folder "${dir}" has no readable config.json. Save the model with Hugging Face save_pretrained(), which writes it.`,
    );
    return undefined;
  }
  const parsed = parseJsonDocument(configPath, configText);
  if (parsed.kind === 'syntax-error') {
    for (const d of parsed.diagnostics)
      diagnostics.push({
        ...d,
        code: 'checkpoint-config-invalid',
        message: `config.json of the checkpoint: ${d.message}`,
      });
    return undefined;
  }
  const config = parseJsonc(configText) as Record<string, unknown>;
  if (!isSupported(config['model_type'])) {
    const range = parsed.document.rangeOf(['model_type']);
    at(
      'checkpoint-unsupported-type',
      `The checkpoint's model_type is ${JSON.stringify(config['model_type'] ?? null)}; Distill Studio supports "bert" and "mobilebert".`,
      configPath,
      range,
    );
    return undefined;
  }
  const tokenizerFiles = ['vocab.txt', 'tokenizer.json'].filter((f) => files.includes(f));
  const labels = labelsFrom(config);
  if (onnxFile !== undefined) return { config, tokenizerFiles, ...(labels ? { labels } : {}) };
  const hasSafetensors =
    files.includes('model.safetensors') || files.includes('model.safetensors.index.json');
  if (!hasSafetensors) {
    const pickle = files.find(
      (f) => f === 'pytorch_model.bin' || f === 'pytorch_model.bin.index.json' || f.endsWith('.pt'),
    );
    at(
      pickle ? 'checkpoint-pickle' : 'checkpoint-weights-missing',
      pickle
        ? `The checkpoint holds only ${pickle}, a PyTorch pickle. Pickles can run arbitrary code when loaded, so Distill Studio never opens them. Convert once in Python: AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True), which writes model.safetensors.`
        : `Checkpoint folder "${dir}" has no model.safetensors (or model.safetensors.index.json).`,
    );
    return undefined;
  }
  const tensorNames = await checkpointTensorNames(dir);
  return { config, tokenizerFiles, ...(labels ? { labels } : {}), ...(tensorNames ? { tensorNames } : {}) };
}

/** An ONNX file a teacher names: it must exist and be a file. */
async function checkOnnxFile(
  file: string,
  doc: JsonDocument,
  path: JsonPath,
  diagnostics: ConfigDiagnostic[],
): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  if (info?.isFile() === true) return true;
  diagnostics.push({
    severity: 'error',
    code: info === undefined ? 'file-missing' : 'file-unreadable',
    message:
      info === undefined
        ? `ONNX file "${file}" does not exist (paths are relative to the config file). Export one with \`distill-studio export --with-hidden\`, or set "runtime": "onnx" without "onnx" to let the run export the teacher.`
        : `"${file}" is a folder; "onnx" names the .onnx file itself.`,
    file: doc.file,
    range: doc.rangeOf(path),
    path,
  });
  return false;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * Resolves `spec` at `path` (`["teacher"]` or `["student"]`). Returns undefined (with diagnostics) when the
 * shape cannot be known; later checks that need it are then skipped rather than reported twice.
 */
export async function resolveModelShape(
  spec: ModelSpec | TeacherSpec,
  path: JsonPath,
  doc: JsonDocument,
  baseDir: string,
  diagnostics: ConfigDiagnostic[],
): Promise<ModelShape | undefined> {
  const role = String(path[0] ?? 'model');
  const teacherSpec: TeacherSpec = spec;
  let checkpoint: Checkpoint | undefined;
  let checkpointDir: string | undefined;
  const onnxFile = teacherSpec.onnx !== undefined ? resolveFrom(baseDir, teacherSpec.onnx) : undefined;
  if (onnxFile !== undefined && !(await checkOnnxFile(onnxFile, doc, [...path, 'onnx'], diagnostics)))
    return undefined;
  if (spec.checkpoint !== undefined) {
    checkpointDir = resolveFrom(baseDir, spec.checkpoint);
    checkpoint = await readCheckpoint(checkpointDir, doc, [...path, 'checkpoint'], diagnostics);
    if (checkpoint === undefined) return undefined;
  } else if (onnxFile !== undefined) {
    checkpointDir = dirname(onnxFile);
    checkpoint = await readCheckpoint(checkpointDir, doc, [...path, 'onnx'], diagnostics, onnxFile);
    if (checkpoint === undefined) return undefined;
  }
  if (checkpoint === undefined && spec.preset === undefined && spec.config?.model_type === undefined) {
    diagnostics.push({
      severity: 'error',
      code: 'model-unspecified',
      message: `The ${role} needs "checkpoint" (a Hugging Face folder), "preset" (e.g. "bert-base", "mobilebert") or "config" with "model_type" and sizes.`,
      file: doc.file,
      range: doc.rangeOf(path, 'key'),
      path,
    });
    return undefined;
  }
  if (checkpoint !== undefined && spec.preset !== undefined) {
    diagnostics.push({
      severity: 'warning',
      code: 'preset-ignored',
      message: `The ${role} has both "checkpoint" and "preset"; the checkpoint's config.json defines the architecture and the preset is ignored. Remove "preset".`,
      file: doc.file,
      range: doc.rangeOf([...path, 'preset']),
      path: [...path, 'preset'],
    });
  }
  const base = checkpoint?.config ?? (spec.preset !== undefined ? MODEL_PRESETS[spec.preset] : {});
  const merged = { ...base, ...spec.config } as ModelConfigOverrides & Record<string, unknown>;
  const modelType = merged.model_type;
  if (!isSupported(modelType)) return undefined;
  const defaults = modelType === 'mobilebert' ? MODEL_PRESETS.mobilebert : MODEL_PRESETS['bert-base'];
  const full = { ...defaults, ...merged };
  const shape: ModelShape = {
    modelType,
    layers: positiveInt(full.num_hidden_layers) ?? 1,
    hiddenSize: positiveInt(full.hidden_size) ?? 1,
    heads: positiveInt(full.num_attention_heads) ?? 1,
    maxPositions: positiveInt(full.max_position_embeddings) ?? 512,
    vocabSize: positiveInt(full.vocab_size) ?? 30522,
    typeVocabSize: positiveInt(full.type_vocab_size) ?? 2,
    config: full,
    hasWeights: checkpoint !== undefined,
    runtime: onnxFile !== undefined ? 'onnx' : (teacherSpec.runtime ?? 'tfjs'),
    onnxOnly: onnxFile !== undefined && spec.checkpoint === undefined,
    tokenizerFiles: checkpoint?.tokenizerFiles ?? [],
    ...(checkpoint?.tensorNames !== undefined
      ? { hasMaskedLmHead: hasMaskedLmHead(checkpoint.tensorNames) }
      : {}),
    ...(checkpointDir !== undefined ? { checkpointDir } : {}),
    ...(checkpoint?.labels !== undefined ? { labels: checkpoint.labels } : {}),
  };
  // Attention runs at the bottleneck width in MobileBERT (HF's true_hidden_size), at hidden_size in BERT.
  const bottleneck = modelType === 'mobilebert' && full.use_bottleneck === true;
  const attentionWidth = bottleneck ? (positiveInt(full.intra_bottleneck_size) ?? 1) : shape.hiddenSize;
  const widthKey = bottleneck ? 'intra_bottleneck_size' : 'hidden_size';
  if (attentionWidth % shape.heads !== 0) {
    const configPath = [...path, 'config'];
    diagnostics.push({
      severity: 'error',
      code: 'heads-do-not-divide-width',
      message: `The ${role}'s ${widthKey} ${attentionWidth} is not divisible by num_attention_heads ${shape.heads}; pick sizes where it is (e.g. ${widthKey} ${shape.heads * Math.max(1, Math.round(attentionWidth / shape.heads))}).`,
      file: doc.file,
      range: doc.rangeOf(configPath, 'key'),
      path: configPath,
    });
  }
  return shape;
}
