// The distillation config (`*.distill.json`): one declarative file describing a whole experiment.
// These types are the source of truth; schema/distill.schema.json is generated from them (npm run schema) and a
// unit test fails when the two drift. JSDoc here becomes hover text and completion in the editor.

/** A Distill Studio experiment: teacher, student, data, losses, stages, training, export and benchmark. */
export interface DistillConfig {
  /** Link to the JSON schema, for editors outside VS Code. */
  $schema?: string;
  /**
   * Config format version.
   * @default 1
   */
  version?: 1;
  /**
   * Run name. The run writes to `<output.dir>/<name>/`. Letters (any script), digits, `.`, `_`, `-`.
   * @pattern ^[^\s/\\:*?"<>|]+$
   */
  name: string;
  /** Free text shown in the Runs view. */
  description?: string;
  /**
   * Seed for data order, masking, dropout and initialisation. Same seed + same config = same result.
   * @asType integer
   * @minimum 0
   * @default 42
   */
  seed?: number;
  /**
   * The large, accurate model that teaches. A checkpoint folder, an architecture to train first, or an ONNX export
   * run through onnxruntime.
   */
  teacher: TeacherSpec;
  /**
   * Teacher of `pretrain-distill` stages: a pre-trained model with its masked-LM head (a BertForMaskedLM,
   * BertForPreTraining or MobileBertForMaskedLM checkpoint, typically the model `teacher` was fine-tuned from,
   * as in TinyBERT's general distillation). Defaults to `teacher`. It must use the run's tokenizer vocabulary.
   */
  pretrainTeacher?: TeacherSpec;
  /** The small model being distilled. A checkpoint folder, a preset such as `mobilebert`, or explicit sizes. */
  student: ModelSpec;
  /** WordPiece tokenizer. Defaults to the teacher checkpoint's tokenizer files. */
  tokenizer?: TokenizerSpec;
  /** Training, evaluation and unlabelled data. */
  data: DataSpec;
  /** Loss terms and their weights. Stages may override them. */
  losses?: LossesSpec;
  /** Which teacher layer teaches which student layer. */
  layerMapping?: LayerMappingSpec;
  /**
   * Stages run in order, or the name of a built-in schedule of stages.
   * @default "task-distill"
   */
  stages?: StageSpec[] | StagePreset;
  /** Optimiser settings. */
  optimizer?: OptimizerSpec;
  /** Learning-rate schedule. */
  schedule?: ScheduleSpec;
  /** Batch size, epochs and step limits. */
  training?: TrainingSpec;
  /** When and how to evaluate, and early stopping. */
  evaluation?: EvaluationSpec;
  /** Checkpoint frequency and retention. */
  checkpoints?: CheckpointSpec;
  /** Where runs are written. */
  output?: OutputSpec;
  /** Compute backend for training. */
  backend?: BackendSpec;
  /** Checks that stop a run before it wastes hours (for example a teacher that is no better than chance). */
  guards?: GuardSpec;
  /** Teacher and student attention maps recorded for probe sentences, for the attention diff viewer. */
  attentionSnapshots?: AttentionSnapshotSpec;
  /** ONNX export of the final student. */
  export?: ExportSpec;
  /** Latency benchmark of the exported models. */
  benchmark?: BenchmarkSpec;
}

/** Built-in architectures. Sizes follow the papers and Hugging Face configs. */
export type ModelPreset =
  | 'bert-large'
  | 'bert-base'
  | 'bert-medium'
  | 'bert-small'
  | 'bert-mini'
  | 'bert-tiny'
  | 'tinybert-4'
  | 'tinybert-6'
  | 'mobilebert'
  | 'mobilebert-tiny';

/**
 * A model: give `checkpoint`, or `preset`, or `config` with `model_type` and sizes. `config` keys override the
 * preset (or the checkpoint's config.json when the checkpoint is also given).
 */
export interface ModelSpec {
  /**
   * Folder holding a Hugging Face checkpoint: `config.json` and `model.safetensors` (or a sharded
   * `model.safetensors.index.json`). Relative paths are resolved from the config file's folder.
   */
  checkpoint?: string;
  /** A built-in architecture, randomly initialised unless `checkpoint` is also given. */
  preset?: ModelPreset;
  /** Hugging Face `config.json` keys, e.g. `{ "num_hidden_layers": 4, "hidden_size": 312 }`. */
  config?: ModelConfigOverrides;
}

