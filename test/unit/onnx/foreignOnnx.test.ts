// ONNX files from other exporters through `predict` and `eval` (the built CLI): the bert-cls fixture rewritten with
// Google/TF input names (input_mask, segment_ids) fed as int32 through Cast nodes, with a static sequence length of
// 16, with a static batch size, and with the logits output under another name. Predictions must equal the
// original's (expected_predict.json, Hugging Face logits) within 1e-4.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  AttributeType,
  DataType,
  decodeModel,
  encodeModel,
  type ModelProto,
} from '../../../src/trainer/onnx/onnxProto';
import { tempWorkspace, type TempWorkspace } from '../../helpers/tempWorkspace';
import { cli as runCli, type CliResult } from '../../helpers/builtCli';

const FIXTURE = 'test/fixtures/onnx/bert-cls';
const EXPECTED = JSON.parse(readFileSync('test/fixtures/models/bert-cls/expected_predict.json', 'utf8')) as {
  texts: string[];
  logits: number[][];
};

const RENAME: Record<string, string> = { attention_mask: 'input_mask', token_type_ids: 'segment_ids' };

/** Inputs renamed to Google's names and made int32; Cast nodes turn them back into the int64 tensors inside. */
function googleInputs(model: ModelProto): ModelProto {
  const internal = (name: string): string => `${name}_int64`;
  const casts = model.graph.input.map((input) => ({
    name: `cast_${input.name}`,
    op_type: 'Cast',
    input: [RENAME[input.name] ?? input.name],
    output: [internal(input.name)],
    attribute: [{ name: 'to', type: AttributeType.INT, i: DataType.INT64 }],
  }));
  const originals = new Set(model.graph.input.map((i) => i.name));
  const input = model.graph.input.map((i) => ({
    ...i,
    name: RENAME[i.name] ?? i.name,
    type: { tensor_type: { ...i.type.tensor_type, elem_type: DataType.INT32 } },
  }));
  const node = model.graph.node.map((n) => ({
    ...n,
    input: n.input.map((name) => (originals.has(name) ? internal(name) : name)),
  }));
  return { ...model, graph: { ...model.graph, input, node: [...casts, ...node] } };
}

/** Every input's sequence axis fixed to `length`. */
function staticLength(model: ModelProto, length: number): ModelProto {
  const input = model.graph.input.map((i) => {
    const dims = i.type.tensor_type.shape.dim;
    return {
      ...i,
      type: {
        tensor_type: {
          ...i.type.tensor_type,
          shape: { dim: [dims[0] ?? { dim_param: 'batch' }, { dim_value: length }] },
        },
      },
    };
  });
  return { ...model, graph: { ...model.graph, input } };
}

/** Every input's batch axis fixed to `size` (mobile exports often fix it to 1). */
function staticBatch(model: ModelProto, size: number): ModelProto {
  const input = model.graph.input.map((i) => {
    const dims = i.type.tensor_type.shape.dim;
    return {
      ...i,
      type: {
        tensor_type: {
          ...i.type.tensor_type,
          shape: { dim: [{ dim_value: size }, dims[1] ?? { dim_param: 'sequence' }] },
        },
      },
    };
  });
  return { ...model, graph: { ...model.graph, input } };
}

/** The logits output renamed, as exporters that number their outputs write it. */
function renamedOutput(model: ModelProto, name: string): ModelProto {
  const rename = (n: string): string => (n === 'logits' ? name : n);
  return {
    ...model,
    graph: {
      ...model.graph,
      node: model.graph.node.map((n) => ({ ...n, output: n.output.map(rename) })),
      output: model.graph.output.map((o) => ({ ...o, name: rename(o.name) })),
    },
  };
}

/** Writes the rewritten model with the fixture's tokenizer and config.json beside it. */
function writeVariant(ws: TempWorkspace, name: string, model: ModelProto): string {
  const file = ws.write(`${name}/model.onnx`, encodeModel(model));
  for (const companion of readdirSync(FIXTURE).filter((f) => f !== 'model.onnx'))
    copyFileSync(join(FIXTURE, companion), ws.path(`${name}/${companion}`));
  return file;
}

const cli = (args: string[]): CliResult => runCli(args, process.cwd(), 120_000);

function assertPredictsLikeOriginal(file: string): void {
  const args = ['predict', '--model', file, '--json'];
  for (const text of EXPECTED.texts) args.push('--text', text);
  const { code, stdout, stderr } = cli(args);
  assert.equal(code, 0, stderr);
  const { logits } = JSON.parse(stdout) as { logits: number[][] };
  assert.equal(logits.length, EXPECTED.logits.length);
  logits.forEach((row, i) =>
    row.forEach((value, j) => {
      const want = EXPECTED.logits[i]?.[j] ?? NaN;
      assert.ok(Math.abs(value - want) < 1e-4, `logit [${i}][${j}] ${value} vs ${want}`);
    }),
  );
}

function assertEvaluates(ws: TempWorkspace, file: string): void {
  const data = ws.write(
    'eval.tsv',
    `text\tlabel\n${EXPECTED.texts.map((t) => `${t}\tneutral`).join('\n')}\n`,
  );
  const { code, stdout, stderr } = cli(['eval', '--model', file, '--data', data, '--json']);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as { n: number; accuracy: number };
  assert.equal(report.n, 3);
  // Every expected logit row has its largest value at "neutral" (index 1).
  assert.equal(report.accuracy, 1);
}

test('an ONNX file with Google input names (input_mask, segment_ids) and int32 inputs predicts like the original', (t) => {
  const ws = tempWorkspace(t);
  const original = decodeModel(readFileSync(join(FIXTURE, 'model.onnx')));
  const file = writeVariant(ws, 'google', googleInputs(original));
  const rewritten = decodeModel(readFileSync(file));
  assert.deepEqual(
    rewritten.graph.input.map((i) => [i.name, i.type.tensor_type.elem_type]),
    [
      ['input_ids', DataType.INT32],
      ['input_mask', DataType.INT32],
      ['segment_ids', DataType.INT32],
    ],
  );
  assertPredictsLikeOriginal(file);
  assertEvaluates(ws, file);
});

test('an ONNX file with a static sequence length (16) predicts like the original', (t) => {
  const ws = tempWorkspace(t);
  const original = decodeModel(readFileSync(join(FIXTURE, 'model.onnx')));
  const file = writeVariant(ws, 'static', staticLength(original, 16));
  assertPredictsLikeOriginal(file);
  assertEvaluates(ws, file);
  // Both rewrites at once: Google names, int32 and a static length.
  const both = writeVariant(ws, 'both', staticLength(googleInputs(original), 16));
  assertPredictsLikeOriginal(both);
});

test('an ONNX file with a static batch of 1 runs a batch of texts one row at a time; output names do not matter', (t) => {
  const ws = tempWorkspace(t);
  const original = decodeModel(readFileSync(join(FIXTURE, 'model.onnx')));
  const file = writeVariant(ws, 'batch1', staticBatch(original, 1));
  assertPredictsLikeOriginal(file);
  assertEvaluates(ws, file);
  // A batch of 2 fixed: three texts run as two calls, the last one padded with a copy that is dropped.
  assertPredictsLikeOriginal(writeVariant(ws, 'batch2', staticBatch(original, 2)));
  const renamed = writeVariant(ws, 'renamed', renamedOutput(original, 'output_0'));
  assert.deepEqual(
    decodeModel(readFileSync(renamed)).graph.output.map((o) => o.name),
    ['output_0'],
  );
  assertPredictsLikeOriginal(renamed);
});
