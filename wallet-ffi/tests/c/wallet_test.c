/*
 * C test of the wallet C API (include/wallet.h), as an app would use it: an agency issues a
 * resident ID, the holder keeps it in an encrypted store, shows it as a QR payload (also drawn
 * as a module matrix, PNG and SVG), and a verifier checks it offline against the trust list and
 * a status list. Then the error paths: NULL handles and outputs, invalid UTF-8, truncated and
 * garbage payloads, wrong passphrase and key, damaged store, revoked and suspended credentials,
 * replays (also across verifier handles sharing a replay cache file), the verdict output that
 * says "checked and refused" apart from "accepted", an external signer (OpenSSL standing in for
 * the Secure Enclave: a P-256 key answering in DER as iOS and Android do, and an Ed25519 key
 * answering raw) that works, refuses, lies or overflows, per-thread last errors, error messages that
 * never carry a caller's control characters, (NULL, 0) meaning the same as ("", 0), failed store
 * creations that leave no file behind, and handles freed with the NULL-after-free pattern.
 *
 * Usage: wallet_test DATA_DIR WORK_DIR. DATA_DIR is wallet-ffi/tests/data; WORK_DIR an empty
 * directory for store files. Every allocation is released, so valgrind and LeakSanitizer can
 * demand zero leaks. Exit status 0 when every check passed.
 */

#define _POSIX_C_SOURCE 200809L

#include "wallet.h"

#include <dirent.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 2026-06-01T00:00:00Z: inside the fixtures' validity (trust list and status list from 2026-01-01
 * to 2036-01-01). Every call takes the time from the caller, so the test is the same any day. */
#define NOW ((int64_t)1780272000)
#define ISS "https://ga.sh.gov.cn/issuer"
#define STATUS_URI "https://ga.sh.gov.cn/status/1"
#define PASSPHRASE "correct horse 电池 staple"

static int checks;
static int failures;

static void print_last_error(void) {
  char message[512];
  char code[64];
  wallet_last_error_message(message, sizeof message);
  wallet_last_error_code(code, sizeof code);
  fprintf(stderr, "    last error: %s (%s)\n", message, code);
}

#define CHECK(cond)                                                        \
  do {                                                                     \
    checks++;                                                              \
    if (!(cond)) {                                                         \
      failures++;                                                          \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
      print_last_error();                                                  \
    }                                                                      \
  } while (0)

/* Checks a call's result code and, for a failure, that the thread's last error names it. */
#define EXPECT(call, expected) expect_result((call), (expected), #call, __LINE__)

static void expect_result(wallet_result got, wallet_result expected, const char *call, int line) {
  checks++;
  if (got != expected) {
    failures++;
    char want[128];
    wallet_error_message(expected, want, sizeof want);
    fprintf(stderr, "FAIL line %d: %s returned %u, expected %u (%s)\n", line, call, got,
            expected, want);
    print_last_error();
    return;
  }
  size_t message_len = wallet_last_error_message(NULL, 0);
  if ((expected == WALLET_RESULT_OK) != (message_len == 0)) {
    failures++;
    fprintf(stderr, "FAIL line %d: last error message length %zu after result %u\n", line,
            message_len, got);
  }
}

static size_t text_len(const char *s) { return s ? strlen(s) : 0; }

/* Whether a buffer's text (always NUL-terminated) contains `needle`. */
static int has(const wallet_buffer *b, const char *needle) {
  return b->data != NULL && strstr((const char *)b->data, needle) != NULL;
}

/* Copies the string value of the first `"name":"…"` member of a flat JSON text: enough for the
 * ids and codes read here, not a JSON parser. */
static int json_string(const wallet_buffer *b, const char *name, char *out, size_t out_len) {
  char key[64];
  snprintf(key, sizeof key, "\"%s\":\"", name);
  const char *start = b->data ? strstr((const char *)b->data, key) : NULL;
  if (!start) return 0;
  start += strlen(key);
  const char *end = strchr(start, '"');
  if (!end || (size_t)(end - start) >= out_len) return 0;
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
  return 1;
}

static char *read_file(const char *dir, const char *name, size_t *len_out) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)size + 1);
  if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  /* The fixtures end in a newline; the library trims tokens but not JWKs inside JSON. */
  while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r')) size--;
  data[size] = '\0';
  if (len_out) *len_out = (size_t)size;
  return data;
}

struct fixtures {
  char *root_jwk;
  char *trust_list;
  char *issuer_jwk;
  char *status_list;
  char *claims;
  char *marriage_type;   /* docs/types/marriage-certificate.json, the agency's own type */
  char *marriage_claims; /* docs/types/marriage-certificate.claims.json */
};

/* ---------------------------------------------------------------------------------------- */
/* A stand-in for the Secure Enclave / StrongBox: a key held by OpenSSL, reached only through   */
/* the signing callback. A P-256 key signs with ECDSA/SHA-256 and answers in DER, as iOS        */
/* SecKeyCreateSignature (.ecdsaSignatureMessageX962SHA256) and Android Signature               */
/* ("SHA256withECDSA") do; an Ed25519 key answers with its 64 raw bytes.                       */
/* ---------------------------------------------------------------------------------------- */

enum signer_behaviour { SIGNER_OK, SIGNER_REFUSE, SIGNER_CORRUPT, SIGNER_OVERLONG };

struct hardware_key {
  EVP_PKEY *key;
  uint32_t algorithm; /* wallet_key_algorithm */
  const char *handle;
  enum signer_behaviour behaviour;
  int calls;
};

static int32_t hardware_sign(void *userdata, const char *key_handle, size_t key_handle_len,
                             uint32_t algorithm, const uint8_t *message, size_t message_len,
                             uint8_t *signature_out, size_t signature_capacity,
                             size_t *signature_len_out, uint32_t *signature_form_out) {
  struct hardware_key *hw = userdata;
  hw->calls++;
  if (hw->behaviour == SIGNER_REFUSE) return 7; /* e.g. the user cancelled biometrics */
  if (key_handle_len != strlen(hw->handle) || memcmp(key_handle, hw->handle, key_handle_len))
    return 1;
  /* The library states the registered key's algorithm. */
  if (algorithm != hw->algorithm || signature_capacity != WALLET_SIGNATURE_MAX_LEN) return 3;
  int ecdsa = algorithm == WALLET_KEY_ALGORITHM_P256;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  size_t sig_len = signature_capacity;
  int ok = ctx &&
           EVP_DigestSignInit(ctx, NULL, ecdsa ? EVP_sha256() : NULL, NULL, hw->key) == 1 &&
           EVP_DigestSign(ctx, signature_out, &sig_len, message, message_len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return 2;
  if (hw->behaviour == SIGNER_CORRUPT) signature_out[10] ^= 0x01;
  *signature_len_out = hw->behaviour == SIGNER_OVERLONG ? signature_capacity + 1 : sig_len;
  *signature_form_out = ecdsa ? WALLET_SIGNATURE_FORM_DER : WALLET_SIGNATURE_FORM_RAW;
  return 0;
}

/* base64url without padding of `len` bytes into `out` (room for 4 * len / 3 + 4). */
static void b64url(const uint8_t *in, size_t len, char *out) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < len) v |= in[i + 2];
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    if (i + 1 < len) out[o++] = alphabet[(v >> 6) & 63];
    if (i + 2 < len) out[o++] = alphabet[v & 63];
  }
  out[o] = 0;
}

/* The public JWK of an OpenSSL key, as an app builds it from the platform's public key export
 * (SecKeyCopyExternalRepresentation: 0x04 || x || y). */
static void public_jwk(EVP_PKEY *key, uint32_t algorithm, char *out, size_t out_len) {
  char x[64], y[64];
  if (algorithm == WALLET_KEY_ALGORITHM_P256) {
    uint8_t point[65];
    size_t point_len = 0;
    CHECK(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                          sizeof point, &point_len) == 1 &&
          point_len == 65 && point[0] == 0x04);
    b64url(point + 1, 32, x);
    b64url(point + 33, 32, y);
    snprintf(out, out_len, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
  } else {
    uint8_t raw[32];
    size_t raw_len = sizeof raw;
    CHECK(EVP_PKEY_get_raw_public_key(key, raw, &raw_len) == 1 && raw_len == 32);
    b64url(raw, 32, x);
    snprintf(out, out_len, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"}", x);
  }
}

/* ---------------------------------------------------------------------------------------- */

/* Issues a resident ID at `iat` (caller frees the text). */
static char *issue_at(wallet_issuer *issuer, const struct fixtures *fx,
                      const wallet_buffer *holder_jwk, const char *options, int64_t iat) {
  wallet_buffer credential = {0};
  EXPECT(wallet_issuer_issue(issuer, "resident-id", strlen("resident-id"), fx->claims,
                             strlen(fx->claims), (const char *)holder_jwk->data, holder_jwk->len,
                             options, text_len(options), iat, &credential),
         WALLET_RESULT_OK);
  char *copy = strdup(credential.data ? (const char *)credential.data : "");
  wallet_buffer_free(&credential);
  return copy;
}

static char *issue(wallet_issuer *issuer, const struct fixtures *fx, const wallet_buffer *holder_jwk,
                   const char *options) {
  return issue_at(issuer, fx, holder_jwk, options, NOW);
}

/* Imports a credential and returns its id (caller frees). */
static char *import(wallet_store *store, const struct fixtures *fx, const char *credential) {
  wallet_buffer info = {0};
  EXPECT(wallet_store_import(store, credential, strlen(credential), fx->trust_list,
                             strlen(fx->trust_list), fx->root_jwk, strlen(fx->root_jwk), NOW, &info),
         WALLET_RESULT_OK);
  char id[128] = "";
  CHECK(json_string(&info, "id", id, sizeof id));
  CHECK(has(&info, "\"type_name\":\"resident-id\""));
  CHECK(!has(&info, "id_number")); /* metadata only, never claim values */
  wallet_buffer_free(&info);
  return strdup(id);
}