/** A teacher: any model spec, optionally computed by onnxruntime-node instead of TensorFlow.js. */
export interface TeacherSpec extends ModelSpec {
  /**
   * What computes the teacher's outputs while distilling. `tfjs`: TensorFlow.js, the training backend. `onnx`:
   * onnxruntime-node. The teacher is then exported once to `<run>/teacher-onnx/model.onnx` with every hidden
   * state and attention map as outputs, checked against TensorFlow.js before use (unless `onnx` names a file).
   * The teacher needs no gradients, and onnxruntime is faster on CPUs (`npm run bench` measures both).
   * Attention `kind: "mse-scores"` needs `tfjs`: exports carry attention probabilities, not pre-softmax scores.
   * @default "tfjs"
   */
  runtime?: 'tfjs' | 'onnx';
  /**
   * An ONNX file of the teacher; implies `runtime: "onnx"`. Inputs input_ids, attention_mask and (for text
   * pairs) token_type_ids; outputs `logits` and, for hidden-state and attention losses, `hidden_states.<i>` and
   * `attentions.<i>`, as `distill-studio export --with-hidden` writes them. With `checkpoint` too, the file is
   * checked against the checkpoint before use and the checkpoint supplies what an ONNX file cannot (a masked-LM
   * head on gathered positions); without it, the config.json and tokenizer files beside the file describe the
   * teacher. Files with a fixed batch size or sequence length work: batches run in chunks of that size, padded to
   * that length (`data.maxLength` must not exceed it). Relative to the config file.
   */
  onnx?: string;
}

/** Hugging Face BertConfig / MobileBertConfig keys (snake_case, exactly as in config.json). */
export interface ModelConfigOverrides {
  /** Architecture family. Required when neither checkpoint nor preset is given. */
  model_type?: 'bert' | 'mobilebert';
  /**
   * Vocabulary size; must match the tokenizer.
   * @asType integer
   * @minimum 1
   */
  vocab_size?: number;
  /**
   * Width of the hidden states between layers (MobileBERT: the inter-block width).
   * @asType integer
   * @minimum 1
   */
  hidden_size?: number;
  /**
   * Number of transformer layers.
   * @asType integer
   * @minimum 1
   */
  num_hidden_layers?: number;
  /**
   * Attention heads per layer.
   * @asType integer
   * @minimum 1
   */
  num_attention_heads?: number;
  /**
   * Feed-forward inner width.
   * @asType integer
   * @minimum 1
   */
  intermediate_size?: number;
  /** Activation of the feed-forward network. */
  hidden_act?: 'gelu' | 'relu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'tanh';
  /**
   * @minimum 0
   * @exclusiveMaximum 1
   */
  hidden_dropout_prob?: number;
  /**
   * @minimum 0
   * @exclusiveMaximum 1
   */
  attention_probs_dropout_prob?: number;
  /**
   * Longest sequence the position embeddings cover; `data.maxLength` may not exceed it.
   * @asType integer
   * @minimum 1
   */
  max_position_embeddings?: number;
  /**
   * Number of token types (segments); 2 for text pairs.
   * @asType integer
   * @minimum 1
   */
  type_vocab_size?: number;
  /** @exclusiveMinimum 0 */
  initializer_range?: number;
  /** @exclusiveMinimum 0 */
  layer_norm_eps?: number;
  /**
   * @asType integer
   * @minimum 0
   */
  pad_token_id?: number;
  /**
   * MobileBERT: width of the word embedding table before the trigram projection.
   * @asType integer
   * @minimum 1
   */
  embedding_size?: number;
  /** MobileBERT: concatenate neighbouring token embeddings (trigram) before projecting to hidden_size. */
  trigram_input?: boolean;
  /** MobileBERT: use bottleneck linear maps around each block. */
  use_bottleneck?: boolean;
  /**
   * MobileBERT: width inside each block (the bottleneck).
   * @asType integer
   * @minimum 1
   */
  intra_bottleneck_size?: number;
  /** MobileBERT: attention reads all of query, key and value from the bottleneck. */
  use_bottleneck_attention?: boolean;
  /** MobileBERT: query and key share one bottleneck projection. */
  key_query_shared_bottleneck?: boolean;
  /**
   * MobileBERT: number of stacked feed-forward networks per block.
   * @asType integer
   * @minimum 1
   */
  num_feedforward_networks?: number;
  /** MobileBERT: `no_norm` (element-wise affine, the paper's NoNorm) or `layer_norm`. */
  normalization_type?: 'no_norm' | 'layer_norm';
  /** MobileBERT: apply tanh to the pooled output before the classifier. */
  classifier_activation?: boolean;
  /**
   * Dropout before the classifier (falls back to hidden_dropout_prob).
   * @minimum 0
   * @exclusiveMaximum 1
   */
  classifier_dropout?: number;
}

