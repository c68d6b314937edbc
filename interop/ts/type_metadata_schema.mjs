#!/usr/bin/env node
// Validate SD-JWT VC Type Metadata documents with @sd-jwt/sd-jwt-vc 0.19.0's own schema.
//
// Usage: node interop/ts/type_metadata_schema.mjs [--self-test] PATH...
//        (PATH: a JSON Type Metadata document, or a directory whose *.json files are each one;
//         directories are not searched recursively)
//
// The validator is the library's, not ours: `TypeMetadataFormatSchema`, a zod 4 schema exported
// from the package entry point (dist/index.mjs, source src/sd-jwt-vc-type-metadata-format.ts).
// It is the schema SDJwtVcInstance.fetchSingleVct applies (`TypeMetadataFormatSchema.safeParse`)
// to every Type Metadata document it fetches when `loadTypeMetadataFormat` is on, so a document
// it rejects would make that verifier throw "Invalid VCT type metadata for vct ...".
// The package is resolved the same way as the other interop scripts: the bare specifier
// '@sd-jwt/sd-jwt-vc' from interop/ts/ finds interop/node_modules (npm ci by interop/setup.sh);
// the resolved copy's package.json must say 0.19.0.
//
// What 0.19.0's schema checks (all objects are z.looseObject: unknown members, top-level or
// inside display/claims/rendering, pass through): `vct` string (required); `name`,
// `description`, `extends`, `extends#integrity` strings; `display[]` objects with `name` string
// and `locale` or the deprecated `lang` (one of them required), `description`, `rendering`
// (`simple` {logo, background_image, background_color, text_color}, `svg_templates[]`
// {uri, uri#integrity, properties {orientation portrait|landscape, color_scheme light|dark,
// contrast normal|high}}); `claims[]` objects with `path` (array of string|null), `display[]`
// {label, locale|lang, description}, `sd` always|allowed|never, `mandatory` boolean, `svg_id`
// string. Known gaps against the draft: integer `path` components (valid per the draft) are
// REJECTED, an empty `path` is accepted, `svg_id` syntax/uniqueness and `properties` being
// required with several SVG templates are not checked, integrity strings are not parsed.
//
// --self-test: before any PATH, checks that the schema accepts a built-in valid document (with
// extension members at the top level and in a claim) and rejects built-in invalid ones
// (claims[0].sd = "sometimes"; a display entry with neither locale nor lang), so this check can
// fail. With --self-test alone, no PATH is required.
//
// Output: one line per document, `ok <vct> <path>` or `FAIL <path>: <reason>`, then exactly
// `type metadata: N documents valid against @sd-jwt/sd-jwt-vc 0.19.0's schema, M invalid`.
// Exit 1 if any document is invalid, if the self-test fails, if a PATH is unreadable or a directory
// without *.json, or if no document was given (2 on an unknown option).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { TypeMetadataFormatSchema } from '@sd-jwt/sd-jwt-vc';

const PINNED = '0.19.0';

// The installed copy this script actually uses (the package's "exports" hides package.json,
// so walk up from the resolved entry point).
function libraryVersion() {
  let dir = path.dirname(fileURLToPath(import.meta.resolve('@sd-jwt/sd-jwt-vc')));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      const meta = JSON.parse(fs.readFileSync(pj, 'utf8'));
      if (meta.name === '@sd-jwt/sd-jwt-vc') return { version: meta.version, dir };
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json of @sd-jwt/sd-jwt-vc not found');
    dir = up;
  }
}

// zod issue path ['claims', 0, 'sd'] -> claims[0].sd
function issuePath(p) {
  let s = '';
  for (const seg of p) s += typeof seg === 'number' ? `[${seg}]` : (s ? `.${String(seg)}` : String(seg));
  return s || '(document)';
}

