// The `export` and `bench` verbs, run in-process through commander as cli.ts wires them: files written beside the
// model, reports (text and JSON), exit codes, usage errors, and the bench JSON against its published schema.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Ajv } from 'ajv';
import { Command, type CommanderError } from 'commander';
import * as ort from 'onnxruntime-node';
import { initBackend } from '../../../src/trainer/backend/backend';
import { loadModel, saveModel } from '../../../src/trainer/checkpoint/modelCheckpoint';
import { UserError } from '../../../src/trainer/cliErrors';
import { registerBenchCommand } from '../../../src/trainer/commands/benchCommand';
import { registerExportCommand } from '../../../src/trainer/commands/exportCommand';
import { openInferenceModel } from '../../../src/trainer/inference/inferenceModel';
import { BENCH_JSON_SCHEMA, BENCH_SCHEMA } from '../../../src/trainer/onnx/benchSchema';
import { dataCollapseWarning, type AccuracyReport } from '../../../src/trainer/onnx/exportAccuracy';
import type { ExportReport } from '../../../src/trainer/onnx/exportModel';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { MODEL_FIXTURES } from './onnxFixtures';

/** Runs `distill-studio <args>` through the two verbs; returns the exit code and output. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let code = 0;
  let stdout = '';
  let stderr = '';
  const io = { out: (text: string) => (stdout += text), err: (text: string) => (stderr += text) };
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerExportCommand(program, (c) => (code = c), io);
  registerBenchCommand(program, (c) => (code = c), io);
  await program.parseAsync(args, { from: 'user' });
  return { code, stdout, stderr };
}

const BERT_CLS = join(MODEL_FIXTURES, 'bert-cls');

// The --ep cuda test makes onnxruntime log a native error about the missing CUDA library before our fallback note;
// the CLI silences it (bench sets this before its first session), a test process has opened sessions already.
ort.env.logLevel = 'fatal';

test('export writes a verified model with the tokenizer files and config.json beside it', async (t) => {
  const ws = tempWorkspace(t);
  const out = ws.path('deploy/bert-cls.onnx');
  const { code, stdout } = await cli([
    'export',
    '--model',
    BERT_CLS,
    '--out',
    out,
    '--backend',
    'cpu',
    '--json',
  ]);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as ExportReport;
  assert.equal(report.written, true);
  assert.equal(report.file, out);
  assert.equal(report.opset, 17);
  assert.equal(report.precision, 'fp32');
  assert.ok(report.verification.maxAbsDiff < 1e-4);
  assert.equal(report.verification.tolerance, 1e-4);
  const expectedBeside = [
    'config.json',
    'vocab.txt',
    'tokenizer.json',
    'tokenizer_config.json',
    'special_tokens_map.json',
  ].filter((f) => existsSync(join(BERT_CLS, f)));
  assert.deepEqual(report.copied, expectedBeside);
  assert.deepEqual(readdirSync(ws.path('deploy')).sort(), ['bert-cls.onnx', ...expectedBeside].sort());
  // The inference layer opens it with labels from the config.json beside it.
  const model = await openInferenceModel(out, undefined);
  assert.deepEqual(model.labels, ['negative', 'neutral', 'positive']);
  const result = await model.run(
    { inputIds: [[2, 7, 9, 3]], attentionMask: [[1, 1, 1, 1]], tokenTypeIds: [[0, 0, 0, 0]] },
    { hidden: false },
  );
  assert.equal(result.logits?.[0]?.length, 3);
  await model.dispose();
});

test('export --quantize int8 reports size, speed and accuracy against the float32 export', async (t) => {
  const ws = tempWorkspace(t);
  const out = ws.path('int8.onnx');
  const { code, stdout } = await cli([
    'export',
    '--model',
    join(MODEL_FIXTURES, 'mobilebert-cls'),
    '--out',
    out,
    '--quantize',
    'int8',
    '--backend',
    'cpu',
  ]);
  assert.equal(code, 0, stdout);
  assert.match(
    stdout,
    /^Exported .*int8\.onnx \([\d.]+ MiB, int8, opset 17, IR 8\): MobileBertForSequenceClassification/,
  );
  assert.match(stdout, /max \|logits diff\| [\d.e+-]+ \(no limit; --tolerance sets one/);
  assert.match(stdout, /predictions agree [\d.]+% \(\d+\/72\)/);
  assert.match(
    stdout,
    /vs the float32 export: size [\d.]+ MiB \/ [\d.]+ MiB = 0\.\d\dx, speed [\d.]+x \(p50/,
  );
  assert.ok(existsSync(out));
});

test('export --with-hidden --quantize fp16 --opset 13 --max-length 32', async (t) => {
  const ws = tempWorkspace(t);
  const out = ws.path('fp16.onnx');
  const args = [
    'export',
    '--model',
    join(MODEL_FIXTURES, 'bert-mlm'),
    '--out',
    out,
    '--quantize',
    'fp16',
    '--with-hidden',
  ];
  const { code, stdout } = await cli([
    ...args,
    '--opset',
    '13',
    '--max-length',
    '32',
    '--backend',
    'cpu',
    '--json',
  ]);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as ExportReport;
  assert.equal(report.irVersion, 7);
  assert.equal(report.maxLength, 32);
  assert.deepEqual(report.outputs, ['logits', 'hidden_states.0..2', 'attentions.0..1']);
  assert.ok(Math.max(...report.verification.cases.map((c) => c.length)) === 32);
  assert.ok((report.verification.hiddenMaxAbsDiff ?? 1) < 0.1);
  assert.ok(report.quantization !== undefined && report.quantization.sizeRatio < 0.7);
});

test('export fails with exit 1 and writes nothing when the difference is above --tolerance', async (t) => {
  const ws = tempWorkspace(t);
  const out = ws.path('strict.onnx');
  const { code, stdout } = await cli([
    'export',
    '--model',
    BERT_CLS,
    '--out',
    out,
    '--tolerance',
    '1e-12',
    '--backend',
    'cpu',
  ]);
  assert.equal(code, 1);
  assert.match(stdout, /^NOT written: .*strict\.onnx failed verification/);
  assert.match(stdout, /Re-run with --tolerance/);
  assert.equal(existsSync(out), false);
});

test('export usage errors: opset out of range, unknown quantization, missing model', async (t) => {
  const ws = tempWorkspace(t);
  const out = ws.path('x.onnx');
  await assert.rejects(
    cli(['export', '--model', BERT_CLS, '--out', out, '--opset', '12']),
    (e: CommanderError) => /expected an integer 13\.\.21/.test(e.message),
  );
  await assert.rejects(
    cli(['export', '--model', BERT_CLS, '--out', out, '--quantize', 'int4']),
    (e: CommanderError) => /Allowed choices are int8, fp16/.test(e.message),
  );
  await assert.rejects(cli(['export', '--out', out]), /required option '--model <dir>'/);
  await assert.rejects(
    cli(['export', '--model', ws.path('nowhere'), '--out', out, '--backend', 'cpu']),
    (e: UserError) => e instanceof UserError && e.exitCode === 2 && /config\.json is missing/.test(e.message),
  );
  await assert.rejects(
    cli(['export', '--model', BERT_CLS, '--out', out, '--max-length', '65', '--backend', 'cpu']),
    (e: UserError) => e instanceof UserError && /max_position_embeddings/.test(e.message),
  );
});

test('bench measures several models, compares them with the first, and saves <name>.bench.json beside each', async (t) => {
  const ws = tempWorkspace(t);
  const fp32 = ws.path('models/student.onnx');
  const int8 = ws.path('models/student-int8.onnx');
  assert.equal(
    (await cli(['export', '--model', BERT_CLS, '--out', fp32, '--backend', 'cpu', '--json'])).code,
    0,
  );
  assert.equal(
    (
      await cli([
        'export',
        '--model',
        BERT_CLS,
        '--out',
        int8,
        '--quantize',
        'int8',
        '--backend',
        'cpu',
        '--json',
      ])
    ).code,
    0,
  );
  const args = [
    'bench',
    '--model',
    fp32,
    '--model',
    int8,
    '--batch',
    '1,2',
    '--seq',
    '8,128',
    '--threads',
    '1',
    '--warmup',
    '1',
    '--runs',
    '3',
  ];
  const { code, stdout } = await cli([...args, '--json']);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as {
    schema: string;
    models: {
      points: { p50Ms: number; p90Ms: number; p99Ms: number; speedup?: number }[];
      skipped: unknown[];
      parameters: number;
      speedup?: number;
    }[];
  };
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(BENCH_JSON_SCHEMA);
  assert.ok(validate(report), ajv.errorsText(validate.errors));
  assert.equal(report.schema, BENCH_SCHEMA);
  assert.equal(report.models.length, 2);
  for (const model of report.models) {
    assert.equal(model.points.length, 2, 'batch 1 and 2 at length 8');
    assert.equal(model.skipped.length, 2, 'length 128 is over max_length 64');
    assert.equal(model.parameters, 20_077);
    for (const p of model.points) assert.ok(p.p50Ms > 0 && p.p50Ms <= p.p90Ms && p.p90Ms <= p.p99Ms);
  }
  assert.equal(report.models[0]?.speedup, 1);
  assert.ok((report.models[1]?.points[0]?.speedup ?? 0) > 0);
  for (const name of ['student', 'student-int8']) {
    const saved = JSON.parse(readFileSync(ws.path(`models/${name}.bench.json`), 'utf8')) as {
      models: unknown[];
    };
    assert.ok(validate(saved), ajv.errorsText(validate.errors));
    assert.equal(saved.models.length, 1);
  }
  // The text report: a table per model and the speed-up.
  const text = await cli([...args.slice(0, 5), '--batch', '1', '--seq', '8', '--runs', '2', '--warmup', '0']);
  assert.match(
    text.stdout,
    /student-int8\.onnx: [\d.]+ MiB, 20,077 parameters, int8, CPU, peak RSS [\d.]+ MiB, [\d.]+x vs student/,
  );
  assert.match(text.stdout, /batch {2}seq {3}p50 ms {3}p90 ms {3}p99 ms/);
  assert.match(text.stdout, /Saved .*student\.bench\.json, .*student-int8\.bench\.json/);
});

test('bench falls back to the CPU with a clear note when CUDA is missing, and rejects what it cannot measure', async (t) => {
  const ws = tempWorkspace(t);
  const file = ws.path('m.onnx');
  assert.equal(
    (await cli(['export', '--model', BERT_CLS, '--out', file, '--backend', 'cpu', '--json'])).code,
    0,
  );
  const { code, stdout } = await cli([
    'bench',
    '--model',
    file,
    '--batch',
    '1',
    '--seq',
    '4',
    '--runs',
    '1',
    '--warmup',
    '0',
    '--ep',
    'cuda',
    '--json',
  ]);
  assert.equal(code, 0);
  const model = (JSON.parse(stdout) as { models: { executionProvider: string; fallback?: string }[] })
    .models[0];
  // On a machine with the CUDA provider installed it runs there; here it falls back and says how to enable it.
  if (model?.executionProvider === 'cpu')
    assert.match(
      model.fallback ?? '',
      /CUDA is unavailable .*running on the CPU.*onnxruntime-node-install=cuda12/,
    );
  else assert.equal(model?.executionProvider, 'cuda');
  await assert.rejects(
    cli(['bench', '--model', join(BERT_CLS, 'vocab.txt')]),
    (e: UserError) =>
      e instanceof UserError && /neither a \.onnx file nor a checkpoint folder/.test(e.message),
  );
  await assert.rejects(
    cli(['bench', '--model', dirname(ws.write('empty/notes.txt', ''))]),
    (e: UserError) => e instanceof UserError && /folder without config\.json/.test(e.message),
  );
  await assert.rejects(cli(['bench', '--model', ws.path('missing.onnx')]), /does not exist/);
  await assert.rejects(cli(['bench']), /at least one --model/);
  await assert.rejects(
    cli(['bench', '--model', file, '--batch', '1,x']),
    /positive integers separated by commas/,
  );
});

test('bench times a checkpoint folder through TensorFlow.js side by side with its ONNX export', async (t) => {
  const ws = tempWorkspace(t);
  const checkpoint = ws.path('bert-cls');
  cpSync(BERT_CLS, checkpoint, { recursive: true });
  const onnx = ws.path('bert-cls.onnx');
  assert.equal(
    (await cli(['export', '--model', checkpoint, '--out', onnx, '--backend', 'cpu', '--json'])).code,
    0,
  );
  const args = ['bench', '--model', checkpoint, '--model', onnx, '--batch', '1,2', '--seq', '8,128'];
  const timing = ['--threads', '1', '--warmup', '1', '--runs', '3', '--backend', 'cpu'];
  const { code, stdout } = await cli([...args, ...timing, '--json']);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as {
    baseline: string;
    models: {
      runtime: string;
      backend?: string;
      fileBytes: number;
      parameters: number;
      precision?: string;
      peakRssBytes: number;
      peakRssMethod?: string;
      points: { p50Ms: number; p90Ms: number; p99Ms: number; samplesPerSecond: number; speedup?: number }[];
      skipped: { reason: string }[];
      speedup?: number;
    }[];
  };
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(BENCH_JSON_SCHEMA);
  assert.ok(validate(report), ajv.errorsText(validate.errors));
  assert.equal(report.baseline, checkpoint);
  const [tfjs, ort32] = report.models;
  assert.equal(tfjs?.runtime, 'tfjs');
  assert.match(tfjs?.backend ?? '', /^TensorFlow\.js backend: cpu/);
  assert.equal(tfjs?.fileBytes, statSync(join(checkpoint, 'model.safetensors')).size);
  assert.equal(tfjs?.precision, 'fp32');
  assert.equal(ort32?.runtime, 'onnxruntime');
  for (const model of [tfjs, ort32]) {
    assert.equal(model?.parameters, 20_077, 'the same model counted the same way in both runtimes');
    assert.equal(model?.points.length, 2, 'batch 1 and 2 at length 8');
    assert.equal(model?.skipped.length, 2, 'length 128 is over max_position_embeddings 64');
    assert.ok((model?.peakRssBytes ?? 0) > 0);
    // Linux: the kernel's high-water mark, reset for each model, so peaks inside a run count.
    if (process.platform === 'linux') assert.equal(model?.peakRssMethod, 'kernel-high-water-mark');
    for (const p of model?.points ?? [])
      assert.ok(p.p50Ms > 0 && p.p50Ms <= p.p90Ms && p.p90Ms <= p.p99Ms && p.samplesPerSecond > 0);
  }
  assert.equal(tfjs?.speedup, 1, 'speed-ups are relative to the first model, the TF.js checkpoint');
  assert.ok((ort32?.speedup ?? 0) > 0 && (ort32?.points[0]?.speedup ?? 0) > 0);
  // Saved beside the folder, never inside it, and apart from bert-cls.onnx's own bert-cls.bench.json.
  for (const [name, runtime] of [
    ['bert-cls.tfjs.bench.json', 'tfjs'],
    ['bert-cls.bench.json', 'onnxruntime'],
  ]) {
    const saved = JSON.parse(readFileSync(ws.path(name ?? ''), 'utf8')) as { models: { runtime: string }[] };
    assert.ok(validate(saved), ajv.errorsText(validate.errors));
    assert.equal(saved.models[0]?.runtime, runtime);
  }
  assert.ok(!existsSync(join(checkpoint, 'bench.json')));
  const text = await cli([...args.slice(0, 5), '--batch', '1', '--seq', '8', '--runs', '2', '--warmup', '0']);
  assert.match(
    text.stdout,
    /bert-cls: [\d.]+ MiB, 20,077 parameters, fp32, TensorFlow\.js backend: \w+.*, peak RSS [\d.]+ MiB/,
  );
  assert.match(
    text.stdout,
    /bert-cls\.onnx: [\d.]+ MiB, 20,077 parameters, fp32, CPU, peak RSS [\d.]+ MiB, [\d.]+x vs bert-cls/,
  );
});

const LABELLED = `text\tlabel
The movie was not good!\tnegative
정말 재미있어요\tpositive
unlikely plot, great acting\tpositive
a fine film\tpositive
boring\tnegative
not good at all\tneutral
`;

test('export --data reports the accuracy of the export and its change from the float32 model', async (t) => {
  const ws = tempWorkspace(t);
  const data = ws.write('data/dev.tsv', LABELLED);
  const run = async (precision: 'fp32' | 'int8' | 'fp16'): Promise<ExportReport> => {
    const quantize = precision === 'fp32' ? [] : ['--quantize', precision];
    const out = ws.path(`models/${precision}.onnx`);
    const { code, stdout } = await cli([
      'export',
      '--model',
      BERT_CLS,
      '--out',
      out,
      '--data',
      data,
      ...quantize,
      '--backend',
      'cpu',
      '--json',
    ]);
    assert.equal(code, 0);
    return JSON.parse(stdout) as ExportReport;
  };
  const fp32 = await run('fp32');
  assert.equal(fp32.accuracy?.n, 6);
  assert.equal(fp32.accuracy?.baselineKind, 'tfjs', 'an fp32 export is compared with the checkpoint');
  assert.deepEqual(fp32.accuracy?.labels, ['negative', 'neutral', 'positive']);
  assert.equal(fp32.accuracy?.accuracyChange, 0, 'fp32 matches TF.js within 1e-4: the same predictions');
  assert.deepEqual(fp32.accuracy?.exported.predictedCounts, fp32.accuracy?.baseline.predictedCounts);
  assert.equal(fp32.accuracy?.collapsed, false);
  for (const precision of ['int8', 'fp16'] as const) {
    const r = await run(precision);
    const a = r.accuracy;
    assert.equal(a?.baselineKind, 'fp32-onnx', `${precision} is compared with the float32 export`);
    assert.equal(a?.baseline.accuracy, fp32.accuracy?.exported.accuracy);
    assert.equal(a?.accuracyChange, (a?.exported.accuracy ?? NaN) - (a?.baseline.accuracy ?? NaN));
    assert.equal(
      a?.exported.predictedCounts.reduce((x, y) => x + y, 0),
      6,
    );
  }
  // The text report names the data and both accuracies; the temporary float32 file is gone.
  const text = await cli([
    'export',
    '--model',
    BERT_CLS,
    '--out',
    ws.path('models/t.onnx'),
    '--quantize',
    'int8',
    '--data',
    data,
    '--backend',
    'cpu',
  ]);
  assert.equal(text.code, 0);
  assert.match(
    text.stdout,
    /accuracy on .*dev\.tsv \(6 rows\): [\d.]+% vs [\d.]+% for the float32 export \([+-][\d.]+ points\), macro-F1/,
  );
  // Bad --data is a usage error before anything is written.
  await assert.rejects(
    cli([
      'export',
      '--model',
      BERT_CLS,
      '--out',
      ws.path('models/x.onnx'),
      '--data',
      data,
      '--label-column',
      'gold',
    ]),
    /no column "gold"/,
  );
  assert.ok(!existsSync(ws.path('models/x.onnx')));
  // So are labels the model does not predict, found before the export (not after writing it).
  const otherLabels = ws.write('data/other.tsv', 'text\tlabel\na fine film\tgood\n');
  await assert.rejects(
    cli(['export', '--model', BERT_CLS, '--out', ws.path('models/y.onnx'), '--data', otherLabels]),
    /other\.tsv:2: label "good" is not one the model predicts \(negative, neutral, positive\); nothing was exported/,
  );
  assert.ok(!existsSync(ws.path('models/y.onnx')));
});

test('a collapse on the --data rows is a loud warning with the class counts and accuracies', () => {
  const report: AccuracyReport = {
    data: 'dev.tsv',
    n: 40,
    labels: ['negative', 'positive'],
    exported: { accuracy: 0.575, macroF1: 0.365, predictedCounts: [40, 0] },
    baselineKind: 'fp32-onnx',
    baseline: { accuracy: 0.8, macroF1: 0.79, predictedCounts: [22, 18] },
    accuracyChange: -0.225,
    collapsed: true,
  };
  assert.equal(
    dataCollapseWarning('int8', report),
    'PREDICTIONS COLLAPSED ON dev.tsv: the int8 model predicts one class for all 40 rows (negative:40 positive:0) where the float32 export predicts several (negative:22 positive:18); accuracy 57.5% vs 80.0%. Do not ship it: export fp32 or fp16 instead.',
  );
  assert.equal(dataCollapseWarning('int8', { ...report, collapsed: false }), undefined);
});

/**
 * bert-cls rebuilt so int8 must collapse, the way outlier activations break dynamic quantization in practice: pooler
 * feature 0 is a constant 1 (tanh(10)) and carries no weight, the others are ~1e-4 and carry all of it. uint8
 * activations spread one step of 1/255 over [0, 1], so the informative features all round to zero and every input
 * gets the classifier bias: one class.
 */
