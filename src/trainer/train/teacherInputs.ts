// Checks, before distilling, that a teacher gets the inputs it was trained with, on the run's real tokenizer and
// encoded data (validation sees only the config): the tokenizer's lower-casing and vocabulary against the teacher's
// own tokenizer files, token type ids against its type vocabulary (and an ONNX file's inputs), and the maximum
// length against its position embeddings, a fixed ONNX length and the length it was trained with where recorded.
// Findings are config diagnostics, positioned at the setting to change, and each names the fix.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigDiagnostic } from '../../protocol/diagnostics';
import { parseJsonDocument, type JsonPath } from '../../config/jsonDocument';
import { Reporter } from '../../config/reporter';
import type { OnnxTeacher } from '../distill/onnxTeacher';
import type { TeacherRunner } from '../distill/teacherRunner';
import type { BertTokenizer } from '../tokenizer/bertTokenizer';
import { loadBertTokenizer } from '../tokenizer/tokenizerFiles';
import type { EncodedExample } from './dataset';
import type { RunSetup, TeacherSetup } from './setup';

/** config.json key under which the trainer records what a model it saved was trained with. */
export const TRAINING_RECORD_KEY = 'distill_studio';

/** Share of training rows filling data.maxLength above which cut inputs are worth a warning. */
const TRUNCATION_WARNING = 0.05;

export interface TeacherInputFacts {
  /** `teacher` or `pretrainTeacher`: the config key the teacher is under. */
  role: 'teacher' | 'pretrainTeacher';
  /** The teacher's own tokenizer, read from its files, and where from; absent when it has none. */
  teacherTokenizer?: { tokenizer: BertTokenizer; source: string };
  runTokenizer: BertTokenizer;
  typeVocabSize: number;
  maxPositions: number;
  /** The longest input the teacher was trained on, when recorded, and where that was read. */
  trainedLength?: { value: number; source: string };
  /** For an ONNX teacher: whether the file takes token_type_ids, and a sequence length it fixes. */
  onnx?: { file: string; tokenTypeIds: boolean; fixedLength?: number };
  data: { maxLength: number; maxTypeId: number; rows: number; rowsAtMaxLength: number };
}

const accents = (t: BertTokenizer): boolean => t.options.stripAccents ?? t.options.lowercase;

/** The tokenizer settings that would make `run` normalise like `teacher`, as config text. */
function settingFix(teacher: BertTokenizer, run: BertTokenizer): string {
  const fixes: string[] = [];
  if (teacher.options.lowercase !== run.options.lowercase)
    fixes.push(`"tokenizer.lowercase": ${String(teacher.options.lowercase)}`);
  // Without stripAccents, the tokenizer strips accents exactly when it lower-cases (BertTokenizerFast).
  if (accents(teacher) !== (run.options.stripAccents ?? teacher.options.lowercase))
    fixes.push(`"tokenizer.stripAccents": ${String(accents(teacher))}`);
  return fixes.join(' and ');
}

