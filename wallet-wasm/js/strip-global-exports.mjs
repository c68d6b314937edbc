// Removes exported globals from a .wasm file, in place: WeChat's WXWebAssembly on iOS exports
// functions, memories and tables but not globals (its documentation), and the two that
// wasm-bindgen's runtime exports (`__abort_handler`, `__instance_terminated`) are not used by
// the glue. Only the export section changes; the check at the end compiles the result and
// compares its function, memory and table exports with the original's.
//
// usage: node strip-global-exports.mjs FILE.wasm
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const input = readFileSync(file);

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, at];
    shift += 7;
    if (shift > 28) throw new Error('LEB128 value too long');
  }
}

function writeU32(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return Buffer.from(out);
}

if (input.readUInt32LE(0) !== 0x6d736100) throw new Error(`${file} is not a WebAssembly module`);
const parts = [input.subarray(0, 8)];
let removed = [];
for (let at = 8; at < input.length; ) {
  const id = input[at];
  const [size, start] = readU32(input, at + 1);
  const end = start + size;
  if (id !== 7) {
    parts.push(input.subarray(at, end));
  } else {
    let [count, p] = readU32(input, start);
    const kept = [];
    while (count-- > 0) {
      const entryStart = p;
      const [nameLen, nameAt] = readU32(input, p);
      const name = input.subarray(nameAt, nameAt + nameLen).toString();
      const kind = input[nameAt + nameLen];
      const [, next] = readU32(input, nameAt + nameLen + 1);
      if (kind === 3) removed.push(name);
      else kept.push(input.subarray(entryStart, next));
      p = next;
    }
    const body = Buffer.concat([writeU32(kept.length), ...kept]);
    parts.push(Buffer.from([7]), writeU32(body.length), body);
  }
  at = end;
}
const output = Buffer.concat(parts);
const kinds = (bytes) =>
  WebAssembly.Module.exports(new WebAssembly.Module(bytes))
    .filter((e) => e.kind !== 'global')
    .map((e) => `${e.kind}:${e.name}`)
    .join(',');
if (kinds(output) !== kinds(input)) throw new Error('stripping changed the non-global exports');
writeFileSync(file, output);
console.log(`${file}: removed exported globals: ${removed.join(', ') || 'none'}`);
