// Builds the ONNX model of a loaded BERT or MobileBERT: int64 inputs input_ids / attention_mask / token_type_ids
// [batch, sequence], the output `logits` (or `last_hidden_state` for the bare encoder), optionally every hidden state
// and attention map, metadata for the runtime (labels, max length, tokenizer settings) and the weights as raw_data
// initializers. Plain ONNX (default domain) only, so any runtime and onnx.checker's full check accept it.
import packageJson from '../../../package.json';
import { UserError } from '../cliErrors';
import { architectureName, type TransformerModel } from '../models/createModel';
import { labelNames } from '../models/modelConfig';
import { bertGraph, type GraphInputs } from './bertGraph';
import { toExternalData, type OnnxArtifact } from './externalData';
import { GraphBuilder } from './graphBuilder';
import { LayerEmitter, type Precision } from './layers';
import { mobilebertGraph } from './mobilebertGraph';
import {
  DataType,
  encodeModel,
  type DimensionProto,
  type ModelProto,
  type ValueInfoProto,
} from './onnxProto';

export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

/** The IR version each opset shipped with (onnx/helper.py VERSION_TABLE), so older runtimes accept the file. */
const IR_VERSION: Record<number, number> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

export function irVersionFor(opset: number): number {
  const ir = IR_VERSION[opset];
  if (ir === undefined) throw new RangeError(`opset ${opset} is outside ${MIN_OPSET}..${MAX_OPSET}`);
  return ir;
}

export interface OnnxExportOptions {
  /** ai.onnx opset, MIN_OPSET..MAX_OPSET (default 17, the first with LayerNormalization). */
  opset?: number;
  /** Weight and compute precision (default fp32). */
  precision?: Precision;
  /** Also output `hidden_states.0..L` and `attentions.0..L-1`. */
  withHidden?: boolean;
  /** Longest input the runtime should feed (metadata `max_length`); at most max_position_embeddings. */
  maxLength?: number;
  /** Extra metadata_props, e.g. the tokenizer's do_lower_case. */
  metadata?: Record<string, string>;
}

/** The graph inputs, named as Hugging Face tokenizers name them (inference/onnxModel.ts looks for these). */
export const INPUT_NAMES = ['input_ids', 'attention_mask', 'token_type_ids'] as const;

/** Dynamic axes are named as Hugging Face Optimum names them, so tools that look for those names find them. */
type Dim = number | 'batch_size' | 'sequence_length';

function valueInfo(
  name: string,
  elemType: typeof DataType.FLOAT | typeof DataType.INT64,
  dims: Dim[],
): ValueInfoProto {
  const dim: DimensionProto[] = dims.map((d) =>
    typeof d === 'number' ? { dim_value: d } : { dim_param: d },
  );
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}

