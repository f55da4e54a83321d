// A tiny pre-training distillation experiment on the committed model fixtures, which share one 99-token
// vocabulary: a BertForSequenceClassification task teacher (bert-cls), a BertForMaskedLM pre-trained teacher
// (bert-mlm) and a MobileBERT-style student, on generated text made of that vocabulary's words. Seconds per run.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeedStream } from '../../src/trainer/models/nn';
import type { TempWorkspace } from './tempWorkspace';

const FIXTURES = 'test/fixtures/models';
const LABELS = ['negative', 'neutral', 'positive'];

/** Words of the fixture vocabulary (no special tokens, no continuation pieces). */
function words(): string[] {
  return readFileSync(join(FIXTURES, 'bert-mlm', 'vocab.txt'), 'utf8')
    .split('\n')
    .filter((w) => w !== '' && !w.startsWith('[') && !w.startsWith('##'));
}

function sentences(count: number, seed: number): string[] {
  const vocabulary = words();
  const random = new SeedStream(seed);
  return Array.from({ length: count }, () => {
    const n = 3 + Math.floor(random.nextUnit() * 10);
    return Array.from(
      { length: n },
      () => vocabulary[Math.floor(random.nextUnit() * vocabulary.length)],
    ).join(' ');
  });
}

export function pretrainRunConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'pretrain',
    seed: 11,
    teacher: { checkpoint: 'bert-cls' },
    pretrainTeacher: { checkpoint: 'bert-mlm' },
    student: {
      preset: 'mobilebert-tiny',
      config: {
        num_hidden_layers: 2,
        hidden_size: 16,
        embedding_size: 8,
        intra_bottleneck_size: 8,
        intermediate_size: 16,
        num_attention_heads: 2,
        max_position_embeddings: 64,
        vocab_size: 99,
      },
    },
    data: {
      train: 'train.tsv',
      eval: 'eval.tsv',
      unlabelled: ['unlabelled.txt'],
      labels: LABELS,
      maxLength: 24,
    },
    losses: {
      softLabel: { weight: 1, temperature: 2 },
      hardLabel: { weight: 1 },
      hidden: { weight: 1, projection: true },
      attention: { weight: 1, kind: 'kl', headMapping: 'group' },
      maskedLm: { weight: 1, temperature: 1, hardWeight: 0.5 },
    },
    stages: [
      { name: 'mlm', kind: 'pretrain-distill', steps: 6, learningRate: 0.003 },
      { name: 'distill', kind: 'distill', steps: 4, learningRate: 0.003 },
    ],
    training: { batchSize: 16 },
    evaluation: { everySteps: 3 },
    checkpoints: { everySteps: 2, keepLast: 2 },
    guards: { checkTeacher: false },
    attentionSnapshots: { everySteps: 0 },
    backend: { name: 'cpu' },
    ...overrides,
  };
}

/** Writes the fixtures, 90 train / 30 eval rows and 80 unlabelled lines, and the config; returns its path. */
export function writePretrainRun(
  ws: TempWorkspace,
  overrides: Record<string, unknown> = {},
  name = 'pretrain.distill.json',
): string {
  for (const model of ['bert-cls', 'bert-mlm', 'mobilebert-mlm'])
    cpSync(join(FIXTURES, model), ws.path(model), { recursive: true });
  const labelled = (rows: string[], offset: number): string =>
    `text\tlabel\n${rows.map((r, i) => `${r}\t${LABELS[(i + offset) % 3] ?? ''}`).join('\n')}\n`;
  ws.write('train.tsv', labelled(sentences(90, 1), 0));
  ws.write('eval.tsv', labelled(sentences(30, 2), 1));
  ws.write('unlabelled.txt', `${sentences(80, 3).join('\n')}\n`);
  return ws.write(name, JSON.stringify(pretrainRunConfig(overrides), null, 2));
}
