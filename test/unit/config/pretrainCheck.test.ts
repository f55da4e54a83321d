// Validation of pre-training distillation and ONNX teachers: a masked-LM stage needs a teacher with a masked-LM
// head (read from the checkpoint's tensor names), pretrainTeacher must be trained, ONNX-only teachers cannot be
// trained or give pre-softmax scores, and the built-in schedules with a pretrain stage expand and validate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { expandStages } from '../../../src/config/stagePresets';
import type { DistillConfig } from '../../../src/protocol/config';
import { pretrainRunConfig, writePretrainRun } from '../../helpers/pretrainRun';
import { tempWorkspace } from '../../helpers/tempWorkspace';
import { codes, errors, find, validateIn } from '../../helpers/validate';

type Config = Record<string, unknown>;

function config(patch: (c: Config) => void = () => {}): Config {
  const c = pretrainRunConfig();
  patch(c);
  return c;
}

test('the pretrain fixture config is valid: BertForMaskedLM pretrainTeacher, classifier teacher', async (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  const result = await validateIn(ws, config());
  assert.deepEqual(errors(result), []);
});

test('a masked-LM stage whose teacher checkpoint has no masked-LM head is an error at the stage, with the fix', async (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  const result = await validateIn(
    ws,
    config((c) => delete c['pretrainTeacher']),
  );
  const d = find(result, 'teacher-no-mlm-head');
  assert.equal(d.severity, 'error');
  assert.deepEqual(d.path, ['stages', 0, 'kind']);
  assert.match(
    d.message,
    /checkpoint \(.*bert-cls\) has no masked-LM head \(no cls\.predictions\.\* tensors/,
  );
  assert.match(
    d.message,
    /Give "pretrainTeacher": \{ "checkpoint": "<folder>" \} with a pre-trained model saved as BertForMaskedLM/,
  );
  assert.match(d.message, /"losses\.maskedLm\.weight": 0/);
  // Without the masked-LM loss the stage distils features only and needs no head.
  const off = await validateIn(
    ws,
    config((c) => {
      delete c['pretrainTeacher'];
      (c['losses'] as Record<string, unknown>)['maskedLm'] = { weight: 0 };
    }),
  );
  assert.ok(!codes(off).includes('teacher-no-mlm-head'));
  // A teacher checkpoint that has the head (BertForMaskedLM) is fine as the only teacher.
  const mlm = await validateIn(
    ws,
    config((c) => {
      delete c['pretrainTeacher'];
      c['teacher'] = { checkpoint: 'bert-mlm' };
      c['stages'] = [{ name: 'mlm', kind: 'pretrain-distill', steps: 2 }];
    }),
  );
  assert.deepEqual(errors(mlm), []);
});

test('a teacher trained in the run has no masked-LM head; an untrained pretrainTeacher is an error', async (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  const trainedHere = await validateIn(
    ws,
    config((c) => {
      delete c['pretrainTeacher'];
      c['teacher'] = { preset: 'bert-tiny', config: { vocab_size: 99, max_position_embeddings: 64 } };
      c['stages'] = [
        { name: 'teacher', kind: 'train', model: 'teacher', steps: 2 },
        { name: 'mlm', kind: 'pretrain-distill', steps: 2 },
      ];
    }),
  );
  const d = find(trainedHere, 'teacher-no-mlm-head');
  assert.deepEqual(d.path, ['stages', 1, 'kind']);
  assert.match(d.message, /a teacher trained here is a classifier without a masked-LM head/);
  const untrained = await validateIn(
    ws,
    config((c) => (c['pretrainTeacher'] = { preset: 'bert-tiny', config: { vocab_size: 99 } })),
  );
  const u = find(untrained, 'teacher-untrained');
  assert.deepEqual(u.path, ['pretrainTeacher']);
  assert.match(u.message, /"pretrainTeacher" needs trained weights/);
});

test('pretrain stages read unlabelled text unless told to use the labelled texts', async (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  const none = await validateIn(
    ws,
    config((c) => delete (c['data'] as Record<string, unknown>)['unlabelled']),
  );
  const d = find(none, 'stage-needs-unlabelled');
  assert.match(d.message, /or set "data": "labelled" to pre-train on the labelled texts/);
  const labelled = await validateIn(
    ws,
    config((c) => {
      delete (c['data'] as Record<string, unknown>)['unlabelled'];
      c['stages'] = [{ name: 'mlm', kind: 'pretrain-distill', steps: 2, data: 'labelled' }];
    }),
  );
  assert.ok(!codes(labelled).includes('stage-needs-unlabelled'));
});

test('ONNX teachers: the file must exist, cannot be trained, and give no pre-softmax scores', async (t) => {
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  const missing = await validateIn(
    ws,
    config((c) => (c['teacher'] = { onnx: 'nowhere/model.onnx' })),
  );
  const m = find(missing, 'file-missing');
  assert.deepEqual(m.path, ['teacher', 'onnx']);
  assert.match(m.message, /Export one with `distill-studio export --with-hidden`/);
  ws.write('onnx-teacher/model.onnx', 'not really onnx; validation only checks the file and its config.json');
  ws.write('onnx-teacher/config.json', readFixture('bert-cls/config.json'));
  ws.write('onnx-teacher/vocab.txt', readFixture('bert-cls/vocab.txt'));
  const trained = await validateIn(
    ws,
    config((c) => {
      c['teacher'] = { onnx: 'onnx-teacher/model.onnx' };
      c['stages'] = [
        { name: 'teacher', kind: 'train', model: 'teacher', steps: 2 },
        { name: 'distill', kind: 'distill', steps: 2 },
      ];
    }),
  );
  const d = find(trained, 'onnx-teacher-unsupported');
  assert.deepEqual(d.path, ['stages', 0, 'model']);
  assert.match(d.message, /given only as an ONNX file/);
  const scores = await validateIn(
    ws,
    config((c) => {
      c['teacher'] = { checkpoint: 'bert-cls', runtime: 'onnx' };
      (c['losses'] as Record<string, unknown>)['attention'] = {
        weight: 1,
        kind: 'mse-scores',
        headMapping: 'group',
      };
    }),
  );
  const s = find(scores, 'onnx-teacher-unsupported');
  assert.deepEqual(s.path, ['losses', 'attention', 'kind']);
  // An ONNX-only teacher is described by the config.json beside the file: shapes, labels and tokenizer all check.
  const onnxOnly = await validateIn(
    ws,
    config((c) => {
      c['teacher'] = { onnx: 'onnx-teacher/model.onnx' };
      c['stages'] = [{ name: 'distill', kind: 'distill', steps: 2 }];
    }),
  );
  assert.deepEqual(errors(onnxOnly), []);
  const student = await validateIn(
    ws,
    config((c) => (c['student'] = { preset: 'mobilebert-tiny', runtime: 'onnx' })),
  );
  assert.ok(codes(student).includes('schema-unknown-property'), 'runtime is a teacher setting');
});

function readFixture(path: string): string {
  return readFileSync(`test/fixtures/models/${path}`, 'utf8');
}

test('built-in schedules with pre-training: TinyBERT general + task distillation, MobileBERT pretrain + progressive', async (t) => {
  const base = pretrainRunConfig() as unknown as DistillConfig;
  const tiny = expandStages({ ...base, stages: 'tinybert-general-task' }, 2, 2);
  assert.deepEqual(
    tiny.map((s) => [s.name, s.kind]),
    [
      ['general', 'pretrain-distill'],
      ['intermediate', 'distill'],
      ['prediction', 'distill'],
    ],
  );
  assert.equal(tiny[0]?.losses?.maskedLm?.weight, 0, 'TinyBERT general distillation does not mask');
  const mobile = expandStages({ ...base, stages: 'mobilebert-pretrain-progressive' }, 2, 2);
  assert.deepEqual(
    mobile.map((s) => s.name),
    ['pretrain', 'layer-1', 'layer-2', 'prediction'],
  );
  assert.equal(mobile[0]?.losses?.maskedLm?.weight, 1);
  const ws = tempWorkspace(t);
  writePretrainRun(ws);
  for (const stages of ['tinybert-general-task', 'mobilebert-pretrain-progressive']) {
    const result = await validateIn(
      ws,
      config((c) => {
        c['stages'] = stages;
        (c['losses'] as Record<string, unknown>)['embedding'] = { weight: 0, projection: true };
      }),
    );
    assert.deepEqual(errors(result), [], stages);
  }
});