export function buildOnnxModel(model: TransformerModel, options: OnnxExportOptions = {}): ModelProto {
  const opset = options.opset ?? DEFAULT_OPSET;
  const irVersion = irVersionFor(opset);
  const precision = options.precision ?? 'fp32';
  const config = model.config;
  const maxLength = options.maxLength ?? config.max_position_embeddings;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > config.max_position_embeddings)
    throw new RangeError(
      `max length ${maxLength} must be 1..${config.max_position_embeddings} (max_position_embeddings)`,
    );

  const g = new GraphBuilder();
  const l = new LayerEmitter(g, model.params, precision, opset);
  const [inputIds, attentionMask, tokenTypeIds] = INPUT_NAMES.map((name) => g.reserve(name)) as [
    string,
    string,
    string,
  ];
  const inputs: GraphInputs = g.scoped('inputs', () => ({
    inputIds,
    tokenTypeIds,
    mask: l.additiveMask(attentionMask),
    length: g.op('Slice', [g.op('Shape', [inputIds]), g.int64s([1]), g.int64s([2])]), // [B, T] -> [T]
  }));
  const graph = model.kind === 'bert' ? bertGraph(l, model, inputs) : mobilebertGraph(l, model, inputs);

  // Name the outputs. A value is renamed in place where it can be; Identity (float32) or Cast (float16) otherwise.
  const renamed = new Map<string, string>();
  const outputs: ValueInfoProto[] = [];
  const emit = (value: string, name: string, dims: Dim[], float16: boolean): void => {
    const current = renamed.get(value) ?? value;
    const alreadyOutput = outputs.some((o) => o.name === current);
    if (!float16 && !alreadyOutput && g.rename(current, name)) {
      renamed.set(value, name);
    } else {
      const copy = float16
        ? g.op('Cast', [current], { to: { i: DataType.FLOAT } })
        : g.op('Identity', [current]);
      if (!g.rename(copy, name)) throw new Error(`cannot name the ONNX output ${name}`);
    }
    outputs.push(valueInfo(name, DataType.FLOAT, dims));
  };
  const computeIs16 = precision === 'fp16';
  const hidden = config.hidden_size;
  if (model.head === 'sequence-classification' && graph.logits !== undefined) {
    emit(graph.logits, 'logits', ['batch_size', Math.max(1, labelNames(config).length)], computeIs16);
  } else if (model.head === 'masked-lm' && graph.logits !== undefined) {
    emit(graph.logits, 'logits', ['batch_size', 'sequence_length', config.vocab_size], computeIs16);
  } else {
    emit(graph.lastHiddenState, 'last_hidden_state', ['batch_size', 'sequence_length', hidden], computeIs16);
  }
  if (options.withHidden === true) {
    graph.hiddenStates.forEach((h, i) =>
      emit(h, `hidden_states.${i}`, ['batch_size', 'sequence_length', hidden], computeIs16),
    );
    const heads = config.num_attention_heads;
    graph.attentions.forEach((a, i) =>
      emit(a, `attentions.${i}`, ['batch_size', heads, 'sequence_length', 'sequence_length'], false),
    );
  }

  const architecture = architectureName(config, model.head);
  const labels = labelNames(config);
  const metadata: Record<string, string> = {
    model_type: config.model_type,
    architecture,
    max_length: String(maxLength),
    precision,
    parameter_count: String(model.params.count()),
    vocab_size: String(config.vocab_size),
    'distill-studio': packageJson.version,
    ...(model.head === 'sequence-classification'
      ? { labels: JSON.stringify(Object.fromEntries(labels.map((label, i) => [String(i), label]))) }
      : {}),
    ...options.metadata,
  };
  return {
    ir_version: irVersion,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'distill-studio',
    producer_version: packageJson.version,
    doc_string: `${architecture} exported by distill-studio ${packageJson.version} (${precision})`,
    graph: {
      name: architecture,
      node: g.nodes,
      initializer: g.initializers,
      input: INPUT_NAMES.map((name) => valueInfo(name, DataType.INT64, ['batch_size', 'sequence_length'])),
      output: outputs,
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
}

/** ONNX files are single protobuf messages, which protobuf limits to 2 GiB. */
export const MAX_ONNX_BYTES = 2 ** 31 - 1;

/**
 * Above this many bytes of weights an export keeps them in an external data file. The 2 GiB protobuf limit less
 * 64 MiB for the graph itself and the metadata (a BERT graph without weights is well under 1 MiB).
 */
export const EXTERNAL_DATA_AUTO_BYTES = MAX_ONNX_BYTES - 64 * 2 ** 20;

export interface ExternalDataOptions {
  /** `auto` (default): external above `threshold` bytes of weights; `always`; `never` (fail over 2 GiB). */
  mode?: 'auto' | 'always' | 'never';
  /** File name of the data file beside the model, e.g. `student.onnx.data` (externalData.ts dataLocationFor). */
  location: string;
  /** Weight bytes above which `auto` moves them out; default EXTERNAL_DATA_AUTO_BYTES. */
  threshold?: number;
}

const weightBytesOf = (proto: ModelProto): number =>
  proto.graph.initializer.reduce((sum, t) => sum + (t.raw_data?.byteLength ?? 0), 0);

/** The model's bytes, every weight inline; fails for models over 2 GiB (exportOnnxArtifact writes external data). */
export function exportOnnxBytes(model: TransformerModel, options: OnnxExportOptions = {}): Uint8Array {
  const proto = buildOnnxModel(model, options);
  const weightBytes = weightBytesOf(proto);
  if (weightBytes > EXTERNAL_DATA_AUTO_BYTES)
    throw new UserError(
      `the weights take ${(weightBytes / 2 ** 30).toFixed(2)} GiB, over the 2 GiB limit of one ONNX protobuf; they must go to an external data file (export with --external-data), or quantize (--quantize fp16 or int8)`,
    );
  return encodeModel(proto);
}

/** The model as an artifact: inline, or with its weights in an external data file per `externalData`. */
export function exportOnnxArtifact(
  model: TransformerModel,
  options: OnnxExportOptions & { externalData: ExternalDataOptions },
): OnnxArtifact {
  const proto = buildOnnxModel(model, options);
  const weightBytes = weightBytesOf(proto);
  const { mode = 'auto', location, threshold = EXTERNAL_DATA_AUTO_BYTES } = options.externalData;
  const external = mode === 'always' || (mode === 'auto' && weightBytes > threshold);
  if (!external) {
    if (weightBytes > EXTERNAL_DATA_AUTO_BYTES)
      throw new UserError(
        `the weights take ${(weightBytes / 2 ** 30).toFixed(2)} GiB, over the 2 GiB limit of one ONNX protobuf; allow external data (leave out --no-external-data) or quantize (--quantize fp16 or int8)`,
      );
    return { model: encodeModel(proto) };
  }
  const moved = toExternalData(proto, location);
  return { model: encodeModel(moved.model), external: moved.external };
}