function reasonOf(error) {
  return error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`).join('; ');
}

// -> { ok: true, vct } or { ok: false, reason }
function validate(doc) {
  const r = TypeMetadataFormatSchema.safeParse(doc);
  return r.success ? { ok: true, vct: r.data.vct } : { ok: false, reason: reasonOf(r.error) };
}

const SELF_TEST_VALID = {
  vct: 'urn:cn-wallet:marriage-certificate:1',
  name: 'Marriage certificate',
  display: [
    { locale: 'zh-CN', name: '结婚证' },
    { locale: 'en', name: 'Marriage Certificate' },
  ],
  claims: [
    {
      path: ['holder_name'],
      display: [{ locale: 'zh-CN', label: '持证人' }, { locale: 'en', label: 'Holder' }],
      sd: 'allowed',
      mandatory: true,
      'x-cn-wallet-claim': { source: 'self-test' },
    },
  ],
  'x-cn-wallet': { formats: {} },
};
const SELF_TEST_INVALID = {
  'claims[0].sd = "sometimes"': {
    ...SELF_TEST_VALID,
    claims: [{ ...SELF_TEST_VALID.claims[0], sd: 'sometimes' }],
  },
  'display[0] without locale or lang': {
    ...SELF_TEST_VALID,
    display: [{ name: '结婚证' }],
  },
};

function selfTest() {
  let failures = 0;
  const v = validate(SELF_TEST_VALID);
  if (v.ok) {
    console.log(`self-test ok: built-in valid document (extension members top-level and in a claim) accepted`);
  } else {
    console.log(`self-test FAIL: built-in valid document rejected: ${v.reason}`);
    failures++;
  }
  for (const [what, doc] of Object.entries(SELF_TEST_INVALID)) {
    const r = validate(doc);
    if (r.ok) {
      console.log(`self-test FAIL: invalid document (${what}) accepted by the schema`);
      failures++;
    } else {
      console.log(`self-test ok: invalid document (${what}) rejected: ${r.reason}`);
    }
  }
  return failures;
}

function expand(arg) {
  let st;
  try {
    st = fs.statSync(arg);
  } catch (e) {
    return { error: `${e.code ?? 'error'}: cannot read` };
  }
  if (st.isDirectory()) {
    return {
      files: fs.readdirSync(arg).filter((f) => f.endsWith('.json')).sort()
        .map((f) => path.join(arg, f)),
    };
  }
  return { files: [arg] };
}

export async function main(argv) {
  const selfTestRequested = argv.includes('--self-test');
  const args = argv.filter((a) => a !== '--self-test');
  const unknown = args.filter((a) => a.startsWith('--'));
  if (unknown.length) {
    console.error(`unknown option ${unknown[0]}\nusage: node interop/ts/type_metadata_schema.mjs [--self-test] PATH...`);
    return 2;
  }

  const lib = libraryVersion();
  if (lib.version !== PINNED) {
    console.log(`FAIL @sd-jwt/sd-jwt-vc at ${lib.dir} is ${lib.version}, not ${PINNED}`);
    return 1;
  }

  let selfTestFailures = 0;
  if (selfTestRequested) selfTestFailures = selfTest();

  let valid = 0;
  let invalid = 0;
  let badArgs = 0; // unreadable paths and directories without *.json: not documents, still a failure
  for (const arg of args) {
    const { files, error } = expand(arg);
    if (error) {
      console.log(`FAIL ${arg}: ${error}`);
      badArgs++;
      continue;
    }
    if (files.length === 0) {
      console.log(`FAIL ${arg}: no *.json file in this directory`);
      badArgs++;
    }
    for (const file of files) {
      let doc;
      try {
        doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        console.log(`FAIL ${file}: ${e.name}: ${e.message}`);
        invalid++;
        continue;
      }
      const r = validate(doc);
      if (r.ok) {
        console.log(`ok ${r.vct} ${file}`);
        valid++;
      } else {
        console.log(`FAIL ${file}: ${r.reason}`);
        invalid++;
      }
    }
  }

  const none = valid + invalid === 0 && !selfTestRequested;
  if (none) console.log('FAIL: no Type Metadata document given');
  console.log(`type metadata: ${valid} documents valid against @sd-jwt/sd-jwt-vc ${PINNED}'s schema, ${invalid} invalid`);
  return invalid || badArgs || selfTestFailures || none ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