static void present(const wallet_store *store, const char *id, const char *disclose,
                    wallet_buffer *payload) {
  EXPECT(wallet_store_present(store, id, strlen(id), disclose, text_len(disclose),
                              WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, payload),
         WALLET_RESULT_OK);
}

/* Verifies `payload` and checks the verdict and the report's `"code"`: the call succeeds, and
 * `valid` is true exactly for "ok", as the report's "valid" member says. */
static void verify_expect(const wallet_verifier *verifier, const wallet_buffer *payload,
                          const char *code, int line) {
  wallet_buffer report = {0};
  int accept = strcmp(code, "ok") == 0;
  bool valid = !accept; /* the opposite of what is expected, so an unwritten output fails */
  wallet_result r = wallet_verifier_verify(verifier, (const char *)payload->data, payload->len,
                                           NOW, WALLET_LANG_EN, &valid, &report);
  char got[128] = "";
  json_string(&report, "code", got, sizeof got);
  checks++;
  if (r != WALLET_RESULT_OK || strcmp(got, code) != 0 || valid != accept ||
      has(&report, "\"valid\":true") != accept) {
    failures++;
    fprintf(stderr, "FAIL line %d: verify returned %u, code %s, expected %s\n  %s\n", line, r, got,
            code, report.data ? (const char *)report.data : "(no report)");
  }
  wallet_buffer_free(&report);
}
#define VERIFY_EXPECT(v, p, code) verify_expect((v), (p), (code), __LINE__)

static void test_version(void) {
  char expected[32];
  snprintf(expected, sizeof expected, "%d.%d.%d", WALLET_VERSION_MAJOR, WALLET_VERSION_MINOR,
           WALLET_VERSION_PATCH);
  CHECK(strcmp(wallet_version(), expected) == 0);
}

static void test_messages(void) {
  char buf[128];
  size_t n = wallet_error_message(WALLET_RESULT_STORE_WRONG_KEY, buf, sizeof buf);
  CHECK(n == strlen(buf) && strstr(buf, "passphrase") != NULL);
  CHECK(wallet_error_message(WALLET_RESULT_STORE_WRONG_KEY, NULL, 0) == n);
  char tiny[5];
  CHECK(wallet_error_message(WALLET_RESULT_STORE_WRONG_KEY, tiny, sizeof tiny) == n);
  CHECK(strlen(tiny) == 4);
  wallet_error_message(9999, buf, sizeof buf);
  CHECK(strcmp(buf, "unknown result code") == 0);
  wallet_error_message(WALLET_RESULT_OK, buf, sizeof buf);
  CHECK(strcmp(buf, "success") == 0);
}

/* The verdict is its own output: a forged or damaged code is "checked and refused" (the call
 * succeeds, `valid` is false), and only a good code gives `valid` true. An app that read only
 * the result code could not show green for a refused code: it must read `valid` too. */
static void test_verdicts(const wallet_verifier *verifier, const wallet_store *store,
                          const char *id, const char *disclose) {
  wallet_buffer good = {0};
  present(store, id, disclose, &good);
  /* A forged code: one character of the payload changed, as by someone editing a screenshot. It
   * is still QR-alphanumeric text, so it goes through decoding and the checks. */
  char *forged = malloc(good.len + 1);
  CHECK(forged != NULL);
  if (!forged) return;
  memcpy(forged, good.data, good.len + 1);
  size_t at = good.len / 2;
  forged[at] = forged[at] == 'A' ? 'B' : 'A';
  wallet_buffer report = {0};
  bool valid = true;
  EXPECT(wallet_verifier_verify(verifier, forged, good.len, NOW, WALLET_LANG_EN, &valid, &report),
         WALLET_RESULT_OK);
  CHECK(!valid && has(&report, "\"valid\":false") && !has(&report, "\"code\":\"ok\""));
  wallet_buffer_free(&report);
  /* The code as shown is accepted. */
  valid = false;
  EXPECT(wallet_verifier_verify(verifier, (const char *)good.data, good.len, NOW, WALLET_LANG_EN,
                                &valid, &report),
         WALLET_RESULT_OK);
  CHECK(valid && has(&report, "\"valid\":true"));
  wallet_buffer_free(&report);
  /* An empty text, as (NULL, 0) or as ("", 0): the same input, checked and refused alike. */
  char code_null[64] = "", code_empty[64] = "";
  valid = true;
  EXPECT(wallet_verifier_verify(verifier, NULL, 0, NOW, WALLET_LANG_EN, &valid, &report),
         WALLET_RESULT_OK);
  CHECK(!valid && json_string(&report, "code", code_null, sizeof code_null));
  wallet_buffer_free(&report);
  valid = true;
  EXPECT(wallet_verifier_verify(verifier, "", 0, NOW, WALLET_LANG_EN, &valid, &report),
         WALLET_RESULT_OK);
  CHECK(!valid && json_string(&report, "code", code_empty, sizeof code_empty));
  CHECK(code_null[0] != '\0' && strcmp(code_null, code_empty) == 0);
  wallet_buffer_free(&report);
  free(forged);
  wallet_buffer_free(&good);
}

/* A verifier made afresh for every scan, or after the app restarts, still refuses a code it
 * accepted before when its history is in a replay cache file; without the file it is lost. */
static void test_replay_cache(const struct fixtures *fx, const char *work,
                              const wallet_store *store, const char *id, const char *disclose) {
  char path[1024], options[1200];
  snprintf(path, sizeof path, "%s/replay.cache", work);
  snprintf(options, sizeof options, "{\"replay_cache\":\"%s\"}", path);
  wallet_buffer code = {0};
  present(store, id, disclose, &code);
  for (int scan = 0; scan < 3; scan++) {
    wallet_verifier *v = NULL;
    EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                               strlen(fx->root_jwk), options, strlen(options), NOW, &v),
           WALLET_RESULT_OK);
    EXPECT(wallet_verifier_add_status_list(v, fx->status_list, strlen(fx->status_list)),
           WALLET_RESULT_OK);
    VERIFY_EXPECT(v, &code, scan == 0 ? "ok" : "qr.replay");
    wallet_verifier_free(v);
  }
  struct stat st;
  CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
  /* A handle without the file has no history: the same code passes again. */
  wallet_verifier *forgetful = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), NULL, 0, NOW, &forgetful),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_add_status_list(forgetful, fx->status_list, strlen(fx->status_list)),
         WALLET_RESULT_OK);
  VERIFY_EXPECT(forgetful, &code, "ok");
  wallet_verifier_free(forgetful);
  /* A damaged file is refused, not silently emptied; a missing directory cannot hold one. */
  char bad_path[1024], bad_options[1200], err[64] = "";
  snprintf(bad_path, sizeof bad_path, "%s/damaged.cache", work);
  FILE *f = fopen(bad_path, "wb");
  CHECK(f != NULL);
  if (f) {
    fputs("not a replay cache\n", f);
    fclose(f);
  }
  snprintf(bad_options, sizeof bad_options, "{\"replay_cache\":\"%s\"}", bad_path);
  wallet_verifier *v = (wallet_verifier *)&code; /* sentinel: must not be overwritten */
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), bad_options, strlen(bad_options), NOW, &v),
         WALLET_RESULT_REPLAY_CACHE_DAMAGED);
  wallet_last_error_code(err, sizeof err);
  CHECK(strcmp(err, "qr.replay_cache_corrupt") == 0);
  snprintf(bad_options, sizeof bad_options, "{\"replay_cache\":\"%s/no-such-dir/replay.cache\"}",
           work);
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), bad_options, strlen(bad_options), NOW, &v),
         WALLET_RESULT_REPLAY_CACHE_UNAVAILABLE);
  CHECK(v == (wallet_verifier *)&code);
  wallet_buffer_free(&code);
}

/* A caller's bytes never reach C raw through an error message: a claim path holding a NUL, a
 * newline, a terminal escape, a C1 control or a bidi override comes back escaped, the message's
 * length is what strlen sees, and a huge argument is not copied whole. */
static void test_hostile_messages(const wallet_store *store, const char *id) {
  /* JSON arrays of one claim path each, the hostile character escaped in the JSON text. */
  const char *lists[] = {"[\"na\\u0000me\"]", "[\"na\\nme\"]", "[\"\\u001b[31mname\"]",
                         "[\"name\\u202e\"]", "[\"a\\u0085b\"]", "[\"\\u0007\\r\\t\"]"};
  const char *escaped[] = {"na\\0me", "na\\nme", "\\u{1b}[31mname", "name\\u{202e}", "a\\u{85}b",
                           "\\u{7}\\r\\t"};
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    wallet_buffer out = {0};
    wallet_result r = wallet_store_present(store, id, strlen(id), lists[i], strlen(lists[i]),
                                           WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, &out);
    CHECK(r == WALLET_RESULT_UNKNOWN_CLAIM_PATH || r == WALLET_RESULT_INVALID_ARGUMENT);
    CHECK(out.data == NULL);
    char message[2048];
    size_t n = wallet_last_error_message(message, sizeof message);
    CHECK(n > 0 && n < sizeof message && n == strlen(message));
    int clean = 1;
    for (size_t k = 0; k < n; k++) {
      unsigned char c = (unsigned char)message[k];
      unsigned char c1 = k + 1 < n ? (unsigned char)message[k + 1] : 0;
      unsigned char c2 = k + 2 < n ? (unsigned char)message[k + 2] : 0;
      if (c < 0x20 || c == 0x7f) clean = 0;                                 /* C0, DEL */
      if (c == 0xc2 && c1 >= 0x80 && c1 <= 0x9f) clean = 0;                 /* C1 */
      if (c == 0xe2 && c1 == 0x80 && c2 >= 0xaa && c2 <= 0xae) clean = 0;   /* bidi U+202A-E */
    }
    CHECK(clean);
    if (!strstr(message, escaped[i])) {
      checks++;
      failures++;
      fprintf(stderr, "FAIL: message %s lacks %s\n", message, escaped[i]);
    }
  }
  /* A 5000-byte claim path: the message stays short. */
  char *huge = malloc(5000 + 5);
  CHECK(huge != NULL);
  if (!huge) return;
  memcpy(huge, "[\"", 2);
  memset(huge + 2, 'x', 5000);
  memcpy(huge + 5002, "\"]", 3);
  wallet_buffer out = {0};
  wallet_store_present(store, id, strlen(id), huge, strlen(huge), WALLET_PRESENT_MODE_OFFLINE, NULL,
                       0, NULL, 0, NOW, &out);
  size_t n = wallet_last_error_message(NULL, 0);
  CHECK(n > 0 && n < 1100);
  free(huge);
}

