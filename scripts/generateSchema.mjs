// Generates schema/distill.schema.json and its reference page docs/config.md from the TypeScript config types
// (src/protocol/config.ts). `--check` exits 1 when either committed file differs from what the types produce
// (the unit drift test checks the same).
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = join(root, 'schema', 'distill.schema.json');
const docsPath = join(root, 'docs', 'config.md');

export function generateSchemaText() {
  const schema = createGenerator({
    path: join(root, 'src/protocol/config.ts'),
    tsconfig: join(root, 'tsconfig.json'),
    type: 'DistillConfig',
    jsDoc: 'extended',
    markdownDescription: false,
    additionalProperties: false,
    sortProps: false,
    skipTypeCheck: true,
  }).createSchema('DistillConfig');
  schema.$id = 'https://distill-studio.dev/schema/distill.schema.json';
  schema.title = 'Distill Studio config (*.distill.json)';
  return JSON.stringify(schema, null, 2) + '\n';
}

function typeText(node, definitions) {
  if (node.$ref) {
    const name = node.$ref.replace('#/definitions/', '');
    const target = definitions[name];
    if (target?.enum) return target.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
    if (target?.type === 'object') return `[${name}](#${name.toLowerCase()})`;
    return typeText(target, definitions);
  }
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if ('const' in node) return `\`${JSON.stringify(node.const)}\``;
  if (node.anyOf) return node.anyOf.map((n) => typeText(n, definitions)).join(' or ');
  if (node.type === 'array') return `list of ${typeText(node.items ?? {}, definitions)}`;
  return node.type ?? 'any';
}

function constraintText(node) {
  const parts = [];
  if (node.minimum !== undefined) parts.push(`>= ${node.minimum}`);
  if (node.exclusiveMinimum !== undefined) parts.push(`> ${node.exclusiveMinimum}`);
  if (node.maximum !== undefined) parts.push(`<= ${node.maximum}`);
  if (node.exclusiveMaximum !== undefined) parts.push(`< ${node.exclusiveMaximum}`);
  return parts.join(', ');
}

/** A Markdown reference of every section and key, in declaration order. */
export function generateDocsText(schemaText = generateSchemaText()) {
  const { definitions } = JSON.parse(schemaText);
  const lines = [
    '# Config reference (`*.distill.json`)',
    '',
    'Generated from `src/protocol/config.ts` by `npm run schema`; do not edit by hand. The same text appears as',
    'hover help in VS Code. Paths are relative to the config file. Comments and trailing commas are allowed.',
    '',
  ];
  for (const [name, definition] of Object.entries(definitions)) {
    if (definition.type !== 'object') continue;
    lines.push(`## ${name}`, '', definition.description ?? '', '');
    lines.push('| key | type | default | range | description |', '| --- | --- | --- | --- | --- |');
    const required = new Set(definition.required ?? []);
    for (const [key, property] of Object.entries(definition.properties ?? {})) {
      const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
      const def =
        property.default !== undefined
          ? `\`${JSON.stringify(property.default)}\``
          : required.has(key)
            ? '**required**'
            : '';
      lines.push(
        `| \`${key}\` | ${typeText(property, definitions)} | ${def} | ${constraintText(property)} | ${cell(property.description ?? '')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

function writeAtomic(path, text) {
  writeFileSync(path + '.tmp', text);
  renameSync(path + '.tmp', path);
}

function readOrEmpty(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const schemaText = generateSchemaText();
  const docsText = generateDocsText(schemaText);
  if (process.argv.includes('--check')) {
    let ok = true;
    for (const [path, text] of [
      [schemaPath, schemaText],
      [docsPath, docsText],
    ]) {
      if (readOrEmpty(path) !== text) {
        console.error(`${path} is out of date with src/protocol/config.ts: run \`npm run schema\`.`);
        ok = false;
      }
    }
    if (!ok) process.exit(1);
    console.log('schema and docs are up to date');
  } else {
    writeAtomic(schemaPath, schemaText);
    writeAtomic(docsPath, docsText);
    console.log(`wrote ${schemaPath} and ${docsPath}`);
  }
}
