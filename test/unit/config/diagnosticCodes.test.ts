// Every diagnostic code the engine can emit is documented, and the docs name no code that does not exist.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DIAGNOSTIC_CODES } from '../../../src/protocol/diagnostics';

test('docs/diagnostics.md documents exactly the codes in DIAGNOSTIC_CODES', () => {
  const documented = [...readFileSync('docs/diagnostics.md', 'utf8').matchAll(/^\| `([a-z-]+)` +\|/gm)].map(
    (m) => m[1],
  );
  assert.deepEqual([...documented].sort(), [...DIAGNOSTIC_CODES].sort());
});