async function collapsingCheckpoint(dir: string): Promise<void> {
  await initBackend('cpu');
  const { model } = await loadModel(BERT_CLS);
  const weight = model.params.get('bert.pooler.dense.weight');
  const bias = model.params.get('bert.pooler.dense.bias');
  const classifier = model.params.get('classifier.weight');
  assert.ok(weight && bias && classifier);
  const [width = 0] = weight.shape;
  const notFirst = (rows: number, axis: 0 | 1): tf.Tensor2D =>
    tf.tensor2d(
      Array.from({ length: rows }, (_, i) =>
        Array.from({ length: width }, (_, j) => ((axis === 0 ? i : j) === 0 ? 0 : 1)),
      ),
    );
  weight.assign(tf.mul(tf.mul(weight, notFirst(width, 0)), 1e-4));
  bias.assign(tf.tensor1d(Array.from({ length: width }, (_, i) => (i === 0 ? 10 : 0))));
  classifier.assign(tf.mul(tf.mul(classifier, notFirst(classifier.shape[0] ?? 0, 1)), 1e4));
  await saveModel(model, dir);
  model.params.dispose();
  for (const name of ['vocab.txt', 'tokenizer.json', 'tokenizer_config.json'])
    cpSync(join(BERT_CLS, name), join(dir, name));
}

