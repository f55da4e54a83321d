// A tiny but complete distillation experiment for trainer tests: a 2-layer BERT teacher trained first, then a
// 2-layer MobileBERT-style student distilled with all four losses, on 160 bundled review rows. Seconds, not minutes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TempWorkspace } from './tempWorkspace';

export function tinyRunConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny',
    seed: 7,
    teacher: {
      config: {
        model_type: 'bert',
        num_hidden_layers: 2,
        hidden_size: 32,
        num_attention_heads: 4,
        intermediate_size: 64,
        max_position_embeddings: 64,
        vocab_size: 600,
        hidden_dropout_prob: 0.1,
      },
    },
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
        vocab_size: 600,
      },
    },
    tokenizer: { train: { vocabSize: 600 } },
    data: { train: 'train.tsv', eval: 'eval.tsv', unlabelled: ['unlabelled.txt'], maxLength: 32 },
    losses: {
      softLabel: { weight: 1, temperature: 2 },
      hardLabel: { weight: 1 },
      hidden: { weight: 1, projection: true },
      attention: { weight: 1, headMapping: 'group' },
    },
    stages: [
      { name: 'teacher', kind: 'train', model: 'teacher', steps: 6, learningRate: 0.003 },
      { name: 'distill', kind: 'distill', steps: 8, learningRate: 0.003 },
    ],
    training: { batchSize: 16 },
    evaluation: { everySteps: 4 },
    checkpoints: { everySteps: 3, keepLast: 2 },
    guards: { checkTeacher: false },
    attentionSnapshots: { everySteps: 4, maxTokens: 12, probes: ['the plot was not good', '정말 좋아요'] },
    backend: { name: 'cpu' },
    ...overrides,
  };
}

/** Writes the tiny experiment (config + 160 train, 40 eval, 60 unlabelled rows) and returns the config path. */
export function writeTinyRun(
  ws: TempWorkspace,
  overrides: Record<string, unknown> = {},
  name = 'tiny.distill.json',
): string {
  const head = (file: string, rows: number): string =>
    readFileSync(join('examples/reviews', file), 'utf8').split('\n').slice(0, rows).join('\n') + '\n';
  ws.write('train.tsv', head('train.tsv', 161));
  ws.write('eval.tsv', head('eval.tsv', 41));
  ws.write('unlabelled.txt', head('unlabelled.txt', 60));
  return ws.write(name, JSON.stringify(tinyRunConfig(overrides), null, 2));
}