/** WordPiece tokenizer settings. */
export interface TokenizerSpec {
  /** `vocab.txt` or `tokenizer.json`. Defaults to the files in the teacher checkpoint folder. */
  path?: string;
  /** Lower-case input. Defaults to the tokenizer files' setting (`do_lower_case`), else true. */
  lowercase?: boolean;
  /** Strip accents. Defaults to follow `lowercase`, as BertTokenizerFast does. */
  stripAccents?: boolean;
  /**
   * Put spaces around CJK ideographs so each is its own token.
   * @default true
   */
  tokenizeChineseChars?: boolean;
  /** Train a new WordPiece vocabulary from the training data, for teachers trained from scratch. */
  train?: TokenizerTrainSpec;
}

/** Settings for training a new WordPiece vocabulary. */
export interface TokenizerTrainSpec {
  /**
   * Vocabulary size including special tokens.
   * @asType integer
   * @minimum 100
   * @default 8000
   */
  vocabSize?: number;
  /**
   * A pair of pieces seen fewer times than this is never merged into a new token (as in Hugging Face's trainer).
   * @asType integer
   * @minimum 1
   * @default 2
   */
  minFrequency?: number;
  /** Extra text files (one example per line) to learn the vocabulary from, besides the data files. */
  corpus?: string[];
}

/** Data files and how to read them. */
export interface DataSpec {
  /** Labelled training data: TSV/CSV with a header row, or JSONL. Relative to the config file. */
  train: string;
  /** Labelled evaluation data, same format as `train`. */
  eval?: string;
  /** Labelled test data, evaluated once at the end. */
  test?: string;
  /** Unlabelled text files, one example per line; used for teacher-only losses and pre-training distillation. */
  unlabelled?: string[];
  /**
   * File format. `auto` decides by extension (.tsv, .csv, .jsonl/.json).
   * @default "auto"
   */
  format?: 'auto' | 'tsv' | 'csv' | 'jsonl';
  /**
   * Column (or JSONL key) holding the text.
   * @default "text"
   */
  textColumn?: string;
  /** Column holding the second text of a pair (sentence-pair tasks such as NLI). */
  textPairColumn?: string;
  /**
   * Column holding the gold label (string or integer).
   * @default "label"
   */
  labelColumn?: string;
  /** Label names in model output order. Defaults to the sorted distinct labels of the training data. */
  labels?: string[];
  /**
   * Maximum tokens per example including [CLS] and [SEP]; longer inputs are truncated.
   * @asType integer
   * @minimum 8
   * @maximum 8192
   * @default 128
   */
  maxLength?: number;
  /**
   * Share of training batches drawn from the unlabelled files when they are given.
   * @minimum 0
   * @maximum 1
   * @default 0.5
   */
  unlabelledRatio?: number;
  /**
   * What to do with rows that cannot be used (missing column, empty text, undecodable bytes, unknown eval
   * label): `abort` stops with file:line; `skip` skips them and reports the count.
   * @default "abort"
   */
  badRows?: 'abort' | 'skip';
}

/** Multiplier on a loss weight over the course of a stage. */
export interface WeightSchedule {
  /**
   * Curve from `from` to `to`.
   * @default "linear"
   */
  kind?: 'constant' | 'linear' | 'cosine';
  /** @minimum 0 */
  from: number;
  /** @minimum 0 */
  to: number;
}

/** Common fields of every loss term. */
export interface LossTerm {
  /**
   * Weight of this term in the total loss; 0 disables it.
   * @minimum 0
   */
  weight?: number;
  /** Optional change of the weight over the stage. */
  schedule?: WeightSchedule;
}

