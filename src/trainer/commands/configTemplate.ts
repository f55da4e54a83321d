// Commented example configs written by `distill-studio init`. Each renders as JSON with comments that explain
// the choices, so a new user can read the file top to bottom and change what they need.
import type { ModelConfigOverrides } from '../../protocol/config';

export type InitPreset = 'reviews' | 'reviews-ko' | 'tinybert' | 'mobilebert';
export const INIT_PRESETS: readonly InitPreset[] = ['reviews', 'reviews-ko', 'tinybert', 'mobilebert'];

export interface TemplateOptions {
  preset: InitPreset;
  name: string;
  /** The config's own file name, for the comment that shows how to validate it. */
  fileName: string;
  /** Paths as they should appear in the config (relative to it). */
  train: string;
  eval: string;
  unlabelled?: string;
  /** Teacher checkpoint folder (relative), or undefined to train a small teacher first. */
  teacherCheckpoint?: string;
  /** The teacher checkpoint's sizes, to choose projection and head mapping. */
  teacherConfig?: ModelConfigOverrides;
  schemaPath: string;
}

const j = (value: unknown): string => JSON.stringify(value);

interface Student {
  comment: string;
  spec: string;
  heads: number;
  hidden: number;
  stages: string;
  stagesComment: string;
}

function student(options: TemplateOptions, vocab: number): Student {
  const trainsTeacher = options.teacherCheckpoint === undefined;
  switch (options.preset) {
    case 'tinybert':
      return {
        comment: 'TinyBERT-4 (Jiao et al. 2020): 4 layers, width 312, 12 heads.',
        spec: trainsTeacher
          ? `{ "preset": "tinybert-4", "config": { "vocab_size": ${vocab}, "max_position_embeddings": 128 } }`
          : `{ "preset": "tinybert-4" }`,
        heads: 12,
        hidden: 312,
        stages: trainsTeacher
          ? `[
    { "name": "teacher", "kind": "train", "model": "teacher", "epochs": 3, "learningRate": 0.0003 },
    { "name": "intermediate", "kind": "distill", "trainHead": false,
      "losses": { "hidden": { "weight": 1 }, "attention": { "weight": 1 }, "embedding": { "weight": 1 }, "softLabel": { "weight": 0 }, "hardLabel": { "weight": 0 } } },
    { "name": "prediction", "kind": "distill",
      "losses": { "softLabel": { "weight": 1 }, "hidden": { "weight": 0 }, "attention": { "weight": 0 }, "embedding": { "weight": 0 } } }
  ]`
          : j('tinybert-two-step'),
        stagesComment:
          "TinyBERT's two-step task distillation: intermediate layers first, then the prediction layer.",
      };
    case 'mobilebert':
      return {
        comment: 'MobileBERT (Sun et al. 2020): 24 thin layers with bottlenecks, stacked FFNs and NoNorm.',
        spec: trainsTeacher
          ? `{ "preset": "mobilebert", "config": { "vocab_size": ${vocab}, "max_position_embeddings": 128 } }`
          : `{ "preset": "mobilebert" }`,
        heads: 4,
        hidden: 512,
        stages: trainsTeacher
          ? j([
              { name: 'teacher', kind: 'train', model: 'teacher', epochs: 3, learningRate: 0.0003 },
              { name: 'distill', kind: 'distill' },
            ])
          : j('mobilebert-progressive'),
        stagesComment: trainsTeacher
          ? 'Train the teacher, then distil. With a pretrained teacher, "mobilebert-progressive" transfers layer by layer.'
          : "MobileBERT's progressive transfer: one stage per layer, lower layers first, then the logits.",
      };
    case 'reviews':
    case 'reviews-ko':
      return {
        comment:
          'a MobileBERT-architecture student (bottlenecks, stacked FFNs, NoNorm), scaled down to train in minutes.',
        spec: `{
    "preset": "mobilebert-tiny",
    "config": {
      "num_hidden_layers": 4, "hidden_size": 64, "embedding_size": 32, "intra_bottleneck_size": 32,
      "intermediate_size": 64, "num_attention_heads": 2, "max_position_embeddings": 64, "vocab_size": ${vocab}
    }
  }`,
        heads: 2,
        hidden: 64,
        stages: `[
    { "name": "teacher", "kind": "train", "model": "teacher", "epochs": 4, "learningRate": 0.001 },
    { "name": "distill", "kind": "distill", "epochs": 2, "learningRate": 0.001 }
  ]`,
        stagesComment: 'First train the teacher on the labelled reviews, then distil it into the student.',
      };
  }
}

