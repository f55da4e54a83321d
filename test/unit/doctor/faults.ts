// Faulty variants of a clean pipeline for the doctor tests, built in a temp folder: a checkpoint copy with one
// setting flipped, and ONNX graphs edited through the project's protobufjs helpers.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttributeType, DataType, decodeModel, encodeModel } from '../../../src/trainer/onnx/onnxProto';

/** Copies a checkpoint (or ONNX) folder and rewrites one JSON file in the copy. */
export function copyWithJson(
  from: string,
  to: string,
  file: string,
  edit: (json: Record<string, unknown>) => void,
): string {
  cpSync(from, to, { recursive: true });
  const path = join(to, file);
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(path, JSON.stringify(json, null, 2));
  return to;
}

/** Rewrites an ONNX file in place. */
function editOnnx(file: string, edit: (model: ReturnType<typeof decodeModel>) => void): void {
  const model = decodeModel(readFileSync(file));
  edit(model);
  writeFileSync(file, encodeModel(model));
}

/** Cuts the mask path: whatever read attention_mask now reads ones shaped like input_ids (padding is attended). */
export function ignoreMask(file: string): void {
  editOnnx(file, (model) => {
    const one = new Uint8Array(8);
    one[0] = 1; // int64 1, little-endian
    model.graph.node = [
      { name: 'fault/Shape', op_type: 'Shape', input: ['input_ids'], output: ['fault/shape'], attribute: [] },
      {
        name: 'fault/Ones',
        op_type: 'ConstantOfShape',
        input: ['fault/shape'],
        output: ['fault/ones'],
        attribute: [
          {
            name: 'value',
            type: AttributeType.TENSOR,
            t: { name: 'one', dims: [1], data_type: DataType.INT64, raw_data: one },
          },
        ],
      },
      ...model.graph.node.map((n) => ({
        ...n,
        input: n.input.map((i) => (i === 'attention_mask' ? 'fault/ones' : i)),
      })),
    ];
  });
}

/** Feeds token_type_ids where attention_mask belongs and the other way round, graph input names unchanged. */
export function swapMaskAndTypes(file: string): void {
  editOnnx(file, (model) => {
    const swap: Record<string, string> = {
      attention_mask: 'token_type_ids',
      token_type_ids: 'attention_mask',
    };
    model.graph.node = model.graph.node.map((n) => ({ ...n, input: n.input.map((i) => swap[i] ?? i) }));
  });
}
