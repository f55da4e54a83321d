// The JSON Schema of `distill-studio bench --json` output and of the <name>.bench.json files saved beside models
// (the same object, with one entry in `models`). Tools that read bench results validate against it.

/** Identifies the layout; bumped on changes (3 added host.executionProviders, externalDataFiles, peakRssMethod). */
export const BENCH_SCHEMA = 'distill-studio.bench/3';

const number = { type: 'number' } as const;
const positiveInteger = { type: 'integer', minimum: 1 } as const;

const point = {
  type: 'object',
  required: ['batch', 'sequence', 'p50Ms', 'p90Ms', 'p99Ms', 'meanMs', 'samplesPerSecond', 'tokensPerSecond'],
  additionalProperties: false,
  properties: {
    batch: positiveInteger,
    sequence: positiveInteger,
    p50Ms: number,
    p90Ms: number,
    p99Ms: number,
    meanMs: number,
    samplesPerSecond: number,
    tokensPerSecond: number,
    speedup: number,
  },
} as const;

const model = {
  type: 'object',
  required: [
    'path',
    'name',
    'runtime',
    'fileBytes',
    'parameters',
    'executionProvider',
    'peakRssBytes',
    'points',
    'skipped',
  ],
  additionalProperties: false,
  properties: {
    path: { type: 'string' },
    name: { type: 'string' },
    runtime: { enum: ['onnxruntime', 'tfjs'] },
    backend: { type: 'string' },
    fileBytes: { type: 'integer', minimum: 0 },
    externalDataFiles: { type: 'array', items: { type: 'string' } },
    parameters: { type: 'integer', minimum: 0 },
    precision: { type: 'string' },
    executionProvider: {
      enum: ['cpu', 'cuda', 'tensorrt'],
      description: 'The provider the session ran on (after any fallback from settings.ep).',
    },
    fallback: { type: 'string' },
    peakRssBytes: { type: 'integer', minimum: 0 },
    peakRssMethod: { enum: ['kernel-high-water-mark', 'sampled'] },
    points: { type: 'array', items: point },
    skipped: {
      type: 'array',
      items: {
        type: 'object',
        required: ['batch', 'sequence', 'reason'],
        additionalProperties: false,
        properties: { batch: positiveInteger, sequence: positiveInteger, reason: { type: 'string' } },
      },
    },
    speedup: number,
  },
} as const;

export const BENCH_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Distill Studio benchmark results',
  type: 'object',
  required: ['schema', 'createdAt', 'host', 'settings', 'baseline', 'models'],
  additionalProperties: false,
  properties: {
    schema: { const: BENCH_SCHEMA },
    createdAt: { type: 'string', description: 'ISO 8601 time the run finished.' },
    host: {
      type: 'object',
      required: ['cpu', 'cpus', 'platform', 'arch', 'node', 'onnxruntime', 'executionProviders'],
      additionalProperties: false,
      properties: {
        cpu: { type: 'string' },
        cpus: positiveInteger,
        platform: { type: 'string' },
        arch: { type: 'string' },
        node: { type: 'string' },
        onnxruntime: { type: 'string' },
        executionProviders: {
          type: 'array',
          description:
            "onnxruntime-node's providers (listSupportedBackends) and whether each one's library is installed.",
          items: {
            type: 'object',
            required: ['name', 'bundled', 'installed'],
            additionalProperties: false,
            properties: {
              name: { type: 'string' },
              bundled: { type: 'boolean' },
              installed: { type: 'boolean' },
            },
          },
        },
      },
    },
    settings: {
      type: 'object',
      required: ['batches', 'sequences', 'ep', 'warmup', 'runs'],
      additionalProperties: false,
      properties: {
        batches: { type: 'array', items: positiveInteger, minItems: 1 },
        sequences: { type: 'array', items: positiveInteger, minItems: 1 },
        threads: positiveInteger,
        ep: { enum: ['cpu', 'cuda', 'tensorrt'] },
        warmup: { type: 'integer', minimum: 0 },
        runs: positiveInteger,
      },
    },
    baseline: { type: 'string', description: 'The model speed-ups are relative to (the first --model).' },
    models: { type: 'array', items: model, minItems: 1 },
  },
} as const;