/* Runs two calls that differ only in passing (NULL, 0) or ("", 0) for one argument, and checks
 * they return the same result with the same error code. */
#define SAME_RESULT(call_null, call_empty) same_result((call_null), (call_empty), __LINE__)

static char same_code_null[64];

static wallet_result remember_code(wallet_result r) {
  same_code_null[0] = '\0';
  wallet_last_error_code(same_code_null, sizeof same_code_null);
  return r;
}

static void same_result(wallet_result null_result, wallet_result empty_result, int line) {
  char code[64] = "";
  wallet_last_error_code(code, sizeof code);
  checks++;
  if (null_result != empty_result || strcmp(code, same_code_null) != 0) {
    failures++;
    fprintf(stderr, "FAIL line %d: (NULL, 0) gave %u [%s], (\"\", 0) gave %u [%s]\n", line,
            null_result, same_code_null, empty_result, code);
  }
}

/* (NULL, 0) and ("", 0) are the same input to every function, required or optional. */
static void test_null_is_empty(const struct fixtures *fx, const wallet_store *store,
                               const char *id) {
  wallet_kdf_params small = {64, 1, 1};
  wallet_store *s = NULL;
  wallet_issuer *issuer = NULL;
  wallet_verifier *verifier = NULL;
  wallet_buffer a = {0}, b = {0};
  uint32_t size = 0;
  const char *nowhere = "/nonexistent-dir/x.store";
  const char *tl = fx->trust_list, *root = fx->root_jwk;
  SAME_RESULT(remember_code(wallet_store_create(NULL, 0, "pw", 2, &small, &s)),
              wallet_store_create("", 0, "pw", 2, &small, &s));
  SAME_RESULT(remember_code(wallet_store_create(nowhere, strlen(nowhere), NULL, 0, &small, &s)),
              wallet_store_create(nowhere, strlen(nowhere), "", 0, &small, &s));
  SAME_RESULT(remember_code(wallet_store_create_with_key(nowhere, strlen(nowhere), NULL, 0, &s)),
              wallet_store_create_with_key(nowhere, strlen(nowhere), (const uint8_t *)"", 0, &s));
  SAME_RESULT(remember_code(wallet_store_open(NULL, 0, "pw", 2, &s)),
              wallet_store_open("", 0, "pw", 2, &s));
  SAME_RESULT(remember_code(wallet_store_open(nowhere, strlen(nowhere), NULL, 0, &s)),
              wallet_store_open(nowhere, strlen(nowhere), "", 0, &s));
  CHECK(s == NULL);
  SAME_RESULT(remember_code(wallet_store_remove(store, NULL, 0, &a)),
              wallet_store_remove(store, "", 0, &a));
  SAME_RESULT(remember_code(wallet_store_register_external_key(store, NULL, 0, NULL, 0, &a)),
              wallet_store_register_external_key(store, "", 0, "", 0, &a));
  SAME_RESULT(remember_code(wallet_store_import(store, NULL, 0, tl, strlen(tl), root, strlen(root),
                                                NOW, &a)),
              wallet_store_import(store, "", 0, tl, strlen(tl), root, strlen(root), NOW, &a));
  SAME_RESULT(remember_code(wallet_store_present(store, NULL, 0, NULL, 0,
                                                 WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0,
                                                 NOW, &a)),
              wallet_store_present(store, "", 0, NULL, 0, WALLET_PRESENT_MODE_OFFLINE, NULL, 0,
                                   NULL, 0, NOW, &a));
  CHECK(a.data == NULL);
  /* Optional ones: an empty disclose list, aud and nonce in offline mode. */
  SAME_RESULT(remember_code(wallet_store_present(store, id, strlen(id), NULL, 0,
                                                 WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0,
                                                 NOW, &a)),
              wallet_store_present(store, id, strlen(id), "", 0, WALLET_PRESENT_MODE_OFFLINE, "", 0,
                                   "", 0, NOW, &b));
  CHECK(a.data != NULL && b.data != NULL);
  wallet_buffer_free(&a);
  wallet_buffer_free(&b);
  SAME_RESULT(remember_code(wallet_qr_png(NULL, 0, WALLET_ECC_M, 4, 4, &a)),
              wallet_qr_png("", 0, WALLET_ECC_M, 4, 4, &a));
  SAME_RESULT(remember_code(wallet_qr_svg(NULL, 0, WALLET_ECC_M, 4, 4, &a)),
              wallet_qr_svg("", 0, WALLET_ECC_M, 4, 4, &a));
  SAME_RESULT(remember_code(wallet_qr_matrix(NULL, 0, WALLET_ECC_M, &a, &size)),
              wallet_qr_matrix("", 0, WALLET_ECC_M, &a, &size));
  SAME_RESULT(remember_code(wallet_challenge_read(NULL, 0, &a, &b)),
              wallet_challenge_read("", 0, &a, &b));
  SAME_RESULT(remember_code(wallet_issuer_new(NULL, 0, fx->issuer_jwk, strlen(fx->issuer_jwk),
                                              &issuer)),
              wallet_issuer_new("", 0, fx->issuer_jwk, strlen(fx->issuer_jwk), &issuer));
  SAME_RESULT(remember_code(wallet_issuer_new(ISS, strlen(ISS), NULL, 0, &issuer)),
              wallet_issuer_new(ISS, strlen(ISS), "", 0, &issuer));
  CHECK(a.data == NULL && b.data == NULL && issuer == NULL);
  SAME_RESULT(remember_code(wallet_verifier_new(NULL, 0, root, strlen(root), NULL, 0, NOW,
                                                &verifier)),
              wallet_verifier_new("", 0, root, strlen(root), NULL, 0, NOW, &verifier));
  SAME_RESULT(remember_code(wallet_verifier_new(tl, strlen(tl), NULL, 0, NULL, 0, NOW, &verifier)),
              wallet_verifier_new(tl, strlen(tl), "", 0, NULL, 0, NOW, &verifier));
  CHECK(verifier == NULL);
  /* Empty options are the defaults either way. */
  wallet_verifier *other = NULL;
  SAME_RESULT(remember_code(wallet_verifier_new(tl, strlen(tl), root, strlen(root), NULL, 0, NOW,
                                                &verifier)),
              wallet_verifier_new(tl, strlen(tl), root, strlen(root), "", 0, NOW, &other));
  SAME_RESULT(remember_code(wallet_verifier_add_status_list(verifier, NULL, 0)),
              wallet_verifier_add_status_list(verifier, "", 0));
  wallet_verifier_free(verifier);
  wallet_verifier_free(other);
}

/* Counts the entries of a directory, "." and ".." aside. */
static int count_entries(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(dir);
  return n;
}

/* A store creation that fails leaves the directory as it was: no store, no temporary file and
 * no lock file, whatever made it fail. */
static void test_create_leaves_nothing(const char *work) {
  char dir[1024], path[1100], other[1100];
  snprintf(dir, sizeof dir, "%s/create", work);
  CHECK(mkdir(dir, 0700) == 0);
  wallet_kdf_params small = {64, 1, 1}, zero = {0, 0, 0};
  uint8_t key[32] = {7};
  wallet_store *s = NULL;
  /* A directory that does not exist. */
  snprintf(path, sizeof path, "%s/missing/holder.store", dir);
  EXPECT(wallet_store_create(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &small, &s),
         WALLET_RESULT_STORE_IO);
  CHECK(count_entries(dir) == 0);
  /* Bad key-derivation parameters, an empty passphrase, a key of the wrong length. */
  snprintf(path, sizeof path, "%s/holder.store", dir);
  EXPECT(wallet_store_create(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &zero, &s),
         WALLET_RESULT_STORE_REFUSED);
  EXPECT(wallet_store_create(path, strlen(path), "", 0, &small, &s), WALLET_RESULT_STORE_REFUSED);
  EXPECT(wallet_store_create_with_key(path, strlen(path), key, 31, &s),
         WALLET_RESULT_INVALID_ARGUMENT);
  CHECK(count_entries(dir) == 0);
  /* Something else where the store should go: a file, the directory itself. */
  snprintf(other, sizeof other, "%s/notes.txt", dir);
  FILE *f = fopen(other, "wb");
  CHECK(f != NULL);
  if (f) {
    fputs("notes\n", f);
    fclose(f);
  }
  EXPECT(wallet_store_create(other, strlen(other), PASSPHRASE, strlen(PASSPHRASE), &small, &s),
         WALLET_RESULT_STORE_EXISTS);
  EXPECT(wallet_store_create(dir, strlen(dir), PASSPHRASE, strlen(PASSPHRASE), &small, &s),
         WALLET_RESULT_STORE_EXISTS);
  CHECK(count_entries(dir) == 1);
  /* An existing store: creating it again fails and adds nothing beside it. */
  EXPECT(wallet_store_create(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &small, &s),
         WALLET_RESULT_OK);
  wallet_store_free(s);
  s = NULL;
  int before = count_entries(dir);
  EXPECT(wallet_store_create(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &small, &s),
         WALLET_RESULT_STORE_EXISTS);
  EXPECT(wallet_store_create_with_key(path, strlen(path), key, sizeof key, &s),
         WALLET_RESULT_STORE_EXISTS);
  CHECK(before == 2 && count_entries(dir) == before);
  CHECK(s == NULL);
}