/** All loss terms. Omitted terms keep their defaults (see each). */
export interface LossesSpec {
  /** Soft labels: KL(teacher_T || student_T) * T^2 (Hinton et al. 2015). Default weight 1. */
  softLabel?: SoftLabelLoss;
  /** Cross-entropy on gold labels (labelled rows only). Default weight 1. */
  hardLabel?: LossTerm;
  /** Hidden states of mapped layers (TinyBERT). Default weight 0. */
  hidden?: HiddenLoss;
  /** Attention of mapped layers (TinyBERT, MobileBERT). Default weight 0. */
  attention?: AttentionLoss;
  /** Embedding-layer output (TinyBERT's layer 0). Default weight 0. */
  embedding?: HiddenLoss;
  /** MobileBERT feature-map transfer: mean and variance of each mapped layer's hidden states. Default weight 0. */
  featureMap?: LossTerm;
  /**
   * Masked-LM distillation in `pretrain-distill` stages (ignored elsewhere). Default weight 1. With weight 0, a
   * `pretrain-distill` stage does not mask at all and distils only the hidden-state, attention and embedding
   * losses on unlabelled text (TinyBERT's general distillation).
   */
  maskedLm?: MaskedLmLoss;
}

/** Soft-label (logit) distillation. */
export interface SoftLabelLoss extends LossTerm {
  /**
   * `kl`: KL divergence of temperature-softened distributions times T^2. `mse`: MSE between raw logits.
   * @default "kl"
   */
  kind?: 'kl' | 'mse';
  /**
   * Softmax temperature T; higher reveals more of the teacher's dark knowledge.
   * @exclusiveMinimum 0
   * @maximum 100
   * @default 2
   */
  temperature?: number;
  /** Optional temperature change over the stage (the schedule's `from`/`to` are temperatures). */
  temperatureSchedule?: WeightSchedule;
}

/** Hidden-state (or embedding-output) distillation. */
export interface HiddenLoss extends LossTerm {
  /**
   * Distance between teacher and student states.
   * @default "mse"
   */
  kind?: 'mse' | 'cosine';
  /**
   * Learn a linear map from the student width to the teacher width (TinyBERT's W_h). Needed when the widths
   * differ; trained with the student, not saved into it.
   * @default false
   */
  projection?: boolean;
}

/** Attention-map distillation. */
export interface AttentionLoss extends LossTerm {
  /**
   * `mse`: MSE between attention probabilities. `kl`: KL between attention distributions (MobileBERT).
   * `mse-scores`: MSE between pre-softmax scores with masked positions excluded (TinyBERT).
   * @default "mse"
   */
  kind?: 'mse' | 'kl' | 'mse-scores';
  /**
   * How teacher heads meet student heads when the counts differ. `none`: counts must be equal.
   * `mean`: average over all heads on both sides. `group`: average each group of teacher heads into one student
   * head (teacher heads must be a multiple of student heads).
   * @default "none"
   */
  headMapping?: 'none' | 'mean' | 'group';
}

/**
 * Masked-LM distillation on unlabelled text (MobileBERT's pre-training distillation): per sequence, `maskProbability`
 * of the non-special tokens are selected (at least one); of those 80% become [MASK], 10% a random token and 10% stay
 * unchanged (BERT). The loss is KL(teacher_T || student_T) * T^2 over the vocabulary at the selected positions
 * only: hidden states are gathered there before the vocabulary projection, so no [batch, length, vocab] logits
 * are built. The masking is seeded from the run seed and its generator state is saved in checkpoints.
 */
export interface MaskedLmLoss extends LossTerm {
  /**
   * Share of the non-special tokens of each sequence selected for prediction.
   * @exclusiveMinimum 0
   * @exclusiveMaximum 1
   * @default 0.15
   */
  maskProbability?: number;
  /**
   * Softmax temperature of the masked-LM distillation (1 in MobileBERT and TinyBERT).
   * @exclusiveMinimum 0
   * @maximum 100
   * @default 1
   */
  temperature?: number;
  /**
   * Weight of the cross-entropy against the original tokens at the selected positions, added to the soft term.
   * @minimum 0
   * @default 0
   */
  hardWeight?: number;
}

