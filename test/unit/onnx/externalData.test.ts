// ONNX external data, for models over protobuf's 2 GiB: weights in `<name>.onnx.data` beside the model, each tensor's
// location/offset/length in TensorProto.external_data. A tiny model stands in for a large one: `--external-data`
// forces the layout and a low `externalDataThreshold` exercises the automatic switch. The files must verify, run in
// predict/eval/bench from any folder, pass onnx.checker (onnxChecker.test.ts), and other writers' external data
// (onnx's own, when Python's onnx is installed) must load too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import { UserError } from '../../../src/trainer/cliErrors';
import { registerBenchCommand } from '../../../src/trainer/commands/benchCommand';
import { registerExportCommand } from '../../../src/trainer/commands/exportCommand';
import { openInferenceModel, type InferenceModel } from '../../../src/trainer/inference/inferenceModel';
import { toExternalData } from '../../../src/trainer/onnx/externalData';
import { exportModel, type ExportReport } from '../../../src/trainer/onnx/exportModel';
import { readModelSkeleton } from '../../../src/trainer/onnx/onnxSkeleton';
import { DataLocation, decodeModel, encodeModel } from '../../../src/trainer/onnx/onnxProto';
import { tempWorkspace, type TempWorkspace } from '../../helpers/tempWorkspace';

const BERT_CLS = resolve('test/fixtures/models/bert-cls');
const MOBILEBERT_CLS = resolve('test/fixtures/models/mobilebert-cls');
const PYTORCH = resolve('test/fixtures/onnx/bert-cls');
const EXPECTED = JSON.parse(readFileSync(join(BERT_CLS, 'expected_predict.json'), 'utf8')) as {
  texts: string[];
  logits: number[][];
};
const BATCH = {
  inputIds: [
    [2, 7, 9, 3, 0],
    [2, 11, 4, 12, 3],
  ],
  attentionMask: [
    [1, 1, 1, 1, 0],
    [1, 1, 1, 1, 1],
  ],
  tokenTypeIds: [
    [0, 0, 0, 0, 0],
    [0, 0, 1, 1, 1],
  ],
};

ort.env.logLevel = 'fatal';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let code = 0;
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => (stdout += t), err: (t: string) => (stderr += t) };
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerExportCommand(program, (c) => (code = c), io);
  registerBenchCommand(program, (c) => (code = c), io);
  await program.parseAsync(args, { from: 'user' });
  return { code, stdout, stderr };
}

async function logitsOf(file: string): Promise<number[][]> {
  const model: InferenceModel = await openInferenceModel(file, undefined);
  try {
    return (await model.run(BATCH, { hidden: false })).logits ?? [];
  } finally {
    await model.dispose();
  }
}

function assertClose(actual: number[][], expected: number[][], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) =>
    row.forEach((v, j) => {
      const want = expected[i]?.[j] ?? NaN;
      assert.ok(Math.abs(v - want) <= tolerance, `[${i}][${j}] ${v} vs ${want}`);
    }),
  );
}

