// Semantic validation: files, data columns and labels, model shapes against losses, mappings and stages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseConfig, tempWorkspace, writeBaseData, type TempWorkspace } from '../../helpers/tempWorkspace';
import { codes, errors, find, validateIn } from '../../helpers/validate';

type Config = Record<string, unknown> & { data: Record<string, unknown> };

function config(patch: (c: Config) => void = () => {}): Config {
  const c = baseConfig() as Config;
  patch(c);
  return c;
}

function checkpoint(
  ws: TempWorkspace,
  dir: string,
  hf: Record<string, unknown>,
  files: string[] = ['model.safetensors', 'vocab.txt'],
): void {
  ws.write(`${dir}/config.json`, JSON.stringify(hf, null, 2));
  for (const f of files)
    ws.write(
      `${dir}/${f}`,
      f === 'vocab.txt' ? ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a'].join('\n') + '\n' : 'x',
    );
}

const BERT_BASE_HF = {
  model_type: 'bert',
  num_hidden_layers: 12,
  hidden_size: 768,
  num_attention_heads: 12,
  intermediate_size: 3072,
  vocab_size: 30522,
  max_position_embeddings: 512,
  id2label: { '0': 'negative', '1': 'positive' },
};

test('missing data files are errors on the path value', async (t) => {
  const ws = tempWorkspace(t);
  const result = await validateIn(
    ws,
    config((c) => (c.data['unlabelled'] = ['none.txt'])),
  );
  const train = result.diagnostics.find((d) => d.path.join('.') === 'data.train');
  assert.equal(train?.code, 'file-missing');
  assert.match(train?.message ?? '', /"train.tsv" does not exist \(paths are relative to the config file\)/);
  assert.equal(find(result, 'file-missing').severity, 'error');
  assert.ok(
    result.diagnostics.some((d) => d.path.join('.') === 'data.unlabelled.0' && d.code === 'file-missing'),
  );
});

test('a missing column names the header and suggests the closest column', async (t) => {
  const ws = tempWorkspace(t);
  ws.write('train.tsv', 'sentence\tlabel\nfine\t1\nbad\t0\n');
  ws.write('eval.tsv', 'sentence\tlabel\nok\t1\n');
  const result = await validateIn(ws, config());
  const d = find(result, 'data-missing-column');
  assert.match(
    d.message,
    /header of train file \(.*train.tsv:1\) has no column "text" for data.textColumn; its columns are "sentence", "label". Set "data.textColumn": "sentence"/,
  );
  assert.deepEqual(d.path, ['data', 'train']);
  const typo = await validateIn(
    ws,
    config((c) => (c.data['textColumn'] = 'sentense')),
  );
  const fix = find(typo, 'data-missing-column');
  assert.deepEqual(fix.path, ['data', 'textColumn']);
  assert.match(fix.message, /Set "data.textColumn": "sentence"/);
});

test('an eval label unseen in training is reported at its line in the eval file', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  ws.write('eval.tsv', 'text\tlabel\ngood\tpositive\nmeh\tneutral\n');
  const result = await validateIn(ws, config());
  const d = find(result, 'data-label-unknown');
  assert.equal(d.file, ws.path('eval.tsv'));
  assert.equal(d.range.start.line, 2); // zero-based: the third line
  assert.match(d.message, /eval label "neutral" never occurs in the training data/);
});

test('bad rows: abort reports each file:line, skip reports a count', async (t) => {
  const ws = tempWorkspace(t);
  ws.write(
    'train.tsv',
    'text\tlabel\ngood\tpositive\n\tnegative\nfine\t\nok\tpositive\textra\nbad\tnegative\n',
  );
  ws.write('eval.tsv', 'text\tlabel\nx\tpositive\n');
  const abort = await validateIn(ws, config());
  const rows = abort.diagnostics.filter((d) => d.code === 'data-bad-row');
  assert.deepEqual(
    rows.map((d) => d.range.start.line + 1),
    [3, 4, 5],
  );
  assert.match(rows[0]?.message ?? '', /empty or missing text/);
  assert.match(rows[1]?.message ?? '', /missing label/);
  assert.match(rows[2]?.message ?? '', /has 3 field\(s\) but the header has 2/);
  const skip = await validateIn(
    ws,
    config((c) => (c.data['badRows'] = 'skip')),
  );
  assert.deepEqual(errors(skip), []);
  assert.match(
    find(skip, 'data-bad-rows').message,
    /3 row\(s\) of the train file cannot be used and will be skipped/,
  );
});

