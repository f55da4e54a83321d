// Types for scripts/generateSchema.mjs, imported by the drift tests.
export function generateSchemaText(): string;
export function generateDocsText(schemaText?: string): string;
