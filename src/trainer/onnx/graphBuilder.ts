// Builds an ONNX graph node by node: unique value names under readable scopes (`encoder.layer.0.attention/MatMul_12`),
// typed attributes, weights as raw_data initializers and cached int64/float constants. Knows nothing about models.
import {
  AttributeType,
  DataType,
  type AttributeProto,
  type DataTypeCode,
  type NodeProto,
  type TensorProto,
} from './onnxProto';

/** An attribute value with its ONNX type made explicit (a JS number alone cannot tell INT from FLOAT). */
export type AttrValue = { i: number } | { f: number } | { ints: readonly number[] } | { s: string };
export type Attrs = Record<string, AttrValue>;

/** Element data for an initializer, matching its data type (FLOAT16 as raw uint16 bits). */
export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int8Array | Uint8Array | Int32Array;

function attribute(name: string, value: AttrValue): AttributeProto {
  if ('i' in value) return { name, type: AttributeType.INT, i: value.i };
  if ('f' in value) return { name, type: AttributeType.FLOAT, f: value.f };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.s) };
}

function bytesOf(data: TensorData): Uint8Array {
  // Every platform Node runs on is little-endian, the byte order raw_data requires.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly taken = new Set<string>();
  private readonly constants = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private scope = '';

  /** Runs `body` with new value and node names prefixed by `scope`. */
  scoped<T>(scope: string, body: () => T): T {
    const outer = this.scope;
    this.scope = outer === '' ? scope : `${outer}.${scope}`;
    try {
      return body();
    } finally {
      this.scope = outer;
    }
  }

  private unique(base: string): string {
    let name = base;
    if (this.taken.has(name)) {
      let n = this.counters.get(base) ?? 0;
      do name = `${base}_${++n}`;
      while (this.taken.has(name));
      this.counters.set(base, n);
    }
    this.taken.add(name);
    return name;
  }

  /** Reserves a name chosen by the caller (graph inputs); fails if it is taken. */
  reserve(name: string): string {
    if (this.taken.has(name)) throw new Error(`ONNX value name ${name} is used twice`);
    this.taken.add(name);
    return name;
  }

  /** Adds one node with `outputs` outputs and returns their names. An input '' leaves an optional input out. */
  opN(opType: string, inputs: readonly string[], outputs: number, attrs: Attrs = {}): string[] {
    const name = this.unique(this.scope === '' ? opType : `${this.scope}/${opType}`);
    const output = Array.from({ length: outputs }, (_, i) => (i === 0 ? name : this.unique(`${name}:${i}`)));
    this.nodes.push({
      name,
      op_type: opType,
      input: [...inputs],
      output,
      attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  /** Adds one node with a single output and returns its name. */
  op(opType: string, inputs: readonly string[], attrs: Attrs = {}): string {
    const [output] = this.opN(opType, inputs, 1, attrs);
    if (output === undefined) throw new Error('unreachable: a node without output');
    return output;
  }

  /** Adds a weight or constant tensor; `name` is kept when free (Hugging Face weight names stay readable). */
  initializer(name: string, dataType: DataTypeCode, dims: readonly number[], data: TensorData): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length)
      throw new Error(`initializer ${name}: ${data.length} values for [${dims.join(', ')}]`);
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [...dims], data_type: dataType, raw_data: bytesOf(data) });
    return unique;
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds), shared by every node that needs the same values. */
  int64s(values: readonly (number | bigint)[]): string {
    const key = `i64:${values.join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      const data = BigInt64Array.from(values, (v) => BigInt(v));
      name = this.initializer(
        `const.int64.${values.join('_').replace(/-/g, 'm')}`,
        DataType.INT64,
        [values.length],
        data,
      );
      this.constants.set(key, name);
    }
    return name;
  }

  /** A scalar int64 constant (a Gather index that drops the axis). */
  int64Scalar(value: number): string {
    const key = `i64s:${value}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.initializer(
        `const.int64.scalar.${value}`,
        DataType.INT64,
        [],
        BigInt64Array.of(BigInt(value)),
      );
      this.constants.set(key, name);
    }
    return name;
  }

  /** A scalar float constant in float32 or float16 (`bits` gives the float16 encoding of `value`). */
  floatScalar(
    value: number,
    dataType: typeof DataType.FLOAT | typeof DataType.FLOAT16,
    bits?: number,
  ): string {
    const key = `f${dataType}:${value}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      const data = dataType === DataType.FLOAT ? Float32Array.of(value) : Uint16Array.of(bits ?? 0);
      name = this.initializer(
        `const.${dataType === DataType.FLOAT ? 'f32' : 'f16'}.${value}`,
        dataType,
        [],
        data,
      );
      this.constants.set(key, name);
    }
    return name;
  }

  /** Gives a node output a new name (a graph output's), everywhere it is used. Returns false if it cannot. */
  rename(value: string, name: string): boolean {
    const producer = this.nodes.find((n) => n.output.includes(value));
    if (producer === undefined || this.taken.has(name)) return false;
    this.taken.add(name);
    for (const node of this.nodes) {
      node.output = node.output.map((o) => (o === value ? name : o));
      node.input = node.input.map((i) => (i === value ? name : i));
    }
    return true;
  }
}