/* Issue 18, types as data: a 结婚证 type the civil affairs bureau added from its Type Metadata
   document. The issuer learns it from the document; the verifier, given no types, learns it from
   the trust list alone and labels the disclosed claims in Chinese. */
static void test_added_type(const struct fixtures *fx, const char *work) {
  wallet_issuer *issuer = NULL;
  EXPECT(wallet_issuer_new(ISS, strlen(ISS), fx->issuer_jwk, strlen(fx->issuer_jwk), &issuer),
         WALLET_RESULT_OK);
  char path[1024];
  snprintf(path, sizeof path, "%s/marriage.store", work);
  wallet_kdf_params small = {64, 1, 1};
  wallet_store *store = NULL;
  EXPECT(wallet_store_create(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &small, &store),
         WALLET_RESULT_OK);
  wallet_buffer holder_jwk = {0};
  EXPECT(wallet_store_new_holder_key(store, WALLET_KEY_ALGORITHM_ED25519, &holder_jwk),
         WALLET_RESULT_OK);

  /* Unknown until the document is added; a broken document is refused, naming the member. */
  const char *type = "结婚证";
  const char *options = "{\"status_uri\":\"" STATUS_URI "\",\"status_idx\":3}";
  wallet_buffer credential = {0};
  EXPECT(wallet_issuer_issue(issuer, type, strlen(type), fx->marriage_claims,
                             strlen(fx->marriage_claims), (const char *)holder_jwk.data,
                             holder_jwk.len, options, strlen(options), NOW, &credential),
         WALLET_RESULT_UNKNOWN_TYPE);
  const char *broken = "{\"vct\":\"urn:x\",\"display\":[{\"lang\":\"zh-CN\",\"name\":\"x\"}]}";
  EXPECT(wallet_issuer_add_type(issuer, broken, strlen(broken)), WALLET_RESULT_INVALID_ARGUMENT);
  char code[64];
  wallet_last_error_code(code, sizeof code);
  CHECK(strcmp(code, "catalogue.invalid_document") == 0);
  EXPECT(wallet_issuer_add_type(issuer, fx->marriage_type, strlen(fx->marriage_type)),
         WALLET_RESULT_OK);
  EXPECT(wallet_issuer_issue(issuer, type, strlen(type), fx->marriage_claims,
                             strlen(fx->marriage_claims), (const char *)holder_jwk.data,
                             holder_jwk.len, options, strlen(options), NOW, &credential),
         WALLET_RESULT_OK);

  wallet_buffer info = {0};
  EXPECT(wallet_store_import(store, (const char *)credential.data, credential.len, fx->trust_list,
                             strlen(fx->trust_list), fx->root_jwk, strlen(fx->root_jwk), NOW, &info),
         WALLET_RESULT_OK);
  char id[128] = "";
  CHECK(json_string(&info, "id", id, sizeof id));
  CHECK(has(&info, "urn:cn-wallet:marriage-certificate:1"));
  wallet_buffer_free(&info);

  wallet_buffer payload = {0};
  present(store, id, "[\"holder_name\",\"spouse_name\"]", &payload);

  wallet_verifier *verifier = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), NULL, 0, NOW, &verifier),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_add_status_list(verifier, fx->status_list, strlen(fx->status_list)),
         WALLET_RESULT_OK);
  wallet_buffer report = {0};
  bool valid = false;
  EXPECT(wallet_verifier_verify(verifier, (const char *)payload.data, payload.len, NOW,
                                WALLET_LANG_ZH, &valid, &report),
         WALLET_RESULT_OK);
  CHECK(valid);
  if (!valid) fprintf(stderr, "    report: %.*s\n", (int)report.len, (const char *)report.data);
  CHECK(has(&report, "\"name_zh\":\"结婚证\""));
  CHECK(has(&report, "\"label\":\"持证人\"") && has(&report, "\"value\":\"张三\""));
  CHECK(has(&report, "\"label\":\"配偶姓名\"") && has(&report, "\"value\":\"李四\""));
  CHECK(!has(&report, "310115199003151239")); /* the undisclosed ID number stays hidden */
  wallet_buffer_free(&report);

  wallet_verifier_free(verifier);
  wallet_buffer_free(&payload);
  wallet_buffer_free(&credential);
  wallet_buffer_free(&holder_jwk);
  wallet_store_free(store);
  wallet_issuer_free(issuer);
}

