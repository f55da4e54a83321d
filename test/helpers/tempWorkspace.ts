// Temporary folders with config, data and checkpoint files for tests; removed when the test ends.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';

export interface TempWorkspace {
  dir: string;
  /** Writes a file (creating folders) and returns its absolute path. */
  write(relativePath: string, content: string | Uint8Array): string;
  path(relativePath: string): string;
}

export function tempWorkspace(t: TestContext): TempWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'distill-studio-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(relativePath, content) {
      const file = join(dir, relativePath);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    path: (relativePath) => join(dir, relativePath),
  };
}

export const TRAIN_TSV =
  'text\tlabel\na fine film\tpositive\nnot good at all\tnegative\nreally great\tpositive\nboring\tnegative\n';
export const EVAL_TSV = 'text\tlabel\nquite good\tpositive\nawful\tnegative\n';

/** A small valid config (as an object) whose files the caller writes with `writeBaseData`. */
export function baseConfig(): Record<string, unknown> {
  return {
    name: 'unit',
    teacher: {
      config: {
        model_type: 'bert',
        num_hidden_layers: 4,
        hidden_size: 64,
        num_attention_heads: 4,
        intermediate_size: 128,
        vocab_size: 500,
        max_position_embeddings: 128,
      },
    },
    student: {
      config: {
        model_type: 'bert',
        num_hidden_layers: 2,
        hidden_size: 32,
        num_attention_heads: 2,
        intermediate_size: 64,
        vocab_size: 500,
        max_position_embeddings: 128,
      },
    },
    tokenizer: { train: { vocabSize: 500 } },
    data: { train: 'train.tsv', eval: 'eval.tsv', maxLength: 64 },
    stages: 'teacher-then-distill',
  };
}

export function writeBaseData(ws: TempWorkspace): void {
  ws.write('train.tsv', TRAIN_TSV);
  ws.write('eval.tsv', EVAL_TSV);
}