test('export --external-data writes <name>.onnx.data beside the model, verified, with aligned offsets', async (t) => {
  const ws = tempWorkspace(t);
  const inline = ws.path('inline/model.onnx');
  const out = ws.path('deploy/student.onnx');
  assert.equal(
    (await cli(['export', '--model', BERT_CLS, '--out', inline, '--backend', 'cpu', '--json'])).code,
    0,
  );
  const { code, stdout } = await cli([
    'export',
    '--model',
    BERT_CLS,
    '--out',
    out,
    '--external-data',
    '--backend',
    'cpu',
    '--json',
  ]);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as ExportReport;
  assert.equal(report.written, true);
  assert.ok(report.verification.maxAbsDiff < 1e-4, 'verified from its path like any runtime loads it');
  const dataFile = ws.path('deploy/student.onnx.data');
  assert.deepEqual(report.externalData?.file, dataFile);
  assert.equal(report.externalData?.bytes, statSync(dataFile).size);
  assert.equal(report.bytes, statSync(out).size + statSync(dataFile).size);
  assert.ok(
    statSync(out).size < statSync(dataFile).size / 2,
    'the .onnx keeps the graph, the .data the weights',
  );
  // Every tensor of 1 KiB or more is external, at a 64-byte aligned offset, inside the data file.
  const skeleton = await readModelSkeleton(out);
  const full = decodeModel(readFileSync(inline));
  const size = statSync(dataFile).size;
  let external = 0;
  for (const tensor of skeleton.graph.initializer) {
    const bytes = full.graph.initializer.find((x) => x.name === tensor.name)?.raw_data?.byteLength ?? 0;
    if (bytes < 1024) {
      assert.notEqual(tensor.data_location, DataLocation.EXTERNAL, tensor.name);
      continue;
    }
    external += 1;
    assert.equal(tensor.data_location, DataLocation.EXTERNAL, tensor.name);
    const entries = new Map((tensor.external_data ?? []).map((e) => [e.key, e.value]));
    assert.equal(entries.get('location'), 'student.onnx.data');
    const offset = Number(entries.get('offset'));
    assert.equal(Number(entries.get('length')), bytes);
    assert.equal(offset % 64, 0);
    assert.ok(offset + bytes <= size);
    // The bytes at that offset are the tensor's.
    const expected = full.graph.initializer.find((x) => x.name === tensor.name)?.raw_data;
    assert.deepEqual(
      new Uint8Array(readFileSync(dataFile).subarray(offset, offset + bytes)),
      new Uint8Array(expected ?? []),
    );
  }
  assert.equal(external, report.externalData?.tensors);
  assert.ok(external > 10);
  // The same model: identical logits to the inline export.
  assert.deepEqual(await logitsOf(out), await logitsOf(inline));
  assert.match(
    (await cli(['export', '--model', BERT_CLS, '--out', out, '--external-data', '--backend', 'cpu'])).stdout,
    /weights: .*student\.onnx\.data \(ONNX external data, \d+ tensors, [\d.]+ MiB\); keep it beside the \.onnx/,
  );
});

test('the switch is automatic above the threshold; int8 and its float32 baseline follow the same rule', async (t) => {
  const ws = tempWorkspace(t);
  const base = { modelDir: MOBILEBERT_CLS, opset: 17, withHidden: false } as const;
  const small = await exportModel({ ...base, out: ws.path('a/model.onnx'), precision: 'fp32' });
  assert.equal(small.externalData, undefined, 'below the default threshold (2 GiB) the weights stay inline');
  assert.deepEqual(
    readdirSync(ws.path('a')).filter((f) => f.startsWith('model.')),
    ['model.onnx'],
  );
  const forced = await exportModel({
    ...base,
    out: ws.path('b/model.onnx'),
    precision: 'int8',
    externalDataThreshold: 1,
    evaluate: {
      data: ws.write('dev.tsv', 'text\tlabel\na fine film\tpositive\nboring\tnegative\nnot good\tnegative\n'),
      textColumn: 'text',
      labelColumn: 'label',
      backend: 'cpu',
    },
  });
  assert.equal(forced.written, true);
  assert.ok(forced.externalData !== undefined && existsSync(forced.externalData.file));
  // The float32 baseline was built, timed and evaluated with external data too, and left nothing behind.
  assert.ok(forced.quantization !== undefined && forced.quantization.baseline.bytes > forced.bytes);
  assert.equal(forced.accuracy?.baselineKind, 'fp32-onnx');
  assert.equal(forced.accuracy?.n, 3);
  assert.deepEqual(
    readdirSync(ws.path('b'))
      .filter((f) => f.startsWith('model.'))
      .sort(),
    ['model.onnx', 'model.onnx.data'],
  );
  const never = exportModel({
    ...base,
    out: ws.path('c/model.onnx'),
    precision: 'fp32',
    externalData: 'never',
  });
  assert.equal((await never).externalData, undefined);
});

