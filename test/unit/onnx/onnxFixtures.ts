// Shared by the ONNX tests: the model fixtures (every folder of test/fixtures/models with a checkpoint).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const MODEL_FIXTURES = 'test/fixtures/models';

/**
 * Fixture folder names: BERT cls/mlm/encoder, MobileBERT cls/mlm/plain. The -f16/-bf16 folders hold bert-cls with
 * its weights stored in another dtype; they test the checkpoint reader, and load to the same float32 graph.
 */
export function modelFixtures(): string[] {
  return readdirSync(MODEL_FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(MODEL_FIXTURES, e.name, 'config.json')))
    .filter((e) => !/-b?f16$/.test(e.name))
    .map((e) => e.name)
    .sort();
}