test('undecodable bytes are reported with their line', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  ws.write(
    'train.tsv',
    Buffer.concat([
      Buffer.from('text\tlabel\ngood\tpositive\nb'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('d\tnegative\nok\tnegative\n'),
    ]),
  );
  const d = find(await validateIn(ws, config()), 'data-bad-row');
  assert.equal(d.range.start.line + 1, 3);
  assert.match(d.message, /not valid UTF-8/);
});

test('hidden widths that differ need a projection; the error names the fix', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const result = await validateIn(
    ws,
    config((c) => (c['losses'] = { hidden: { weight: 1 } })),
  );
  const d = find(result, 'hidden-width-mismatch');
  assert.deepEqual(d.path, ['losses', 'hidden', 'projection']);
  assert.match(d.message, /width 64 .* width 32\. Set "losses.hidden.projection": true/);
  const fixed = await validateIn(
    ws,
    config((c) => (c['losses'] = { hidden: { weight: 1, projection: true } })),
  );
  assert.deepEqual(errors(fixed), []);
});

test('head counts that differ need a head mapping; group needs divisibility', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const none = await validateIn(
    ws,
    config((c) => (c['losses'] = { attention: { weight: 1 } })),
  );
  assert.match(
    find(none, 'head-count-mismatch').message,
    /4 teacher heads with 2 student heads.*"group" .*or "mean"/,
  );
  const group = await validateIn(
    ws,
    config((c) => (c['losses'] = { attention: { weight: 1, headMapping: 'group' } })),
  );
  assert.deepEqual(errors(group), []);
  const indivisible = await validateIn(
    ws,
    config((c) => {
      c['student'] = {
        config: {
          model_type: 'bert',
          num_hidden_layers: 2,
          hidden_size: 30,
          num_attention_heads: 3,
          vocab_size: 500,
          max_position_embeddings: 128,
        },
      };
      c['losses'] = { attention: { weight: 1, headMapping: 'group' } };
    }),
  );
  assert.match(
    find(indivisible, 'head-group-indivisible').message,
    /teacher's head count \(4\) to be a multiple of the student's \(3\)/,
  );
  // A weight of 0 switches the term off, so the mismatch does not matter.
  const off = await validateIn(
    ws,
    config((c) => (c['losses'] = { attention: { weight: 0 } })),
  );
  assert.deepEqual(errors(off), []);
});

test('explicit layer pairs must lie within both depths', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const result = await validateIn(
    ws,
    config((c) => {
      c['layerMapping'] = {
        strategy: 'explicit',
        pairs: [
          { teacherLayer: 2, studentLayer: 1 },
          { teacherLayer: 5, studentLayer: 3 },
          { teacherLayer: 0, studentLayer: 0 },
        ],
      };
    }),
  );
  const problems = result.diagnostics.filter((d) => d.code === 'layer-map-out-of-range');
  assert.deepEqual(
    problems.map((d) => d.path.join('.')),
    [
      'layerMapping.pairs.1.teacherLayer',
      'layerMapping.pairs.1.studentLayer',
      'layerMapping.pairs.2.feature',
    ],
  );
  assert.match(
    problems[0]?.message ?? '',
    /teacherLayer 5 does not exist: the teacher has layers 0 \(embeddings\) to 4/,
  );
  const empty = await validateIn(
    ws,
    config((c) => (c['layerMapping'] = { strategy: 'explicit' })),
  );
  assert.match(find(empty, 'layer-map-out-of-range').message, /needs "pairs"/);
  const last = await validateIn(
    ws,
    config((c) => {
      c['layerMapping'] = { strategy: 'last' };
      c['student'] = {
        config: {
          model_type: 'bert',
          num_hidden_layers: 6,
          hidden_size: 32,
          num_attention_heads: 2,
          vocab_size: 500,
          max_position_embeddings: 128,
        },
      };
    }),
  );
  assert.match(
    find(last, 'layer-map-out-of-range').message,
    /"last" needs a student no deeper than the teacher/,
  );
});