/* The full flow: issuer → holder store → QR → verifier, and the checks on each step's output. */
static void test_flow(const struct fixtures *fx, const char *work) {
  wallet_issuer *issuer = NULL;
  EXPECT(wallet_issuer_new(ISS, strlen(ISS), fx->issuer_jwk, strlen(fx->issuer_jwk), &issuer),
         WALLET_RESULT_OK);
  wallet_buffer issuer_jwk = {0};
  EXPECT(wallet_issuer_public_jwk(issuer, &issuer_jwk), WALLET_RESULT_OK);
  CHECK(has(&issuer_jwk, "\"kty\":\"OKP\"") && !has(&issuer_jwk, "\"d\""));

  char path[1024];
  snprintf(path, sizeof path, "%s/holder.store", work);
  wallet_kdf_params small = {64, 1, 1}; /* test-sized Argon2id; production passes NULL */
  wallet_store *store = NULL;
  EXPECT(wallet_store_create(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &small, &store),
         WALLET_RESULT_OK);
  CHECK(store != NULL);
  struct stat st;
  CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);

  wallet_buffer holder_jwk = {0};
  EXPECT(wallet_store_new_holder_key(store, WALLET_KEY_ALGORITHM_ED25519, &holder_jwk),
         WALLET_RESULT_OK);
  CHECK(has(&holder_jwk, "\"crv\":\"Ed25519\"") && !has(&holder_jwk, "\"d\""));

  const char *options = "{\"status_uri\":\"" STATUS_URI "\",\"status_idx\":3}";
  char *credential = issue(issuer, fx, &holder_jwk, options);
  CHECK(strchr(credential, '~') != NULL);
  char *id = import(store, fx, credential);

  /* A second handle on the same file, opened by passphrase, sees the credential. */
  wallet_store *again = NULL;
  EXPECT(wallet_store_open(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &again),
         WALLET_RESULT_OK);
  wallet_buffer list = {0};
  EXPECT(wallet_store_list(again, &list), WALLET_RESULT_OK);
  CHECK(list.data && list.data[0] == '[' && has(&list, id) && has(&list, "居民身份证"));
  wallet_buffer_free(&list);
  wallet_store_free(again);
  again = NULL;

  /* Show it: name and age only, not the ID number. */
  const char *disclose = "[\"name\",\"age_over_18\"]";
  wallet_buffer payload = {0};
  present(store, id, disclose, &payload);
  CHECK(payload.len > 4 && memcmp(payload.data, "CW2:", 4) == 0);
  CHECK(strlen((const char *)payload.data) == payload.len);

  /* Draw it three ways. */
  wallet_buffer modules = {0};
  uint32_t size = 0;
  EXPECT(wallet_qr_matrix((const char *)payload.data, payload.len, WALLET_ECC_M, &modules, &size),
         WALLET_RESULT_OK);
  CHECK(size >= 21 && size <= 177 && (size - 17) % 4 == 0);
  CHECK(modules.len == (size_t)size * size);
  int only_bits = 1;
  for (size_t i = 0; i < modules.len; i++) only_bits &= modules.data[i] <= 1;
  CHECK(only_bits);
  CHECK(modules.data[0] == 1 && modules.data[7] == 0); /* finder pattern, then its separator */
  wallet_buffer_free(&modules);

  wallet_buffer png = {0};
  EXPECT(wallet_qr_png((const char *)payload.data, payload.len, WALLET_ECC_M, 4, 4, &png),
         WALLET_RESULT_OK);
  CHECK(png.len > 8 && memcmp(png.data, "\x89PNG\r\n\x1a\n", 8) == 0);
  wallet_buffer svg = {0};
  EXPECT(wallet_qr_svg((const char *)payload.data, payload.len, WALLET_ECC_Q, 3, 4, &svg),
         WALLET_RESULT_OK);
  CHECK(has(&svg, "<svg") && has(&svg, "</svg>"));
  wallet_buffer_free(&svg);

  /* The verifier: trust list under the pinned root, the agency's status list, then the scan. */
  wallet_verifier *verifier = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), NULL, 0, NOW, &verifier),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_add_status_list(verifier, fx->status_list, strlen(fx->status_list)),
         WALLET_RESULT_OK);
  wallet_buffer report = {0};
  bool valid = false;
  EXPECT(wallet_verifier_verify(verifier, (const char *)payload.data, payload.len, NOW,
                                WALLET_LANG_ZH, &valid, &report),
         WALLET_RESULT_OK);
  CHECK(valid);
  CHECK(has(&report, "\"valid\":true") && has(&report, "\"code\":\"ok\""));
  CHECK(has(&report, "\"label\":\"姓名\"") && has(&report, "age_over_18"));
  CHECK(has(&report, "\"name_zh\":\"上海市公安局\""));
  CHECK(has(&report, "\"value\":\"VALID\""));
  CHECK(!has(&report, "id_number"));
  CHECK(has(&report, "\"checked_at\":\"2026-06-01T00:00:00Z\""));
  wallet_buffer_free(&report);

  /* The same code again is a replayed screenshot. */
  VERIFY_EXPECT(verifier, &payload, "qr.replay");

  /* A fresh code, scanned from its PNG, is accepted; that PNG scanned again is a replay. */
  wallet_buffer fresh = {0};
  present(store, id, disclose, &fresh);
  wallet_buffer fresh_png = {0};
  EXPECT(wallet_qr_png((const char *)fresh.data, fresh.len, WALLET_ECC_M, 4, 4, &fresh_png),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_verify_image(verifier, fresh_png.data, fresh_png.len, NOW, WALLET_LANG_EN,
                                      &valid, &report),
         WALLET_RESULT_OK);
  CHECK(valid && has(&report, "\"valid\":true") && has(&report, "\"label\":\"Name\""));
  wallet_buffer_free(&report);
  EXPECT(wallet_verifier_verify_image(verifier, fresh_png.data, fresh_png.len, NOW, WALLET_LANG_EN,
                                      &valid, &report),
         WALLET_RESULT_OK);
  CHECK(!valid && has(&report, "\"code\":\"qr.replay\""));
  wallet_buffer_free(&report);
  wallet_buffer_free(&fresh_png);
  wallet_buffer_free(&fresh);

  /* Too old: the same presentation checked two minutes later by a fresh verifier. */
  wallet_verifier *later = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), NULL, 0, NOW, &later),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_add_status_list(later, fx->status_list, strlen(fx->status_list)),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_verify(later, (const char *)payload.data, payload.len, NOW + 120,
                                WALLET_LANG_EN, &valid, &report),
         WALLET_RESULT_OK);
  CHECK(!valid && has(&report, "\"valid\":false") && has(&report, "\"code\":\"sdjwt.kb_stale\""));
  wallet_buffer_free(&report);
  wallet_verifier_free(later);
  later = NULL;

  /* Without the status list the status is unknown: refused by default, accepted on request. */
  wallet_verifier *no_status = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), "{\"accept_unknown_status\":true}",
                             strlen("{\"accept_unknown_status\":true}"), NOW, &no_status),
         WALLET_RESULT_OK);
  wallet_buffer other = {0};
  present(store, id, disclose, &other);
  EXPECT(wallet_verifier_verify(no_status, (const char *)other.data, other.len, NOW,
                                WALLET_LANG_EN, &valid, &report),
         WALLET_RESULT_OK);
  CHECK(valid && has(&report, "\"valid\":true") &&
        has(&report, "\"unknown_reason\":\"status.unknown_list\""));
  wallet_buffer_free(&report);
  wallet_verifier_free(no_status);
  no_status = NULL;
  wallet_verifier *strict = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), "", 0, NOW, &strict),
         WALLET_RESULT_OK);
  VERIFY_EXPECT(strict, &other, "status.unknown_list");
  wallet_verifier_free(strict);
  strict = NULL;
  wallet_buffer_free(&other);

  /* Revoked (index 5) and suspended (index 6) credentials. */
  const char *revoked_options = "{\"status_uri\":\"" STATUS_URI "\",\"status_idx\":5}";
  const char *suspended_options = "{\"status_uri\":\"" STATUS_URI "\",\"status_idx\":6}";
  const char *bad_options[2] = {revoked_options, suspended_options};
  const char *bad_codes[2] = {"status.revoked", "status.suspended"};
  for (int i = 0; i < 2; i++) {
    wallet_buffer key = {0};
    EXPECT(wallet_store_new_holder_key(store, WALLET_KEY_ALGORITHM_ED25519, &key),
           WALLET_RESULT_OK);
    char *cred = issue(issuer, fx, &key, bad_options[i]);
    char *cred_id = import(store, fx, cred);
    wallet_buffer shown = {0};
    present(store, cred_id, "[\"name\"]", &shown);
    VERIFY_EXPECT(verifier, &shown, bad_codes[i]);
    wallet_buffer removed = {0};
    EXPECT(wallet_store_remove(store, cred_id, strlen(cred_id), &removed), WALLET_RESULT_OK);
    CHECK(has(&removed, cred_id) && has(&removed, "\"external_handle\":null"));
    wallet_buffer_free(&removed);
    wallet_buffer_free(&shown);
    wallet_buffer_free(&key);
    free(cred_id);
    free(cred);
  }

  /* Challenge mode: the verifier shows a challenge, the holder answers it once. */
  const char *with_id = "{\"verifier_id\":\"https://hotel.example/counter-7\"}";
  wallet_verifier *counter = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), with_id, strlen(with_id), NOW, &counter),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_add_status_list(counter, fx->status_list, strlen(fx->status_list)),
         WALLET_RESULT_OK);
  wallet_buffer challenge = {0};
  EXPECT(wallet_verifier_new_challenge(counter, NOW, 120, &challenge), WALLET_RESULT_OK);
  CHECK(challenge.len > 5 && memcmp(challenge.data, "CWC1:", 5) == 0);
  wallet_buffer aud = {0}, nonce = {0};
  EXPECT(wallet_challenge_read((const char *)challenge.data, challenge.len, &aud, &nonce),
         WALLET_RESULT_OK);
  CHECK(aud.data && strcmp((const char *)aud.data, "https://hotel.example/counter-7") == 0);
  CHECK(nonce.len >= 16);
  wallet_buffer answer = {0};
  EXPECT(wallet_store_present(store, id, strlen(id), disclose, strlen(disclose),
                              WALLET_PRESENT_MODE_CHALLENGE, (const char *)aud.data, aud.len,
                              (const char *)nonce.data, nonce.len, NOW, &answer),
         WALLET_RESULT_OK);
  VERIFY_EXPECT(counter, &answer, "ok");
  VERIFY_EXPECT(counter, &answer, "qr.challenge_used");
  /* A verifier without an identifier cannot issue challenges, and an answer to someone else's
   * challenge is refused. */
  wallet_buffer none = {0};
  EXPECT(wallet_verifier_new_challenge(verifier, NOW, 120, &none), WALLET_RESULT_CHALLENGE_DISABLED);
  CHECK(none.data == NULL);
  VERIFY_EXPECT(verifier, &answer, "qr.wrong_audience");
  wallet_buffer_free(&answer);
  wallet_buffer_free(&aud);
  wallet_buffer_free(&nonce);
  wallet_buffer_free(&challenge);
  EXPECT(wallet_challenge_read("CWC1:%%%", 8, &aud, &nonce), WALLET_RESULT_CHALLENGE_INVALID);
  CHECK(aud.data == NULL && nonce.data == NULL);
  wallet_verifier_free(counter);
  counter = NULL;

  /* Truncated and garbage payloads are reported invalid, never crash. */
  wallet_buffer cut = {0};
  present(store, id, disclose, &cut);
  size_t lens[4] = {cut.len / 2, cut.len - 1, 5, 4};
  for (int i = 0; i < 4; i++) {
    valid = true;
    EXPECT(wallet_verifier_verify(verifier, (const char *)cut.data, lens[i], NOW, WALLET_LANG_EN,
                                  &valid, &report),
           WALLET_RESULT_OK);
    CHECK(!valid && has(&report, "\"valid\":false") && has(&report, "\"code\":\"qr."));
    wallet_buffer_free(&report);
  }
  wallet_buffer_free(&cut);
  const char *garbage[] = {"", "hello", "CW1:", "CW1:HELLO WORLD", "CW9:ABC", "a~b~c", "~~~~",
                           "CW1:%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%"};
  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
    valid = true;
    EXPECT(wallet_verifier_verify(verifier, garbage[i], strlen(garbage[i]), NOW, WALLET_LANG_EN,
                                  &valid, &report),
           WALLET_RESULT_OK);
    CHECK(!valid && has(&report, "\"valid\":false") && has(&report, "\"claims\":[]"));
    wallet_buffer_free(&report);
  }
  /* Random bytes as an image, and a PNG cut short, are not images with a code. */
  uint8_t noise[256];
  for (size_t i = 0; i < sizeof noise; i++) noise[i] = (uint8_t)(i * 131 + 7);
  valid = true; /* errors write neither output */
  EXPECT(wallet_verifier_verify_image(verifier, noise, sizeof noise, NOW, WALLET_LANG_EN, &valid, &report),
         WALLET_RESULT_QR_IMAGE_INVALID);
  EXPECT(wallet_verifier_verify_image(verifier, png.data, png.len / 3, NOW, WALLET_LANG_EN, &valid, &report),
         WALLET_RESULT_QR_IMAGE_INVALID);
  CHECK(report.data == NULL);
  wallet_buffer_free(&png);
  /* A well-formed image without any code: a blank 64 × 64 grey PNG. */
  static const uint8_t blank_png[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
      0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x40,
      0x08, 0x00, 0x00, 0x00, 0x00, 0x8f, 0x02, 0x2e, 0x02, 0x00, 0x00, 0x00,
      0x29, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0xed, 0xcc, 0x41, 0x11, 0x00,
      0x00, 0x0c, 0x02, 0x20, 0xfb, 0x97, 0xd6, 0x10, 0xfb, 0xed, 0x20, 0x00,
      0xe9, 0x51, 0x04, 0x02, 0x81, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x81,
      0x40, 0x20, 0x10, 0x7c, 0x0f, 0x06, 0xa7, 0x0b, 0xf0, 0xe2, 0xaa, 0xf0,
      0x0c, 0x32, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
      0x60, 0x82,
  };
  EXPECT(wallet_verifier_verify_image(verifier, blank_png, sizeof blank_png, NOW, WALLET_LANG_EN,
                                      &valid, &report),
         WALLET_RESULT_QR_NOT_FOUND);
  CHECK(report.data == NULL && valid);

  test_verdicts(verifier, store, id, disclose);
  test_replay_cache(fx, work, store, id, disclose);

  /* Removing a credential, then again. */
  wallet_buffer removed = {0};
  EXPECT(wallet_store_remove(store, id, strlen(id), &removed), WALLET_RESULT_OK);
  CHECK(has(&removed, "\"deleted_key\":{"));
  wallet_buffer_free(&removed);
  EXPECT(wallet_store_remove(store, id, strlen(id), &removed), WALLET_RESULT_STORE_UNKNOWN_ID);
  EXPECT(wallet_store_list(store, &list), WALLET_RESULT_OK);
  CHECK(list.data && strcmp((const char *)list.data, "[]") == 0);
  wallet_buffer_free(&list);

  wallet_buffer_free(&payload);
  wallet_buffer_free(&holder_jwk);
  wallet_buffer_free(&issuer_jwk);
  free(id);
  free(credential);
  wallet_verifier_free(verifier);
  verifier = NULL;
  wallet_store_free(store);
  store = NULL;
  wallet_issuer_free(issuer);
  issuer = NULL;
  /* The NULL-after-free pattern: freeing the NULLed pointers again does nothing. */
  wallet_verifier_free(verifier);
  wallet_store_free(store);
  wallet_issuer_free(issuer);
}

