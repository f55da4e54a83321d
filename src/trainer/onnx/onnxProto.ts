// The ONNX protobuf messages this project writes and reads, typed, and their wire encoding through protobufjs
// reflection over the official schema (onnx.proto, turned into onnxProto.json by scripts/generateOnnxProto.mjs, so the
// bundle needs no .proto parser). Field names are the schema's own snake_case.
import protobuf from 'protobufjs/light';
import descriptor from './onnxProto.json';

/** TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** TensorProto.DataLocation: the elements are in the message (DEFAULT) or in an external data file (EXTERNAL). */
export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

export interface StringStringEntryProto {
  key: string;
  value: string;
}

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: DataTypeCode;
  /** Little-endian element bytes; absent when the tensor is stored as external data. */
  raw_data?: Uint8Array;
  /** With data_location EXTERNAL: `location` (a file beside the model), `offset` and `length` in bytes. */
  external_data?: StringStringEntryProto[];
  data_location?: (typeof DataLocation)[keyof typeof DataLocation];
}

export interface AttributeProto {
  name: string;
  type: (typeof AttributeType)[keyof typeof AttributeType];
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

/** A dimension: fixed (`dim_value`) or named and dynamic (`dim_param`). */
export type DimensionProto = { dim_value: number } | { dim_param: string };

export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: DataTypeCode; shape: { dim: DimensionProto[] } } };
  doc_string?: string;
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  doc_string?: string;
}

export interface ModelProto {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphProto;
  metadata_props: StringStringEntryProto[];
}

let modelType: protobuf.Type | undefined;

function modelMessage(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/** Serialises a model. ONNX files are limited to 2 GiB by protobuf; the caller checks the size first. */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelMessage();
  const error = type.verify(model);
  if (error !== null) throw new Error(`invalid ONNX model message: ${error}`);
  return type.encode(model).finish();
}

/** Parses an ONNX file's bytes; int64 fields come back as numbers, bytes as Uint8Array. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = modelMessage();
  const message = type.decode(bytes);
  return type.toObject(message, { longs: Number, defaults: false, arrays: true }) as ModelProto;
}