/** The checks on already gathered facts; pure, so each finding is tested on its own. */
export function checkTeacherInputs(facts: TeacherInputFacts, report: Reporter): void {
  const { role, runTokenizer: run, data } = facts;
  const doc = report.doc;
  const first = (...paths: JsonPath[]): JsonPath =>
    paths.find((p) => doc.has(p)) ?? paths[paths.length - 1] ?? [];
  const own = facts.teacherTokenizer;
  if (own !== undefined) {
    const t = own.tokenizer;
    if (t.options.lowercase !== run.options.lowercase || accents(t) !== accents(run)) {
      const setting = (k: BertTokenizer): string =>
        `lowercase ${String(k.options.lowercase)}, strip accents ${String(accents(k))}`;
      report.at(
        'error',
        'teacher-lowercase-mismatch',
        first(
          ['tokenizer', 'lowercase'],
          ['tokenizer', 'stripAccents'],
          ['tokenizer', 'path'],
          ['tokenizer'],
          [role],
        ),
        `The ${role} was trained on text normalised with ${setting(t)} (${own.source}), but the run tokenizes with ${setting(run)}, so words reach it spelled differently than it learned them. ${doc.has(['tokenizer', 'lowercase']) || doc.has(['tokenizer', 'stripAccents']) ? 'Remove "tokenizer.lowercase" / "tokenizer.stripAccents" so the teacher\'s own setting applies.' : `Set ${settingFix(t, run)}.`}`,
      );
    }
    const differs = t.vocab.findIndex((token, id) => run.vocab[id] !== token);
    if (t.vocabSize !== run.vocabSize || differs !== -1) {
      const detail =
        t.vocabSize !== run.vocabSize
          ? `${t.vocabSize} tokens where the run's tokenizer has ${run.vocabSize}`
          : `id ${differs} is "${t.vocab[differs] ?? ''}" for the ${role} but "${run.vocab[differs] ?? ''}" for the run`;
      report.at(
        'error',
        'teacher-vocab-mismatch',
        first(['tokenizer', 'path'], ['tokenizer', 'train'], ['tokenizer'], [role]),
        `The ${role}'s vocabulary (${own.source}) is not the run's: ${detail}. Token ids would mean different words to it. Use the ${role}'s own tokenizer: ${role === 'teacher' ? 'remove "tokenizer.path" / "tokenizer.train" (the teacher checkpoint\'s files are the default)' : "give a pretrainTeacher that shares the teacher's vocabulary (the model the teacher was fine-tuned from)"}.`,
      );
    }
  }
  const pairsPath = first(['data', 'textPairColumn'], ['data']);
  if (data.maxTypeId >= facts.typeVocabSize) {
    report.at(
      'error',
      'teacher-token-types',
      pairsPath,
      `The data gives token type id ${data.maxTypeId} (text pairs), but the ${role} has type_vocab_size ${facts.typeVocabSize}, so it has no embedding for the second text. Use a ${role} trained on text pairs, or drop "data.textPairColumn".`,
    );
  } else if (facts.onnx !== undefined && !facts.onnx.tokenTypeIds && data.maxTypeId > 0) {
    report.at(
      'error',
      'teacher-token-types',
      first([role, 'onnx'], pairsPath),
      `${facts.onnx.file} has no token_type_ids input, so it cannot tell the two texts of a pair apart, but the data has text pairs. Export the ${role} with token_type_ids (\`distill-studio export --with-hidden\` writes it), or give "${role}.checkpoint" and "runtime": "tfjs".`,
    );
  }
  const lengthPath = first(['data', 'maxLength'], ['data']);
  const max = data.maxLength;
  if (max > facts.maxPositions) {
    report.at(
      'error',
      'teacher-max-length',
      lengthPath,
      `data.maxLength ${max} exceeds the ${role}'s ${facts.maxPositions} position embeddings; set "data.maxLength" to at most ${facts.maxPositions}.`,
    );
  } else if (facts.onnx?.fixedLength !== undefined && max > facts.onnx.fixedLength) {
    report.at(
      'error',
      'teacher-max-length',
      lengthPath,
      `${facts.onnx.file} takes exactly ${facts.onnx.fixedLength} tokens, fewer than data.maxLength ${max}; set "data.maxLength" to at most ${facts.onnx.fixedLength}, or export the ${role} with a dynamic sequence length.`,
    );
  } else if (facts.trainedLength !== undefined && max > facts.trainedLength.value) {
    report.at(
      'warning',
      'teacher-max-length',
      lengthPath,
      `The ${role} was trained on inputs of at most ${facts.trainedLength.value} tokens (${facts.trainedLength.source}); data.maxLength ${max} feeds it positions it never learned the task at. Set "data.maxLength" to ${facts.trainedLength.value}.`,
    );
  }
  const share = data.rows === 0 ? 0 : data.rowsAtMaxLength / data.rows;
  if (facts.trainedLength !== undefined && facts.trainedLength.value > max && share > TRUNCATION_WARNING) {
    report.at(
      'warning',
      'teacher-inputs-truncated',
      lengthPath,
      `${(100 * share).toFixed(1)}% of the training rows fill data.maxLength (${max} tokens), so they were cut, but the ${role} was trained on up to ${facts.trainedLength.value} tokens (${facts.trainedLength.source}) and now sees less of each text than it learned from. Raise "data.maxLength" to ${Math.min(facts.trainedLength.value, facts.maxPositions)}.`,
    );
  }
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The length a teacher was trained with: what the trainer records in config.json, else a tokenizer_config.json
 * model_max_length set below the position embeddings (a limit someone chose; Hugging Face base checkpoints
 * repeat the position count there, which says nothing about fine-tuning).
 */
async function trainedLength(dir: string, maxPositions: number): Promise<TeacherInputFacts['trainedLength']> {
  const record = (await readJson(join(dir, 'config.json')))?.[TRAINING_RECORD_KEY] as
    Record<string, unknown> | undefined;
  if (typeof record?.['max_length'] === 'number')
    return {
      value: record['max_length'],
      source: `${TRAINING_RECORD_KEY}.max_length in ${join(dir, 'config.json')}`,
    };
  const limit = (await readJson(join(dir, 'tokenizer_config.json')))?.['model_max_length'];
  if (typeof limit === 'number' && limit < maxPositions)
    return { value: limit, source: `model_max_length in ${join(dir, 'tokenizer_config.json')}` };
  return undefined;
}

function dataFacts(setup: RunSetup): TeacherInputFacts['data'] {
  const maxLength = setup.config.data.maxLength ?? 128;
  let maxTypeId = 0;
  const all: readonly EncodedExample[][] = [setup.train, setup.evalSet, setup.unlabelled];
  for (const set of all)
    for (const e of set) for (const t of e.tokenTypeIds) if (t > maxTypeId) maxTypeId = t;
  return {
    maxLength,
    maxTypeId,
    rows: setup.train.length,
    rowsAtMaxLength: setup.train.filter((e) => e.inputIds.length >= maxLength).length,
  };
}

/** Gathers the facts for one teacher of the run and returns the findings (empty when all is well). */
export async function teacherInputFindings(
  setup: RunSetup,
  teacher: TeacherSetup,
  runner: TeacherRunner | undefined,
): Promise<ConfigDiagnostic[]> {
  const parsed = parseJsonDocument(setup.configFile, await readFile(setup.configFile, 'utf8'));
  if (parsed.kind !== 'ok') return [];
  const report = new Reporter(parsed.document);
  const role = teacher.role === 'task' ? 'teacher' : 'pretrainTeacher';
  const dir = teacher.filesDir;
  const own =
    dir !== undefined
      ? await loadBertTokenizer(dir).then(
          (tokenizer) => ({ tokenizer, source: `the tokenizer files in ${dir}` }),
          () => undefined,
        )
      : undefined;
  const length =
    dir !== undefined ? await trainedLength(dir, teacher.config.max_position_embeddings) : undefined;
  const onnx = runner?.kind === 'onnx' ? (runner as OnnxTeacher) : undefined;
  checkTeacherInputs(
    {
      role,
      ...(own !== undefined ? { teacherTokenizer: own } : {}),
      runTokenizer: setup.tokenizer,
      typeVocabSize: teacher.config.type_vocab_size,
      maxPositions: teacher.config.max_position_embeddings,
      ...(length !== undefined ? { trainedLength: length } : {}),
      ...(onnx !== undefined
        ? {
            onnx: {
              file:
                teacher.onnxFile ??
                join(
                  setup.runDir,
                  teacher.role === 'task' ? 'teacher-onnx' : 'pretrain-teacher-onnx',
                  'model.onnx',
                ),
              tokenTypeIds: onnx.inputs.some((i) => i.role === 'tokenTypeIds'),
              ...(onnx.fixedLength !== undefined ? { fixedLength: onnx.fixedLength } : {}),
            },
          }
        : {}),
      data: dataFacts(setup),
    },
    report,
  );
  return report.diagnostics;
}
