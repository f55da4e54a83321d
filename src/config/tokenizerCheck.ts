// Checks the tokenizer source (explicit files, the teacher checkpoint's, or a vocabulary to train) and that every
// token id it can produce fits both models' embedding tables.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DistillConfig } from '../protocol/config';
import type { ModelShape } from './modelShape';
import { resolveFrom } from './paths';
import type { Reporter } from './reporter';

/** Number of entries in a vocab.txt (one token a line) or a tokenizer.json (model.vocab). */
export async function vocabularySize(file: string): Promise<number> {
  const text = await readFile(file, 'utf8');
  if (basename(file).toLowerCase().endsWith('.json')) {
    const parsed = JSON.parse(text) as { model?: { vocab?: Record<string, number> | unknown[] } };
    const vocab = parsed.model?.vocab;
    if (vocab === undefined) throw new Error('it has no model.vocab');
    return Array.isArray(vocab) ? vocab.length : Object.keys(vocab).length;
  }
  return text.split(/\r?\n/).filter((line, i, all) => line !== '' || i < all.length - 1).length;
}

export async function checkTokenizer(
  config: DistillConfig,
  baseDir: string,
  teacher: ModelShape | undefined,
  student: ModelShape | undefined,
  report: Reporter,
  pretrainTeacher?: ModelShape,
): Promise<void> {
  let size: number | undefined;
  let source: string;
  const explicit = config.tokenizer?.path;
  if (explicit !== undefined) {
    const file = resolveFrom(baseDir, explicit);
    try {
      size = await vocabularySize(file);
      source = `"${explicit}"`;
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      report.at(
        'error',
        missing ? 'file-missing' : 'tokenizer-invalid',
        ['tokenizer', 'path'],
        missing
          ? `Tokenizer file "${explicit}" does not exist (paths are relative to the config file).`
          : `Tokenizer file "${explicit}" cannot be read as vocab.txt or tokenizer.json: ${(error as Error).message}.`,
      );
      return;
    }
  } else if (teacher?.checkpointDir !== undefined && teacher.tokenizerFiles.length > 0) {
    const file = join(
      teacher.checkpointDir,
      teacher.tokenizerFiles.includes('tokenizer.json') ? 'tokenizer.json' : 'vocab.txt',
    );
    size = await vocabularySize(file).catch(() => undefined);
    source = `the teacher checkpoint's ${basename(file)}`;
  } else if (teacher?.checkpointDir !== undefined) {
    report.at(
      'error',
      'tokenizer-missing',
      ['tokenizer'],
      `The teacher checkpoint has no vocab.txt or tokenizer.json, so the tokenizer it was trained with is unknown. Set "tokenizer.path" to the teacher's vocabulary file.`,
      'key',
    );
    return;
  } else {
    size = config.tokenizer?.train?.vocabSize ?? 8000;
    source = `the WordPiece vocabulary trained from the data (tokenizer.train.vocabSize ${size})`;
  }
  if (size === undefined) return;
  for (const [role, shape] of [
    ['teacher', teacher],
    ['student', student],
    ['pretrainTeacher', pretrainTeacher],
  ] as const) {
    if (shape === undefined) continue;
    const path = report.doc.has([role, 'config', 'vocab_size']) ? [role, 'config', 'vocab_size'] : [role];
    if (size > shape.vocabSize) {
      report.at(
        'error',
        'vocab-exceeds-embeddings',
        path,
        `The tokenizer (${source}) has ${size} tokens but the ${role} embeds only ${shape.vocabSize}; ids past ${shape.vocabSize - 1} would be out of range. ${shape.hasWeights ? 'Use the tokenizer this checkpoint was trained with.' : `Set "${role}.config.vocab_size": ${size}.`}`,
      );
    } else if (!shape.hasWeights && size < shape.vocabSize) {
      report.at(
        'info',
        'vocab-smaller-than-embeddings',
        path,
        `The tokenizer has ${size} tokens; the ${role}'s embedding table has ${shape.vocabSize} rows, ${shape.vocabSize - size} of them never used. "${role}.config.vocab_size": ${size} saves ${((shape.vocabSize - size) * (shape.config.embedding_size ?? shape.hiddenSize)).toLocaleString('en-US')} parameters.`,
      );
    }
  }
}