export function renderConfigTemplate(options: TemplateOptions): string {
  const vocab = 2000;
  const trainsTeacher = options.teacherCheckpoint === undefined;
  const teacherHidden = options.teacherConfig?.hidden_size ?? 128;
  const teacherHeads = options.teacherConfig?.num_attention_heads ?? 4;
  const s = student(options, vocab);
  const projection = teacherHidden !== s.hidden;
  const headMapping = teacherHeads === s.heads ? 'none' : teacherHeads % s.heads === 0 ? 'group' : 'mean';
  const teacher = trainsTeacher
    ? `{
    "config": {
      "model_type": "bert", "num_hidden_layers": 3, "hidden_size": 128, "num_attention_heads": 4,
      "intermediate_size": 512, "max_position_embeddings": 64, "vocab_size": ${vocab}
    }
  }`
    : `{ "checkpoint": ${j(options.teacherCheckpoint)} }`;
  const tokenizer = trainsTeacher
    ? `// No pretrained teacher, so learn a WordPiece vocabulary from the training text (Korean works too).
  "tokenizer": { "lowercase": true, "train": { "vocabSize": ${vocab}, "minFrequency": 2 } },`
    : `// The teacher checkpoint's vocab.txt / tokenizer.json is used, so teacher and student read the same ids.`;
  const unlabelled =
    options.unlabelled !== undefined ? `,\n    "unlabelled": [${j(options.unlabelled)}]` : '';
  return `// Distill Studio config. Validate: npx distill-studio validate ${options.fileName}
// Every key is documented in the schema: hover a key in VS Code, or see docs/config.md.
{
  "$schema": ${j(options.schemaPath)},
  "name": ${j(options.name)},
  "seed": 42,

  // The teacher: ${trainsTeacher ? 'a small BERT trained from scratch by the first stage below.' : 'your fine-tuned checkpoint (Hugging Face folder).'}
  "teacher": ${teacher},

  // The student: ${s.comment}
  "student": ${s.spec},

  ${tokenizer}

  "data": {
    "train": ${j(options.train)},
    "eval": ${j(options.eval)}${unlabelled},
    "textColumn": "text",
    "labelColumn": "label",
    "maxLength": 48,
    "badRows": "abort"
  },

  // Soft labels (KL at temperature T, times T^2), gold labels, hidden states and attention maps.
  "losses": {
    "softLabel": { "weight": 1, "temperature": 2 },
    "hardLabel": { "weight": 1 },
    // Teacher width ${teacherHidden}, student width ${s.hidden}: ${projection ? 'a learned projection bridges them.' : 'equal, no projection needed.'}
    "hidden": { "weight": 1, "kind": "mse", "projection": ${projection} },
    // The embedding-output loss (layer 0) is off here; TinyBERT-style stages switch it on.
    "embedding": { "weight": 0, "kind": "mse", "projection": ${projection} },
    // Teacher heads ${teacherHeads}, student heads ${s.heads}.
    "attention": { "weight": 1, "kind": "kl", "headMapping": ${j(headMapping)} }
  },
  "layerMapping": { "strategy": "uniform" },

  // ${s.stagesComment}
  "stages": ${s.stages},

  "optimizer": { "name": "adamw", "learningRate": 0.001, "weightDecay": 0.01, "maxGradNorm": 1 },
  "schedule": { "kind": "linear", "warmupRatio": 0.1 },
  "training": { "batchSize": 32, "epochs": 3 },
  "evaluation": { "everySteps": 125, "metric": "accuracy", "earlyStopping": { "patience": 5 } },
  "checkpoints": { "everySteps": 250, "keepLast": 2, "keepBest": true },
  "output": { "dir": "runs", "ifExists": "error" },
  "backend": { "name": "auto" },
  "guards": { "checkTeacher": true },
  "attentionSnapshots": { "everySteps": 125, "maxTokens": 32 },
  "export": { "enabled": true, "opset": 17, "quantize": ["int8"] },
  "benchmark": { "enabled": true, "batchSizes": [1, 8], "seqLengths": [32, 64] }
}
`;
}