test('an int8 export that collapses to one class is reported loudly on stderr, framed, with the class counts', async (t) => {
  const ws = tempWorkspace(t);
  const checkpoint = ws.path('outliers');
  await collapsingCheckpoint(checkpoint);
  const { code, stdout, stderr } = await cli([
    'export',
    '--model',
    checkpoint,
    '--out',
    ws.path('int8.onnx'),
    '--quantize',
    'int8',
    '--backend',
    'cpu',
  ]);
  assert.equal(code, 0, 'written (the user decides), but impossible to miss');
  const frame = '!'.repeat(72);
  const framed = new RegExp(
    `${frame}\\nPREDICTIONS COLLAPSED: the int8 model predicts one class for every input \\(class counts (\\d+:\\d+ ?)+\\) where the original predicts several \\((\\d+:\\d+ ?)+\\); agreement [\\d.]+%\\. Do not ship it: export fp32 or fp16 instead\\.\\n${frame}`,
  );
  assert.match(stderr, framed);
  assert.match(stdout, /^WARNING: PREDICTIONS COLLAPSED/m);
  // The float32 export of the same checkpoint does not collapse: it is the quantization.
  const fp32 = await cli([
    'export',
    '--model',
    checkpoint,
    '--out',
    ws.path('fp32.onnx'),
    '--backend',
    'cpu',
    '--json',
  ]);
  const report = JSON.parse(fp32.stdout) as ExportReport;
  assert.equal(report.verification.collapsed, false);
  assert.ok((report.verification.classCounts?.onnx.filter((n) => n > 0).length ?? 0) >= 2);
});
