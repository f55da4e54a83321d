// The example workspace the end-to-end tests open: examples/reviews' data copied to a temporary folder, with the
// example config cut down to tiny models and a few dozen steps so a run ends in seconds on 2 cores, plus the
// variants the scenarios need (a long run to stop, a broken config).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';

const root = resolve(dirname(__filename), '..', '..');
const example = join(root, 'examples', 'reviews');

/** The example config (JSONC), parsed. */
function exampleConfig(): Record<string, unknown> {
  const errors: ParseError[] = [];
  const config = parse(readFileSync(join(example, 'reviews.distill.json'), 'utf8'), errors) as Record<
    string,
    unknown
  >;
  if (errors.length > 0) throw new Error('examples/reviews/reviews.distill.json does not parse');
  return config;
}

/**
 * The example config with tiny models (teacher BERT 2x32, student MobileBERT 2x16, widths and head counts still
 * differ so projection and head mapping are exercised) and `distillSteps` distillation steps.
 */
export function e2eConfig(name: string, distillSteps: number): Record<string, unknown> {
  const config = exampleConfig();
  delete config['$schema'];
  return {
    ...config,
    name,
    teacher: {
      config: {
        model_type: 'bert',
        num_hidden_layers: 2,
        hidden_size: 32,
        num_attention_heads: 4,
        intermediate_size: 64,
        max_position_embeddings: 64,
        vocab_size: 800,
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
        vocab_size: 800,
      },
    },
    tokenizer: { lowercase: true, train: { vocabSize: 800, minFrequency: 2 } },
    data: { ...(config['data'] as Record<string, unknown>), maxLength: 32 },
    stages: [
      { name: 'teacher', kind: 'train', model: 'teacher', steps: 40, learningRate: 0.002 },
      { name: 'distill', kind: 'distill', steps: distillSteps, learningRate: 0.003 },
    ],
    training: { batchSize: 16 },
    evaluation: { everySteps: 20, metric: 'accuracy' },
    checkpoints: { everySteps: 20, keepLast: 2, keepBest: true },
    attentionSnapshots: { everySteps: 20, maxTokens: 16 },
    // A 2x32 teacher trained for 40 steps stays near chance; the guard would (rightly) stop the run.
    guards: { checkTeacher: false },
  };
}

export interface E2eWorkspace {
  dir: string;
  path(relative: string): string;
  /** Writes `<file>` as JSON with a comment header, returns its path. */
  writeConfig(file: string, config: Record<string, unknown>): string;
}

/** A fresh copy of the example's data (not its config: the e2e configs replace it). */
export function e2eWorkspace(label: string): E2eWorkspace {
  const dir = mkdtempSync(join(tmpdir(), `distill-e2e-${label}-`));
  for (const entry of readdirSync(example))
    if (!entry.endsWith('.distill.json') && entry !== 'runs') cpSync(join(example, entry), join(dir, entry));
  if (!existsSync(join(dir, 'train.tsv'))) throw new Error(`${example} has no train.tsv`);
  return {
    dir,
    path: (relative) => join(dir, relative),
    writeConfig(file, config) {
      const path = join(dir, file);
      writeFileSync(path, `// End-to-end test config.\n${JSON.stringify(config, null, 2)}\n`);
      return path;
    },
  };
}