/** A teacher-layer to student-layer match. Layer 0 is the embedding output; 1..N are transformer layers. */
export interface LayerPair {
  /**
   * @asType integer
   * @minimum 0
   */
  teacherLayer: number;
  /**
   * @asType integer
   * @minimum 0
   */
  studentLayer: number;
  /**
   * Which features this pair transfers. Attention needs layers >= 1.
   * @default "both"
   */
  feature?: 'hidden' | 'attention' | 'both';
  /**
   * Weight of this pair within its loss term.
   * @minimum 0
   * @default 1
   */
  weight?: number;
}

/** Layer mapping. */
export interface LayerMappingSpec {
  /**
   * `uniform`: student layer m learns from teacher layer round(m * N_teacher / N_student) (TinyBERT).
   * `last`: student layer m learns from teacher layer N_teacher - N_student + m. `explicit`: use `pairs`.
   * @default "uniform"
   */
  strategy?: 'uniform' | 'last' | 'explicit';
  /** Explicit pairs; required when strategy is `explicit`. The embedding loss always pairs layer 0 with 0. */
  pairs?: LayerPair[];
}

/**
 * Built-in stage schedules. `task-distill`: one distillation stage with every configured loss.
 * `tinybert-two-step`: intermediate-layer distillation, then prediction-layer distillation.
 * `mobilebert-progressive`: one stage per student layer (lower layers first, earlier ones frozen), then logits.
 * `teacher-then-distill`: train the teacher on the labelled data, then `task-distill`.
 * `tinybert-general-task`: TinyBERT's general distillation (hidden states, attention and embeddings on unlabelled
 * text, no masking; teacher `pretrainTeacher`), then `tinybert-two-step`.
 * `mobilebert-pretrain-progressive`: MobileBERT's pre-training distillation (masked-LM KD plus every layer's hidden
 * states and attention on unlabelled text; teacher `pretrainTeacher`), then `mobilebert-progressive`.
 */
export type StagePreset =
  | 'task-distill'
  | 'tinybert-two-step'
  | 'mobilebert-progressive'
  | 'teacher-then-distill'
  | 'tinybert-general-task'
  | 'mobilebert-pretrain-progressive';

/** One stage of training. */
export interface StageSpec {
  /** Stage name shown in events and the dashboard. */
  name: string;
  /**
   * `train`: supervised training of `model` (no teacher). `distill`: task distillation from the teacher.
   * `pretrain-distill`: distillation on unlabelled text with the masked-LM loss (`losses.maskedLm`) plus the
   * hidden-state, attention and embedding losses, from `pretrainTeacher` (else `teacher`); the student's encoder
   * carries on into the following stages, and after the stage the student is also saved with its masked-LM head
   * to `<run>/pretrained/` (Hugging Face *ForMaskedLM, reusable as a student checkpoint). `final/` is the task model,
   * unless every stage is `pretrain-distill`, when it is that masked-LM model.
   */
  kind: 'train' | 'distill' | 'pretrain-distill';
  /**
   * Which model a `train` stage trains.
   * @default "student"
   */
  model?: 'teacher' | 'student';
  /**
   * Passes over the training data. Give `epochs` or `steps`; without either, `training.epochs` applies.
   * @exclusiveMinimum 0
   */
  epochs?: number;
  /**
   * Optimiser steps for this stage.
   * @asType integer
   * @minimum 1
   */
  steps?: number;
  /**
   * Student layers that train in this stage; the rest are frozen. `all`, or a list of layer numbers
   * (0 = embeddings, 1..N = transformer layers).
   * @default "all"
   */
  trainLayers?: 'all' | LayerIndex[];
  /**
   * Whether the head trains in this stage: the pooler and classifier, or in `pretrain-distill` stages the
   * masked-LM head (its decoder is tied to the word embeddings, which train with layer 0).
   * @default true
   */
  trainHead?: boolean;
  /** Loss weights for this stage; merged over the top-level `losses`. */
  losses?: LossesSpec;
  /** Layer mapping for this stage; replaces the top-level one. */
  layerMapping?: LayerMappingSpec;
  /**
   * Learning rate for this stage; defaults to `optimizer.learningRate`.
   * @exclusiveMinimum 0
   * @maximum 1
   */
  learningRate?: number;
  /**
   * Which data feeds this stage. `both` mixes in unlabelled batches at `data.unlabelledRatio`. Defaults to
   * `unlabelled` in `pretrain-distill` stages (whose `labelled` and `both` use the labelled texts as plain text too)
   * and to `both` elsewhere.
   */
  data?: 'labelled' | 'unlabelled' | 'both';
}