test('a model with external data runs from any folder it is moved to, and a missing .data file is named', async (t) => {
  const ws = tempWorkspace(t);
  const out = ws.path('one/model.onnx');
  await exportModel({
    modelDir: BERT_CLS,
    out,
    opset: 17,
    precision: 'fp32',
    withHidden: false,
    externalData: 'always',
  });
  const expected = await logitsOf(out);
  cpSync(ws.path('one'), ws.path('two'), { recursive: true });
  assertClose(await logitsOf(ws.path('two/model.onnx')), expected, 0);
  renameSync(ws.path('two/model.onnx.data'), ws.path('two/elsewhere.data'));
  await assert.rejects(
    openInferenceModel(ws.path('two/model.onnx'), undefined),
    (e: Error) =>
      e instanceof UserError &&
      /keeps its weights in ONNX external data, and "model\.onnx\.data" \(tensor [\w.]+\) is not beside it/.test(
        e.message,
      ),
  );
  await assert.rejects(
    cli(['bench', '--model', ws.path('two/model.onnx'), '--batch', '1', '--seq', '4', '--runs', '1']),
    /model\.onnx\.data is missing/,
  );
});

test('bench counts the external data in the file size and lists the data file', async (t) => {
  const ws = tempWorkspace(t);
  const out = ws.path('m.onnx');
  await exportModel({
    modelDir: BERT_CLS,
    out,
    opset: 17,
    precision: 'fp32',
    withHidden: false,
    externalData: 'always',
  });
  const { code, stdout } = await cli([
    'bench',
    '--model',
    out,
    '--batch',
    '1',
    '--seq',
    '8',
    '--runs',
    '2',
    '--warmup',
    '0',
    '--json',
  ]);
  assert.equal(code, 0);
  const model = (
    JSON.parse(stdout) as {
      models: { fileBytes: number; externalDataFiles?: string[]; parameters: number; points: unknown[] }[];
    }
  ).models[0];
  assert.equal(model?.fileBytes, statSync(out).size + statSync(`${out}.data`).size);
  assert.deepEqual(model?.externalDataFiles, [`${out}.data`]);
  assert.equal(model?.parameters, 20_077);
  assert.equal(model?.points.length, 1);
});

/** The PyTorch (torch.onnx) fixture with its companions, in `folder` of `ws`. */
function foreignCopy(ws: TempWorkspace, folder: string): string {
  for (const name of readdirSync(PYTORCH))
    copyFileSync(join(PYTORCH, name), ws.write(`${folder}/${name}`, ''));
  return ws.path(`${folder}/model.onnx`);
}

function assertPredictsLikeHuggingFace(file: string): void {
  const args = [resolve('bin/distill-studio.js'), 'predict', '--model', file, '--json'];
  for (const text of EXPECTED.texts) args.push('--text', text);
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  assertClose((JSON.parse(run.stdout) as { logits: number[][] }).logits, EXPECTED.logits, 1e-4);
}

test("another exporter's graph with its weights moved to external data predicts like the original", (t) => {
  const ws = tempWorkspace(t);
  const file = foreignCopy(ws, 'torch');
  const moved = toExternalData(decodeModel(readFileSync(file)), 'weights.bin', 0);
  ws.write('torch/model.onnx', encodeModel(moved.model));
  ws.write('torch/weights.bin', Buffer.concat(moved.external.chunks));
  assert.ok(moved.external.tensors > 10);
  assertPredictsLikeHuggingFace(file);
});

const PYTHON = '/usr/bin/python3';
const pythonOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
const skipPython =
  pythonOnnx.error !== undefined || pythonOnnx.status !== 0
    ? 'python3-onnx is not installed (apt-get install -y python3-onnx)'
    : false;

test(
  "external data written by onnx's own save_model (one file per tensor) loads and predicts",
  { skip: skipPython },
  (t) => {
    const ws = tempWorkspace(t);
    const file = foreignCopy(ws, 'python');
    const script = `
import sys, onnx
model = onnx.load(sys.argv[1])
onnx.save_model(model, sys.argv[1], save_as_external_data=True, all_tensors_to_one_file=False, size_threshold=0)
`;
    const run = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(readdirSync(ws.path('python')).length > 10, 'one data file per tensor beside the model');
    assertPredictsLikeHuggingFace(file);
  },
);
