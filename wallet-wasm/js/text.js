// UTF-8 TextEncoder / TextDecoder for runtimes without them. WeChat's mini-program runtime
// does not always provide them (iOS base libraries), and the glue wasm-bindgen generates makes
// a TextDecoder when it loads. Installed only where missing; browsers and Node keep their own.
// Imported first by wallet.js, so it runs before the glue module.

function encodeUtf8(text) {
  const out = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = 0xfffd;
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

// Invalid sequences become U+FFFD, as the standard decoder (non-fatal) does.
function decodeUtf8(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let c = 0xfffd;
    let n = 1;
    const cont = (k) => i + k < bytes.length && (bytes[i + k] & 0xc0) === 0x80;
    if (b < 0x80) c = b;
    else if (b >= 0xc2 && b < 0xe0 && cont(1)) { c = ((b & 31) << 6) | (bytes[i + 1] & 63); n = 2; }
    else if (b >= 0xe0 && b < 0xf0 && cont(1) && cont(2)) {
      const v = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) { c = v; n = 3; }
    } else if (b >= 0xf0 && b < 0xf5 && cont(1) && cont(2) && cont(3)) {
      const v = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
      if (v >= 0x10000 && v <= 0x10ffff) { c = v; n = 4; }
    }
    out += String.fromCodePoint(c);
    i += n;
  }
  return out;
}

class Utf8Encoder {
  get encoding() { return 'utf-8'; }
  encode(text = '') { return encodeUtf8(String(text)); }
}

class Utf8Decoder {
  get encoding() { return 'utf-8'; }
  decode(bytes) {
    if (bytes === undefined) return '';
    const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer || bytes);
    return decodeUtf8(view);
  }
}

if (typeof globalThis.TextEncoder === 'undefined') globalThis.TextEncoder = Utf8Encoder;
if (typeof globalThis.TextDecoder === 'undefined') globalThis.TextDecoder = Utf8Decoder;

export { encodeUtf8, decodeUtf8 };