/** AdamW settings. */
export interface OptimizerSpec {
  /**
   * Optimiser.
   * @default "adamw"
   */
  name?: 'adamw' | 'adam' | 'sgd';
  /**
   * Peak learning rate.
   * @exclusiveMinimum 0
   * @maximum 1
   * @default 0.00005
   */
  learningRate?: number;
  /**
   * Decoupled weight decay (not applied to biases and normalisation weights).
   * @minimum 0
   * @default 0.01
   */
  weightDecay?: number;
  /**
   * @exclusiveMinimum 0
   * @exclusiveMaximum 1
   * @default 0.9
   */
  beta1?: number;
  /**
   * @exclusiveMinimum 0
   * @exclusiveMaximum 1
   * @default 0.999
   */
  beta2?: number;
  /**
   * @exclusiveMinimum 0
   * @default 1e-8
   */
  epsilon?: number;
  /**
   * Clip the global gradient norm to this value; 0 disables clipping.
   * @minimum 0
   * @default 1
   */
  maxGradNorm?: number;
}

/** Learning-rate schedule within each stage. */
export interface ScheduleSpec {
  /**
   * Shape after warm-up.
   * @default "linear"
   */
  kind?: 'linear' | 'constant' | 'cosine';
  /**
   * Share of the stage's steps spent warming up linearly from 0. Ignored when `warmupSteps` is given.
   * @minimum 0
   * @maximum 1
   * @default 0.1
   */
  warmupRatio?: number;
  /**
   * Warm-up steps.
   * @asType integer
   * @minimum 0
   */
  warmupSteps?: number;
}

/** Batching and length of training. */
export interface TrainingSpec {
  /**
   * Examples per optimiser step (per accumulation micro-batch).
   * @asType integer
   * @minimum 1
   * @maximum 4096
   * @default 32
   */
  batchSize?: number;
  /**
   * Micro-batches accumulated before each optimiser step.
   * @asType integer
   * @minimum 1
   * @default 1
   */
  gradientAccumulationSteps?: number;
  /**
   * Default epochs for stages that give neither `epochs` nor `steps`.
   * @exclusiveMinimum 0
   * @default 3
   */
  epochs?: number;
  /**
   * Batch size for evaluation and teacher inference.
   * @asType integer
   * @minimum 1
   * @default 64
   */
  evalBatchSize?: number;
  /**
   * Keep teacher outputs per example across epochs instead of recomputing them: `logits` keeps the logits
   * (they spare the teacher's pass only in stages that need nothing else, e.g. soft labels alone); `features` also
   * keeps the hidden states and attention maps of the mapped teacher layers when a stage's need fits in
   * `cacheMemoryMb` (else that stage caches logits only and says so). Each stage logs how many batches the cache
   * served. Masked-LM stages never cache: their inputs are masked afresh every time.
   * @default "logits"
   */
  cacheTeacher?: 'none' | 'logits' | 'features';
  /**
   * Memory budget for cached teacher features (`cacheTeacher: "features"`), in MiB.
   * @asType integer
   * @minimum 0
   * @default 1024
   */
  cacheMemoryMb?: number;
}

/** Evaluation and early stopping. */
export interface EvaluationSpec {
  /**
   * Evaluate every N optimiser steps; 0 evaluates at the end of each epoch only.
   * @asType integer
   * @minimum 0
   * @default 0
   */
  everySteps?: number;
  /**
   * Metric that picks the best checkpoint and drives early stopping.
   * @default "accuracy"
   */
  metric?: 'accuracy' | 'macro-f1';
  /** Stop a stage when the metric has not improved for `patience` evaluations. */
  earlyStopping?: EarlyStoppingSpec;
}

/** Early stopping. */
export interface EarlyStoppingSpec {
  /**
   * Evaluations without improvement before stopping.
   * @asType integer
   * @minimum 1
   * @default 3
   */
  patience?: number;
  /**
   * Smallest change that counts as an improvement.
   * @minimum 0
   * @default 0
   */
  minDelta?: number;
}