/* A holder key that never leaves the "hardware": the store only knows its public key and the
 * handle, and every presentation goes through the callback. `algorithm` is
 * WALLET_KEY_ALGORITHM_P256 (the Secure Enclave's, DER answers) or _ED25519 (raw answers). */
static void test_external_signer(const struct fixtures *fx, const char *work, uint32_t algorithm) {
  static const uint8_t seed[32] = {0x48, 0x57, 0x4b, 0x45, 0x59};
  struct hardware_key hw = {NULL, algorithm, "se-key-1", SIGNER_OK, 0};
  if (algorithm == WALLET_KEY_ALGORITHM_P256)
    hw.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  else
    hw.key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof seed);
  CHECK(hw.key != NULL);
  char public_key[256];
  public_jwk(hw.key, algorithm, public_key, sizeof public_key);

  char path[1024];
  snprintf(path, sizeof path, "%s/app-key-%u.store", work, (unsigned)algorithm);
  uint8_t app_key[32];
  for (int i = 0; i < 32; i++) app_key[i] = (uint8_t)(0xA0 + i);
  wallet_store *store = NULL;
  EXPECT(wallet_store_create_with_key(path, strlen(path), app_key, 31, &store),
         WALLET_RESULT_INVALID_ARGUMENT);
  CHECK(store == NULL);
  EXPECT(wallet_store_create_with_key(path, strlen(path), app_key, sizeof app_key, &store),
         WALLET_RESULT_OK);

  wallet_buffer jwk = {0};
  /* A cut-off JWK is refused; the whole one registers, and again is a duplicate. */
  EXPECT(wallet_store_register_external_key(store, hw.handle, strlen(hw.handle), public_key,
                                            strlen(public_key) - 1, &jwk),
         WALLET_RESULT_KEY_INVALID);
  EXPECT(wallet_store_register_external_key(store, hw.handle, strlen(hw.handle), public_key,
                                            strlen(public_key), &jwk),
         WALLET_RESULT_OK);
  CHECK(has(&jwk, algorithm == WALLET_KEY_ALGORITHM_P256 ? "\"crv\":\"P-256\"" : "\"crv\":\"Ed25519\""));
  wallet_buffer twice = {0};
  EXPECT(wallet_store_register_external_key(store, hw.handle, strlen(hw.handle), public_key,
                                            strlen(public_key), &twice),
         WALLET_RESULT_STORE_DUPLICATE);

  wallet_issuer *issuer = NULL;
  EXPECT(wallet_issuer_new(ISS, strlen(ISS), fx->issuer_jwk, strlen(fx->issuer_jwk), &issuer),
         WALLET_RESULT_OK);
  char *credential = issue(issuer, fx, &jwk, "{\"status_uri\":\"" STATUS_URI "\",\"status_idx\":3}");
  char *id = import(store, fx, credential);

  const char *disclose = "[\"age_over_18\"]";
  wallet_buffer payload = {0};
  EXPECT(wallet_store_present(store, id, strlen(id), disclose, strlen(disclose),
                              WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, &payload),
         WALLET_RESULT_STORE_EXTERNAL_SIGNER_REQUIRED);
  CHECK(payload.data == NULL);

  EXPECT(wallet_store_set_external_signer(store, hardware_sign, &hw), WALLET_RESULT_OK);
  EXPECT(wallet_store_present(store, id, strlen(id), disclose, strlen(disclose),
                              WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, &payload),
         WALLET_RESULT_OK);
  CHECK(hw.calls == 1);

  wallet_verifier *verifier = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), NULL, 0, NOW, &verifier),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_add_status_list(verifier, fx->status_list, strlen(fx->status_list)),
         WALLET_RESULT_OK);
  VERIFY_EXPECT(verifier, &payload, "ok");

  /* The user cancels, the hardware returns a signature that does not verify, or claims more
   * bytes than it was given room for: all refused. */
  wallet_buffer refused = {0};
  hw.behaviour = SIGNER_REFUSE;
  EXPECT(wallet_store_present(store, id, strlen(id), disclose, strlen(disclose),
                              WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, &refused),
         WALLET_RESULT_SIGNER_FAILED);
  hw.behaviour = SIGNER_OVERLONG;
  EXPECT(wallet_store_present(store, id, strlen(id), disclose, strlen(disclose),
                              WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, &refused),
         WALLET_RESULT_SIGNER_FAILED);
  hw.behaviour = SIGNER_CORRUPT;
  EXPECT(wallet_store_present(store, id, strlen(id), disclose, strlen(disclose),
                              WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, &refused),
         WALLET_RESULT_SIGNER_FAILED);
  char code[64];
  wallet_last_error_code(code, sizeof code);
  CHECK(strcmp(code, "key.signer_failed") == 0);
  CHECK(refused.data == NULL && hw.calls == 4);

  /* Removing the signer makes presentations fail again. */
  EXPECT(wallet_store_set_external_signer(store, NULL, NULL), WALLET_RESULT_OK);
  EXPECT(wallet_store_present(store, id, strlen(id), disclose, strlen(disclose),
                              WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, &refused),
         WALLET_RESULT_STORE_EXTERNAL_SIGNER_REQUIRED);

  /* Reopen by key; a wrong key or a passphrase does not open it. */
  wallet_store *reopened = NULL;
  app_key[0] ^= 1;
  EXPECT(wallet_store_open_with_key(path, strlen(path), app_key, sizeof app_key, &reopened),
         WALLET_RESULT_STORE_WRONG_KEY);
  EXPECT(wallet_store_open(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &reopened),
         WALLET_RESULT_STORE_WRONG_KEY);
  CHECK(reopened == NULL);
  app_key[0] ^= 1;
  EXPECT(wallet_store_open_with_key(path, strlen(path), app_key, sizeof app_key, &reopened),
         WALLET_RESULT_OK);
  wallet_buffer removed = {0};
  EXPECT(wallet_store_remove(reopened, id, strlen(id), &removed), WALLET_RESULT_OK);
  /* The app learns which hardware key it may now delete. */
  CHECK(has(&removed, "\"external_handle\":\"se-key-1\""));
  wallet_buffer_free(&removed);

  wallet_store_free(reopened);
  reopened = NULL;
  wallet_buffer_free(&payload);
  wallet_buffer_free(&jwk);
  free(id);
  free(credential);
  wallet_verifier_free(verifier);
  verifier = NULL;
  wallet_issuer_free(issuer);
  issuer = NULL;
  wallet_store_free(store);
  store = NULL;
  EVP_PKEY_free(hw.key);
}

/* Every way a caller can get the arguments wrong: each is an error code and a message, the
 * outputs stay untouched, nothing crashes. */
