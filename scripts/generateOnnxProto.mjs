// Regenerates src/trainer/onnx/onnxProto.json, the protobufjs reflection descriptor of the official ONNX schema
// (src/trainer/onnx/onnx.proto), so the bundled trainer loads the schema as plain JSON with no .proto parser at run
// time. Field names keep the schema's snake_case (keepCase). Run: node scripts/generateOnnxProto.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import * as prettier from 'prettier';

const source = 'src/trainer/onnx/onnx.proto';
const target = 'src/trainer/onnx/onnxProto.json';

const { root } = protobuf.parse(readFileSync(source, 'utf8'), {
  keepCase: true,
  alternateCommentMode: false,
});
const json = JSON.stringify(root.toJSON({ keepComments: false }));
const options = (await prettier.resolveConfig(target)) ?? {};
writeFileSync(target, await prettier.format(json, { ...options, filepath: target }));
console.log(`wrote ${target} from ${source}`);