/** Checkpoints. */
export interface CheckpointSpec {
  /**
   * Save every N optimiser steps (and always at the end of a stage and on SIGTERM/SIGINT); 0: stage ends only.
   * @asType integer
   * @minimum 0
   * @default 200
   */
  everySteps?: number;
  /**
   * How many recent checkpoints to keep.
   * @asType integer
   * @minimum 1
   * @default 2
   */
  keepLast?: number;
  /**
   * Also keep the best checkpoint by `evaluation.metric`.
   * @default true
   */
  keepBest?: boolean;
}

/** Output location. */
export interface OutputSpec {
  /**
   * Folder for run folders, relative to the config file.
   * @default "runs"
   */
  dir?: string;
  /**
   * When `<dir>/<name>` already holds a run: `error` refuses, `resume` continues it, `new` adds a numeric suffix.
   * @default "error"
   */
  ifExists?: 'error' | 'resume' | 'new';
}

/** Compute backend. */
export interface BackendSpec {
  /**
   * `auto` picks tfjs-node-gpu, then tfjs-node, then WebAssembly, then pure JavaScript.
   * @default "auto"
   */
  name?: 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  /**
   * Threads for the WebAssembly backend and onnxruntime; defaults to the number of cores.
   * @asType integer
   * @minimum 1
   */
  threads?: number;
}

/** Guards run before spending hours. */
export interface GuardSpec {
  /**
   * Evaluate the teacher on the eval data before distilling and stop when it is near chance.
   * @default true
   */
  checkTeacher?: boolean;
  /**
   * Minimum teacher accuracy; defaults to chance (1 / number of labels) plus 0.1.
   * @minimum 0
   * @maximum 1
   */
  teacherMinAccuracy?: number;
  /**
   * Before distilling, check that the teacher gets the inputs it was trained with: its tokenizer's lower-casing
   * and vocabulary, token type ids for text pairs, and the maximum length (position embeddings, the length it was
   * trained with where recorded, a fixed ONNX sequence length). Errors stop the run; each finding names the fix
   * (docs/diagnostics.md).
   * @default true
   */
  checkTeacherInputs?: boolean;
}

/** Attention snapshots for the dashboard's attention diff viewer. */
export interface AttentionSnapshotSpec {
  /** Probe sentences; defaults to the first eval examples. Korean and other scripts are fine. */
  probes?: string[];
  /**
   * Record a snapshot every N steps (and at each stage end); 0 disables snapshots.
   * @asType integer
   * @minimum 0
   * @default 100
   */
  everySteps?: number;
  /**
   * Longest token axis stored per probe.
   * @asType integer
   * @minimum 2
   * @maximum 512
   * @default 32
   */
  maxTokens?: number;
}

/** ONNX export. */
export interface ExportSpec {
  /**
   * Export the final student to ONNX at the end of the run (verified against TensorFlow.js).
   * @default true
   */
  enabled?: boolean;
  /**
   * ONNX opset.
   * @asType integer
   * @minimum 13
   * @maximum 21
   * @default 17
   */
  opset?: number;
  /**
   * Also write quantized variants.
   * @default []
   */
  quantize?: ('int8' | 'fp16')[];
  /**
   * Add hidden states and attentions as extra outputs.
   * @default false
   */
  withHidden?: boolean;
  /**
   * Largest max |logit difference| accepted by the parity check for fp32.
   * @exclusiveMinimum 0
   * @default 0.0001
   */
  tolerance?: number;
}

/** Latency benchmark. */
export interface BenchmarkSpec {
  /**
   * Benchmark the exported models at the end of the run.
   * @default false
   */
  enabled?: boolean;
  /**
   * Batch sizes.
   * @default [1, 8, 32]
   */
  batchSizes?: PositiveInteger[];
  /**
   * Sequence lengths.
   * @default [32, 128]
   */
  seqLengths?: PositiveInteger[];
  /**
   * onnxruntime execution provider; unavailable ones fall back to CPU with a message.
   * @default "cpu"
   */
  executionProvider?: 'cpu' | 'cuda' | 'tensorrt';
  /**
   * Untimed runs first.
   * @asType integer
   * @minimum 0
   * @default 5
   */
  warmup?: number;
  /**
   * Timed runs per shape.
   * @asType integer
   * @minimum 1
   * @default 50
   */
  runs?: number;
}

/**
 * A layer number: 0 = embeddings, 1..N = transformer layers.
 * @asType integer
 * @minimum 0
 */
export type LayerIndex = number;

/**
 * @asType integer
 * @minimum 1
 */
export type PositiveInteger = number;