test('stages must reference real layers, a trained teacher and existing unlabelled data', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const result = await validateIn(
    ws,
    config((c) => {
      c['stages'] = [
        { name: 'distill', kind: 'distill', trainLayers: [0, 1, 3] },
        { name: 'mlm', kind: 'pretrain-distill' },
        { name: 'distill', kind: 'train', model: 'student' },
      ];
    }),
  );
  const byCode = codes(result);
  assert.ok(byCode.includes('teacher-untrained'), byCode.join());
  assert.deepEqual(find(result, 'teacher-untrained').path, ['stages', 0, 'kind']);
  assert.deepEqual(find(result, 'stage-layer-out-of-range').path, ['stages', 0, 'trainLayers', 2]);
  assert.match(find(result, 'stage-needs-unlabelled').message, /Stage "mlm" needs unlabelled text/);
  assert.deepEqual(find(result, 'stage-duplicate-name').path, ['stages', 2, 'name']);
});

test('a stage whose losses are all off is an error', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const result = await validateIn(
    ws,
    config((c) => {
      c['stages'] = [
        { name: 'teacher', kind: 'train', model: 'teacher' },
        { name: 'nothing', kind: 'distill', losses: { softLabel: { weight: 0 }, hardLabel: { weight: 0 } } },
      ];
    }),
  );
  assert.deepEqual(find(result, 'stage-no-loss').path, ['stages', 1]);
});

test('presets expand before checking: tinybert-two-step turns on hidden and attention losses', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  checkpoint(ws, 'teacher', { ...BERT_BASE_HF });
  const result = await validateIn(
    ws,
    config((c) => {
      c['teacher'] = { checkpoint: 'teacher' };
      c['student'] = { preset: 'mobilebert-tiny', config: { num_hidden_layers: 4 } };
      c['tokenizer'] = {};
      c['stages'] = 'tinybert-two-step';
    }),
  );
  assert.ok(codes(result).includes('hidden-width-mismatch'));
  assert.ok(codes(result).includes('head-count-mismatch'));
});

test('max length may not exceed position embeddings', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const result = await validateIn(
    ws,
    config((c) => (c.data['maxLength'] = 256)),
  );
  const d = find(result, 'max-length-exceeds-positions');
  assert.deepEqual(d.path, ['data', 'maxLength']);
  assert.match(d.message, /set "data.maxLength" to at most 128/);
});

test('checkpoint folders: missing, pickle-only, broken config.json, wrong label count', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const missing = await validateIn(
    ws,
    config((c) => (c['teacher'] = { checkpoint: 'nowhere' })),
  );
  assert.deepEqual(find(missing, 'file-missing').path, ['teacher', 'checkpoint']);

  checkpoint(ws, 'pickled', BERT_BASE_HF, ['pytorch_model.bin', 'vocab.txt']);
  const pickle = await validateIn(
    ws,
    config((c) => (c['teacher'] = { checkpoint: 'pickled' })),
  );
  assert.match(find(pickle, 'checkpoint-pickle').message, /never opens them.*safe_serialization=True/);

  ws.write('broken/config.json', '{ "model_type": "bert",, }');
  ws.write('broken/model.safetensors', 'x');
  const broken = await validateIn(
    ws,
    config((c) => (c['teacher'] = { checkpoint: 'broken' })),
  );
  const d = find(broken, 'checkpoint-config-invalid');
  assert.equal(d.file, ws.path('broken/config.json'));
  assert.deepEqual(d.range.start, { line: 0, character: 23 });

  checkpoint(ws, 'three', { ...BERT_BASE_HF, id2label: { 0: 'a', 1: 'b', 2: 'c' } });
  const three = await validateIn(
    ws,
    config((c) => {
      c['teacher'] = { checkpoint: 'three' };
      c['tokenizer'] = {};
    }),
  );
  assert.match(
    find(three, 'label-count-mismatch').message,
    /predicts 3 labels \(a, b, c\) but the data has 2 \(negative, positive\)/,
  );

  checkpoint(ws, 'other', { ...BERT_BASE_HF, model_type: 'distilbert' });
  const other = await validateIn(
    ws,
    config((c) => (c['teacher'] = { checkpoint: 'other' })),
  );
  const unsupported = find(other, 'checkpoint-unsupported-type');
  assert.equal(unsupported.file, ws.path('other/config.json'));
});

