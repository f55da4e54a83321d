// The committed JSON schema must be exactly what the TypeScript config types generate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('schema/distill.schema.json matches src/protocol/config.ts (run `npm run schema` after changing the types)', async () => {
  const { generateSchemaText } = (await import('../../../scripts/generateSchema.mjs')) as {
    generateSchemaText: () => string;
  };
  const committed = readFileSync('schema/distill.schema.json', 'utf8').split('\n');
  const generated = generateSchemaText().split('\n');
  const line = generated.findIndex((text, i) => text !== committed[i]);
  const where = line === -1 ? committed.length : line;
  assert.equal(
    committed.length === generated.length && line === -1,
    true,
    `schema drift at line ${where + 1}: committed ${JSON.stringify(committed[where])}, types give ${JSON.stringify(generated[where])}`,
  );
});

test('docs/config.md is the reference generated from the same types', async () => {
  const { generateDocsText } = (await import('../../../scripts/generateSchema.mjs')) as {
    generateDocsText: () => string;
  };
  assert.equal(
    readFileSync('docs/config.md', 'utf8') === generateDocsText(),
    true,
    'docs/config.md is stale: run `npm run schema`',
  );
});

test('the schema documents every property and gives defaults for optional numbers', () => {
  const schema = JSON.parse(readFileSync('schema/distill.schema.json', 'utf8')) as {
    definitions: Record<string, { properties?: Record<string, { description?: string; $ref?: string }> }>;
  };
  const undocumented: string[] = [];
  for (const [name, definition] of Object.entries(schema.definitions)) {
    for (const [key, property] of Object.entries(definition.properties ?? {})) {
      const documented = property.description !== undefined;
      // Plain numeric knobs documented by their constraints alone are listed here explicitly.
      const selfExplaining = [
        'hidden_dropout_prob',
        'attention_probs_dropout_prob',
        'initializer_range',
        'layer_norm_eps',
        'pad_token_id',
        'beta1',
        'beta2',
        'epsilon',
        'teacherLayer',
        'studentLayer',
        'from',
        'to',
      ];
      if (!documented && !selfExplaining.includes(key)) undocumented.push(`${name}.${key}`);
    }
  }
  assert.deepEqual(undocumented, []);
});
