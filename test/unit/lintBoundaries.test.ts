// The architecture's import boundaries are enforced by ESLint zones; these cases prove each zone fires.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: { file: string; code: string; blocked: boolean }[] = [
  {
    file: 'src/trainer/x.ts',
    code: "import * as vscode from 'vscode';\nexport const a = vscode;\n",
    blocked: true,
  },
  {
    file: 'src/config/x.ts',
    code: "import * as vscode from 'vscode';\nexport const a = vscode;\n",
    blocked: true,
  },
  {
    file: 'src/config/x.ts',
    code: "import * as tf from '@tensorflow/tfjs';\nexport const a = tf;\n",
    blocked: true,
  },
  {
    file: 'src/protocol/x.ts',
    code: "import { readFile } from 'node:fs';\nexport const a = readFile;\n",
    blocked: true,
  },
  {
    file: 'src/protocol/x.ts',
    code: "import { a } from '../config/y';\nexport const b = a;\n",
    blocked: true,
  },
  {
    file: 'src/protocol/x.ts',
    code: "import { PROTOCOL_VERSION } from './version';\nexport const b = PROTOCOL_VERSION;\n",
    blocked: false,
  },
  {
    file: 'src/extension/x.ts',
    code: "import * as tf from '@tensorflow/tfjs';\nexport const a = tf;\n",
    blocked: true,
  },
  {
    file: 'src/extension/x.ts',
    code: "import * as ort from 'onnxruntime-node';\nexport const a = ort;\n",
    blocked: true,
  },
  {
    file: 'src/extension/x.ts',
    code: "import { main } from '../trainer/cli';\nexport const a = main;\n",
    blocked: true,
  },
  {
    file: 'src/extension/x.ts',
    code: "import * as vscode from 'vscode';\nexport const a = vscode;\n",
    blocked: false,
  },
  {
    file: 'webview/src/x.ts',
    code: "import { readFile } from 'node:fs';\nexport const a = readFile;\n",
    blocked: true,
  },
  {
    file: 'webview/src/x.ts',
    code: "import * as vscode from 'vscode';\nexport const a = vscode;\n",
    blocked: true,
  },
  {
    file: 'webview/src/x.ts',
    code: "import { PROTOCOL_VERSION } from '../../src/protocol/version';\nexport const a = PROTOCOL_VERSION;\n",
    blocked: false,
  },
];

for (const { file, code, blocked } of cases) {
  const what = code.split('\n')[0];
  test(`${file}: ${what} is ${blocked ? 'blocked' : 'allowed'}`, async () => {
    const messages = await restricted(file, code);
    assert.equal(messages.length > 0, blocked, messages.join('; '));
  });
}