test('a pretrained teacher and a preset student pass with projection and head mapping', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  checkpoint(ws, 'teacher', BERT_BASE_HF);
  const result = await validateIn(
    ws,
    config((c) => {
      c['teacher'] = { checkpoint: 'teacher' };
      c['student'] = { preset: 'mobilebert' };
      c['tokenizer'] = {};
      c['stages'] = 'task-distill';
      c['losses'] = {
        hidden: { weight: 1, projection: true },
        attention: { weight: 1, headMapping: 'group' },
      };
    }),
  );
  assert.deepEqual(errors(result), []);
  // 24 student layers under a 12-layer teacher: allowed, with a note.
  assert.equal(find(result, 'layer-map-shared').severity, 'info');
});

test('the tokenizer must fit both embedding tables', async (t) => {
  const ws = tempWorkspace(t);
  writeBaseData(ws);
  const result = await validateIn(
    ws,
    config((c) => (c['tokenizer'] = { train: { vocabSize: 800 } })),
  );
  const vocab = result.diagnostics.filter((d) => d.code === 'vocab-exceeds-embeddings');
  assert.deepEqual(
    vocab.map((d) => d.path.join('.')),
    ['teacher.config.vocab_size', 'student.config.vocab_size'],
  );
  assert.match(
    vocab[1]?.message ?? '',
    /has 800 tokens but the student embeds only 500.*Set "student.config.vocab_size": 800/,
  );
  const file = ws.write('vocab.txt', Array.from({ length: 600 }, (_, i) => `t${i}`).join('\n') + '\n');
  const explicit = await validateIn(
    ws,
    config((c) => (c['tokenizer'] = { path: file })),
  );
  assert.equal(explicit.diagnostics.filter((d) => d.code === 'vocab-exceeds-embeddings').length, 2);
});

test('Korean labels, text and run names validate', async (t) => {
  const ws = tempWorkspace(t);
  ws.write('train.tsv', 'text\tlabel\n정말 재미있어요\t긍정\n너무 지루했다\t부정\n');
  ws.write('eval.tsv', 'text\tlabel\n좋지 않다\t부정\n');
  const result = await validateIn(
    ws,
    config((c) => (c['name'] = '리뷰-증류')),
  );
  assert.deepEqual(errors(result), []);
  ws.write('eval.tsv', 'text\tlabel\n보통이다\t중립\n');
  assert.match(find(await validateIn(ws, config()), 'data-label-unknown').message, /"중립"/);
});

test('JSONL and CSV data are read with their columns', async (t) => {
  const ws = tempWorkspace(t);
  ws.write('train.jsonl', '{"text": "good", "label": 1}\n{"text": "bad", "label": 0}\n');
  ws.write('eval.csv', 'text,label\n"fine, really",1\n"a ""quoted"" word",0\n');
  const result = await validateIn(
    ws,
    config((c) => {
      c.data['train'] = 'train.jsonl';
      c.data['eval'] = 'eval.csv';
    }),
  );
  assert.deepEqual(errors(result), []);
  ws.write('train.jsonl', '{"text": "good", "label": 1}\nnot json\n');
  const bad = find(
    await validateIn(
      ws,
      config((c) => {
        c.data['train'] = 'train.jsonl';
        c.data['eval'] = 'eval.csv';
      }),
    ),
    'data-bad-row',
  );
  assert.equal(bad.range.start.line + 1, 2);
  assert.match(bad.message, /not valid JSON/);
});