static void test_errors(const struct fixtures *fx, const char *work) {
  char path[1024];
  snprintf(path, sizeof path, "%s/errors.store", work);
  wallet_kdf_params small = {64, 1, 1};
  wallet_store *store = NULL;
  wallet_buffer out = {0};
  const char *invalid_utf8 = "pass\xff\xfeword";
  /* A sentinel in place of a real output shows whether a failing call wrote it. */
  wallet_buffer untouched = {(uint8_t *)&small, 12345};

  /* NULL outputs: refused before any work, so no file is created. */
  EXPECT(wallet_store_create(path, strlen(path), "pw", 2, &small, NULL), WALLET_RESULT_NULL_PARAMETER);
  struct stat st;
  CHECK(stat(path, &st) != 0);
  /* NULL inputs with a length, and required inputs missing. */
  EXPECT(wallet_store_create(NULL, 9, "pw", 2, &small, &store), WALLET_RESULT_NULL_PARAMETER);
  /* (NULL, 0) is the empty string, as ("", 0) is: an empty path is an invalid argument. */
  EXPECT(wallet_store_create(NULL, 0, "pw", 2, &small, &store), WALLET_RESULT_INVALID_ARGUMENT);
  EXPECT(wallet_store_create("", 0, "pw", 2, &small, &store), WALLET_RESULT_INVALID_ARGUMENT);
  EXPECT(wallet_store_create(path, strlen(path), NULL, 2, &small, &store), WALLET_RESULT_NULL_PARAMETER);
  /* Invalid UTF-8 in a passphrase and in a path. */
  EXPECT(wallet_store_create(path, strlen(path), invalid_utf8, strlen(invalid_utf8), &small, &store),
         WALLET_RESULT_INVALID_UTF8);
  char code[64];
  wallet_last_error_code(code, sizeof code);
  CHECK(strcmp(code, "ffi.invalid_utf8") == 0);
  EXPECT(wallet_store_create("\xc3(", 2, "pw", 2, &small, &store), WALLET_RESULT_INVALID_UTF8);
  /* Bad Argon2 parameters and an empty passphrase. */
  wallet_kdf_params zero = {0, 0, 0};
  EXPECT(wallet_store_create(path, strlen(path), "pw", 2, &zero, &store), WALLET_RESULT_STORE_REFUSED);
  EXPECT(wallet_store_create(path, strlen(path), "", 0, &small, &store), WALLET_RESULT_STORE_REFUSED);
  CHECK(store == NULL);

  /* Missing store, then a real one, then the wrong passphrase. */
  EXPECT(wallet_store_open(path, strlen(path), "pw", 2, &store), WALLET_RESULT_STORE_NOT_FOUND);
  EXPECT(wallet_store_create(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &small, &store),
         WALLET_RESULT_OK);
  wallet_store *second = (wallet_store *)&small; /* sentinel: must not be overwritten */
  EXPECT(wallet_store_create(path, strlen(path), PASSPHRASE, strlen(PASSPHRASE), &small, &second),
         WALLET_RESULT_STORE_EXISTS);
  EXPECT(wallet_store_open(path, strlen(path), "wrong passphrase", 16, &second),
         WALLET_RESULT_STORE_WRONG_KEY);
  CHECK(second == (wallet_store *)&small);
  char message[256];
  size_t n = wallet_last_error_message(message, sizeof message);
  CHECK(n > 0 && strstr(message, "wrong passphrase") != NULL);
  wallet_last_error_code(code, sizeof code);
  CHECK(strcmp(code, "store.wrong_key") == 0);
  /* A success clears the last error. */
  EXPECT(wallet_store_list(store, &out), WALLET_RESULT_OK);
  CHECK(wallet_last_error_message(message, sizeof message) == 0 && message[0] == '\0');
  CHECK(wallet_last_error_code(NULL, 0) == 0);
  wallet_buffer_free(&out);

  /* NULL handles and NULL outputs on every kind of call. */
  EXPECT(wallet_store_list(NULL, &untouched), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_list(store, NULL), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_new_holder_key(NULL, WALLET_KEY_ALGORITHM_ED25519, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_new_holder_key(store, WALLET_KEY_ALGORITHM_ED25519, NULL),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_new_holder_key(store, 3, &untouched), WALLET_RESULT_INVALID_ARGUMENT);
  EXPECT(wallet_store_remove(NULL, "x", 1, &untouched), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_remove(store, NULL, 1, &untouched), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_present(NULL, "x", 1, NULL, 0, WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0,
                              NOW, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_present(store, "x", 1, NULL, 0, WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0,
                              NOW, NULL),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_import(NULL, "a~", 2, fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), NOW, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_store_set_external_signer(NULL, NULL, NULL), WALLET_RESULT_NULL_PARAMETER);
  bool valid = true;
  EXPECT(wallet_verifier_verify(NULL, "CW1:", 4, NOW, WALLET_LANG_EN, &valid, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_verifier_verify_image(NULL, (const uint8_t *)"x", 1, NOW, WALLET_LANG_EN, &valid, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_verifier_add_status_list(NULL, "x", 1), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_verifier_new_challenge(NULL, NOW, 60, &untouched), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_issuer_public_jwk(NULL, &untouched), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_issuer_issue(NULL, "resident-id", 11, "{}", 2, "{}", 2, NULL, 0, NOW, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_qr_png(NULL, 3, WALLET_ECC_M, 4, 4, &untouched), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_qr_svg("CW1:A", 5, WALLET_ECC_M, 4, 4, NULL), WALLET_RESULT_NULL_PARAMETER);
  uint32_t size = 77;
  EXPECT(wallet_qr_matrix("CW1:A", 5, WALLET_ECC_M, &untouched, NULL), WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_qr_matrix("CW1:A", 5, WALLET_ECC_M, NULL, &size), WALLET_RESULT_NULL_PARAMETER);
  CHECK(size == 77);
  EXPECT(wallet_challenge_read("CWC1:", 5, NULL, &untouched), WALLET_RESULT_NULL_PARAMETER);
  CHECK(untouched.data == (uint8_t *)&small && untouched.len == 12345);

  /* Out-of-range enum values are errors, not undefined behaviour. */
  EXPECT(wallet_store_present(store, "x", 1, NULL, 0, 7, NULL, 0, NULL, 0, NOW, &untouched),
         WALLET_RESULT_INVALID_ARGUMENT);
  EXPECT(wallet_qr_png("CW1:A", 5, 9, 4, 4, &untouched), WALLET_RESULT_INVALID_ARGUMENT);
  /* Offline mode takes no aud/nonce; challenge mode needs both. */
  EXPECT(wallet_store_present(store, "x", 1, NULL, 0, WALLET_PRESENT_MODE_OFFLINE, "a", 1, NULL, 0,
                              NOW, &untouched),
         WALLET_RESULT_INVALID_ARGUMENT);
  EXPECT(wallet_store_present(store, "x", 1, NULL, 0, WALLET_PRESENT_MODE_CHALLENGE, "a", 1, NULL, 0,
                              NOW, &untouched),
         WALLET_RESULT_INVALID_ARGUMENT);
  EXPECT(wallet_store_present(store, "x", 1, "not json", 8, WALLET_PRESENT_MODE_OFFLINE, NULL, 0,
                              NULL, 0, NOW, &untouched),
         WALLET_RESULT_INVALID_JSON);
  EXPECT(wallet_store_present(store, "no-such-id", 10, NULL, 0, WALLET_PRESENT_MODE_OFFLINE, NULL,
                              0, NULL, 0, NOW, &untouched),
         WALLET_RESULT_STORE_UNKNOWN_ID);
  /* QR drawing: lowercase is outside the alphanumeric set; a zero module size is refused. */
  EXPECT(wallet_qr_png("cw1:a", 5, WALLET_ECC_M, 4, 4, &untouched), WALLET_RESULT_QR_RENDER_FAILED);
  EXPECT(wallet_qr_png("CW1:A", 5, WALLET_ECC_M, 0, 4, &untouched), WALLET_RESULT_QR_RENDER_FAILED);
  CHECK(untouched.data == (uint8_t *)&small && untouched.len == 12345);

  /* Issuer errors: bad key, unknown type, claims not JSON or breaking the type's rules, a bad
   * holder key, bad options. */
  wallet_issuer *issuer = NULL;
  EXPECT(wallet_issuer_new(ISS, strlen(ISS), "not a key", 9, &issuer), WALLET_RESULT_KEY_INVALID);
  EXPECT(wallet_issuer_new(ISS, strlen(ISS), fx->root_jwk, strlen(fx->root_jwk), &issuer),
         WALLET_RESULT_KEY_INVALID); /* a public key cannot sign */
  EXPECT(wallet_issuer_new(ISS, strlen(ISS), fx->issuer_jwk, strlen(fx->issuer_jwk), &issuer),
         WALLET_RESULT_OK);
  wallet_buffer holder = {0};
  EXPECT(wallet_store_new_holder_key(store, WALLET_KEY_ALGORITHM_ED25519, &holder),
         WALLET_RESULT_OK);
  const char *hj = (const char *)holder.data;
  EXPECT(wallet_issuer_issue(issuer, "pet-licence", 11, fx->claims, strlen(fx->claims), hj,
                             holder.len, NULL, 0, NOW, &untouched),
         WALLET_RESULT_UNKNOWN_TYPE);
  EXPECT(wallet_issuer_issue(issuer, "resident-id", 11, "{\"name\":", 8, hj, holder.len, NULL, 0,
                             NOW, &untouched),
         WALLET_RESULT_INVALID_JSON);
  EXPECT(wallet_issuer_issue(issuer, "resident-id", 11, "{\"name\":\"张三\"}",
                             strlen("{\"name\":\"张三\"}"), hj, holder.len, NULL, 0, NOW, &untouched),
         WALLET_RESULT_CLAIMS_INVALID);
  EXPECT(wallet_issuer_issue(issuer, "resident-id", 11, fx->claims, strlen(fx->claims),
                             "{\"kty\":\"OKP\"}", 13, NULL, 0, NOW, &untouched),
         WALLET_RESULT_KEY_INVALID);
  EXPECT(wallet_issuer_issue(issuer, "resident-id", 11, fx->claims, strlen(fx->claims), hj,
                             holder.len, "{\"status_idx\":1}", 16, NOW, &untouched),
         WALLET_RESULT_INVALID_JSON);
  EXPECT(wallet_issuer_issue(issuer, "resident-id", 11, invalid_utf8, strlen(invalid_utf8), hj,
                             holder.len, NULL, 0, NOW, &untouched),
         WALLET_RESULT_INVALID_UTF8);
  CHECK(untouched.data == (uint8_t *)&small && untouched.len == 12345);

  /* Import errors: expired, bound to a key the store does not hold, duplicate, a presentation
   * instead of a credential, a trust list under the wrong root, garbage. */
  /* Issued 2026-01-01 01:00, expired 2026-01-02, imported 2026-06-01. */
  char *expired =
      issue_at(issuer, fx, &holder, "{\"expires_at\":1767312000,\"no_status\":true}", 1767229200);
  EXPECT(wallet_store_import(store, expired, strlen(expired), fx->trust_list, strlen(fx->trust_list),
                             fx->root_jwk, strlen(fx->root_jwk), NOW, &untouched),
         WALLET_RESULT_CREDENTIAL_EXPIRED);
  wallet_last_error_code(code, sizeof code);
  CHECK(strcmp(code, "vc.expired") == 0);
  free(expired);
  wallet_buffer foreign_key = {0};
  EXPECT(wallet_issuer_public_jwk(issuer, &foreign_key), WALLET_RESULT_OK);
  char *foreign = issue(issuer, fx, &foreign_key, "{\"no_status\":true}");
  EXPECT(wallet_store_import(store, foreign, strlen(foreign), fx->trust_list, strlen(fx->trust_list),
                             fx->root_jwk, strlen(fx->root_jwk), NOW, &untouched),
         WALLET_RESULT_STORE_HOLDER_KEY_NOT_HELD);
  free(foreign);
  wallet_buffer_free(&foreign_key);
  char *good = issue(issuer, fx, &holder, "{\"no_status\":true}");
  char *good_id = import(store, fx, good);
  EXPECT(wallet_store_import(store, good, strlen(good), fx->trust_list, strlen(fx->trust_list),
                             fx->root_jwk, strlen(fx->root_jwk), NOW, &untouched),
         WALLET_RESULT_STORE_DUPLICATE);
  EXPECT(wallet_store_import(store, good, strlen(good), fx->trust_list, strlen(fx->trust_list),
                             fx->root_jwk, strlen(fx->root_jwk), NOW + 20L * 365 * 86400, &untouched),
         WALLET_RESULT_TRUST_LIST_STALE);
  wallet_buffer issuer_pub = {0};
  EXPECT(wallet_issuer_public_jwk(issuer, &issuer_pub), WALLET_RESULT_OK);
  EXPECT(wallet_store_import(store, good, strlen(good), fx->trust_list, strlen(fx->trust_list),
                             (const char *)issuer_pub.data, issuer_pub.len, NOW, &untouched),
         WALLET_RESULT_TRUST_LIST_BAD_SIGNATURE);
  EXPECT(wallet_store_import(store, "garbage", 7, fx->trust_list, strlen(fx->trust_list),
                             fx->root_jwk, strlen(fx->root_jwk), NOW, &untouched),
         WALLET_RESULT_CREDENTIAL_INVALID);
  wallet_buffer shown = {0};
  EXPECT(wallet_store_present(store, good_id, strlen(good_id), "[\"no_such_claim\"]", 17,
                              WALLET_PRESENT_MODE_OFFLINE, NULL, 0, NULL, 0, NOW, &shown),
         WALLET_RESULT_UNKNOWN_CLAIM_PATH);
  CHECK(shown.data == NULL);
  test_hostile_messages(store, good_id);
  test_null_is_empty(fx, store, good_id);
  CHECK(untouched.data == (uint8_t *)&small && untouched.len == 12345);

  /* Verifier errors: wrong root, stale list, bad options, a status list that is not a token,
   * invalid UTF-8 in a payload, a bad language. */
  wallet_verifier *verifier = (wallet_verifier *)&small;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), (const char *)issuer_pub.data,
                             issuer_pub.len, NULL, 0, NOW, &verifier),
         WALLET_RESULT_TRUST_LIST_BAD_SIGNATURE);
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), NULL, 0, NOW + 20L * 365 * 86400, &verifier),
         WALLET_RESULT_TRUST_LIST_STALE);
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), "{\"max_agee\":5}", 14, NOW, &verifier),
         WALLET_RESULT_INVALID_JSON);
  EXPECT(wallet_verifier_new(fx->trust_list, 40, fx->root_jwk, strlen(fx->root_jwk), NULL, 0, NOW,
                             &verifier),
         WALLET_RESULT_TRUST_LIST_INVALID);
  CHECK(verifier == (wallet_verifier *)&small);
  verifier = NULL;
  EXPECT(wallet_verifier_new(fx->trust_list, strlen(fx->trust_list), fx->root_jwk,
                             strlen(fx->root_jwk), NULL, 0, NOW, &verifier),
         WALLET_RESULT_OK);
  EXPECT(wallet_verifier_add_status_list(verifier, "a.b.c", 5), WALLET_RESULT_STATUS_LIST_INVALID);
  EXPECT(wallet_verifier_add_status_list(verifier, fx->trust_list, strlen(fx->trust_list)),
         WALLET_RESULT_STATUS_LIST_INVALID);
  EXPECT(wallet_verifier_verify(verifier, invalid_utf8, strlen(invalid_utf8), NOW, WALLET_LANG_EN,
                                &valid, &untouched),
         WALLET_RESULT_INVALID_UTF8);
  EXPECT(wallet_verifier_verify(verifier, NULL, 4, NOW, WALLET_LANG_EN, &valid, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_verifier_verify(verifier, "CW1:", 4, NOW, 2, &valid, &untouched),
         WALLET_RESULT_INVALID_ARGUMENT);
  EXPECT(wallet_verifier_verify(verifier, "CW1:", 4, NOW, WALLET_LANG_EN, &valid, NULL),
         WALLET_RESULT_NULL_PARAMETER);
  /* The verdict is a required output: an app cannot skip it. */
  EXPECT(wallet_verifier_verify(verifier, "CW1:", 4, NOW, WALLET_LANG_EN, NULL, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_verifier_verify_image(verifier, (const uint8_t *)"x", 1, NOW, WALLET_LANG_EN, NULL,
                                      &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  EXPECT(wallet_verifier_verify_image(verifier, NULL, 10, NOW, WALLET_LANG_EN, &valid, &untouched),
         WALLET_RESULT_NULL_PARAMETER);
  CHECK(untouched.data == (uint8_t *)&small && untouched.len == 12345 && valid);

  /* A damaged store file: same size, one byte of ciphertext flipped. */
  char copy_path[1024];
  snprintf(copy_path, sizeof copy_path, "%s/damaged.store", work);
  size_t store_len = 0;
  char *bytes = read_file(work, "errors.store", &store_len);
  FILE *f = fopen(copy_path, "wb");
  CHECK(f != NULL);
  if (f) {
    bytes[store_len / 2 + 60] ^= 0x20;
    fwrite(bytes, 1, store_len, f);
    fclose(f);
  }
  free(bytes);
  wallet_store *damaged = NULL;
  EXPECT(wallet_store_open(copy_path, strlen(copy_path), PASSPHRASE, strlen(PASSPHRASE), &damaged),
         WALLET_RESULT_STORE_DAMAGED);
  /* A file that is not a store at all. */
  char not_store[1024];
  snprintf(not_store, sizeof not_store, "%s/not-a-store", work);
  f = fopen(not_store, "wb");
  if (f) {
    fputs("hello, this is not a wallet store file, just some text long enough for a header. "
          "hello, this is not a wallet store file, just some text long enough for a header.",
          f);
    fclose(f);
  }
  EXPECT(wallet_store_open(not_store, strlen(not_store), PASSPHRASE, strlen(PASSPHRASE), &damaged),
         WALLET_RESULT_STORE_DAMAGED);
  CHECK(damaged == NULL);

  /* Buffers: freeing NULL, a zeroed buffer and the same buffer twice is harmless. */
  wallet_buffer_free(NULL);
  wallet_buffer zeroed = {0};
  wallet_buffer_free(&zeroed);
  wallet_buffer_free(&holder);
  CHECK(holder.data == NULL && holder.len == 0);
  wallet_buffer_free(&holder);

  wallet_buffer_free(&issuer_pub);
  free(good_id);
  free(good);
  wallet_verifier_free(verifier);
  verifier = NULL;
  wallet_issuer_free(issuer);
  issuer = NULL;
  wallet_store_free(store);
  store = NULL;
  wallet_store_free(store);
}

/* The last error is per thread: an error on another thread does not replace this thread's. */
static void *fail_on_other_thread(void *arg) {
  (void)arg;
  wallet_buffer out = {0};
  wallet_result r = wallet_store_list(NULL, &out);
  char code[64] = "";
  wallet_last_error_code(code, sizeof code);
  return (void *)(intptr_t)(r == WALLET_RESULT_NULL_PARAMETER &&
                            strcmp(code, "ffi.null_parameter") == 0);
}

static void test_threads(void) {
  wallet_buffer out = {0};
  EXPECT(wallet_qr_png("CW1:A", 5, 17, 4, 4, &out), WALLET_RESULT_INVALID_ARGUMENT);
  pthread_t thread;
  void *ok = NULL;
  CHECK(pthread_create(&thread, NULL, fail_on_other_thread, NULL) == 0);
  CHECK(pthread_join(thread, &ok) == 0);
  CHECK(ok == (void *)1);
  char code[64] = "";
  wallet_last_error_code(code, sizeof code);
  CHECK(strcmp(code, "ffi.invalid_argument") == 0);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DATA_DIR WORK_DIR\n", argv[0]);
    return 2;
  }
  struct fixtures fx;
  fx.root_jwk = read_file(argv[1], "root.pub.jwk", NULL);
  fx.trust_list = read_file(argv[1], "trust-list.jwt", NULL);
  fx.issuer_jwk = read_file(argv[1], "issuer.jwk", NULL);
  fx.status_list = read_file(argv[1], "status-list.jwt", NULL);
  fx.claims = read_file(argv[1], "resident-id.claims.json", NULL);
  fx.marriage_type = read_file(argv[1], "marriage-certificate.json", NULL);
  fx.marriage_claims = read_file(argv[1], "marriage-certificate.claims.json", NULL);

  test_version();
  test_messages();
  test_flow(&fx, argv[2]);
  test_added_type(&fx, argv[2]);
  test_external_signer(&fx, argv[2], WALLET_KEY_ALGORITHM_P256);
  test_external_signer(&fx, argv[2], WALLET_KEY_ALGORITHM_ED25519);
  test_errors(&fx, argv[2]);
  test_create_leaves_nothing(argv[2]);
  test_threads();

  free(fx.root_jwk);
  free(fx.trust_list);
  free(fx.issuer_jwk);
  free(fx.status_list);
  free(fx.claims);
  free(fx.marriage_type);
  free(fx.marriage_claims);
  printf("wallet C API test (library %s): %d passed, %d failed\n", wallet_version(),
         checks - failures, failures);
  return failures == 0 ? 0 : 1;
}
