/*
 * A JVM client of the wallet C API through JNA, the way an Android app without hand-written JNI
 * would call libwallet_ffi.so: one holder flow (encrypted store, holder key, import, list,
 * present as a QR payload, draw it as a PNG) and one verifier flow (trust list, status list,
 * verify the payload and the PNG, refuse the replay and a forged code, reading the verdict from
 * its own output rather than the result code; keep refusing the replay in a new verifier that
 * shares a replay cache file), plus an error read back through the last-error functions.
 *
 * Usage: java -cp jna.jar:. -Djna.library.path=LIBDIR WalletJna DATA_DIR WORK_DIR
 * (DATA_DIR is wallet-ffi/tests/data). Exit status 0 when every check passed.
 */

import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public final class WalletJna {
  /** C size_t: 32 bits on armeabi-v7a and x86 Android, 64 bits on arm64-v8a and x86_64. */
  public static final class SizeT extends IntegerType {
    public SizeT() {
      this(0);
    }

    public SizeT(long value) {
      super(Native.SIZE_T_SIZE, value, true);
    }
  }

  /** struct wallet_buffer: bytes owned by the library until wallet_buffer_free. */
  public static final class Buffer extends Structure {
    public Pointer data;
    public SizeT len;

    @Override
    protected List<String> getFieldOrder() {
      return List.of("data", "len");
    }

    byte[] bytes() {
      return data == null ? new byte[0] : data.getByteArray(0, (int) len.longValue());
    }

    String text() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }
  }

  /** struct wallet_kdf_params. */
  public static final class KdfParams extends Structure {
    public int memory_kib;
    public int iterations;
    public int parallelism;

    KdfParams(int memoryKib, int iterations, int parallelism) {
      this.memory_kib = memoryKib;
      this.iterations = iterations;
      this.parallelism = parallelism;
    }

    @Override
    protected List<String> getFieldOrder() {
      return List.of("memory_kib", "iterations", "parallelism");
    }
  }

  /** The subset of wallet.h this client uses; names and argument order as in the header. */
  public interface Wallet extends Library {
    Wallet LIB = Native.load("wallet_ffi", Wallet.class);

    int OK = 0;
    int STORE_WRONG_KEY = 502;
    int PRESENT_OFFLINE = 0;
    int LANG_EN = 0;
    int LANG_ZH = 1;
    int ECC_M = 1;

    String wallet_version();

    SizeT wallet_last_error_message(byte[] buf, SizeT bufLen);

    SizeT wallet_last_error_code(byte[] buf, SizeT bufLen);

    void wallet_buffer_free(Buffer buffer);

    int wallet_store_create(byte[] path, SizeT pathLen, byte[] passphrase, SizeT passphraseLen,
        KdfParams kdf, PointerByReference storeOut);

    int wallet_store_open(byte[] path, SizeT pathLen, byte[] passphrase, SizeT passphraseLen,
        PointerByReference storeOut);

    void wallet_store_free(Pointer store);

    int wallet_store_new_holder_key(Pointer store, int algorithm, Buffer jwkOut);

    int wallet_store_import(Pointer store, byte[] credential, SizeT credentialLen,
        byte[] trustList, SizeT trustListLen, byte[] rootJwk, SizeT rootJwkLen, long now,
        Buffer infoOut);

    int wallet_store_list(Pointer store, Buffer listOut);

    int wallet_store_present(Pointer store, byte[] id, SizeT idLen, byte[] disclose,
        SizeT discloseLen, int mode, byte[] aud, SizeT audLen, byte[] nonce, SizeT nonceLen,
        long now, Buffer payloadOut);

    int wallet_qr_png(byte[] payload, SizeT payloadLen, int ecc, int modulePx, int quietZone,
        Buffer pngOut);

    int wallet_issuer_new(byte[] iss, SizeT issLen, byte[] privateKey, SizeT privateKeyLen,
        PointerByReference issuerOut);

    void wallet_issuer_free(Pointer issuer);

    int wallet_issuer_issue(Pointer issuer, byte[] type, SizeT typeLen, byte[] claims,
        SizeT claimsLen, byte[] holderJwk, SizeT holderJwkLen, byte[] options, SizeT optionsLen,
        long now, Buffer credentialOut);

    int wallet_verifier_new(byte[] trustList, SizeT trustListLen, byte[] rootJwk,
        SizeT rootJwkLen, byte[] options, SizeT optionsLen, long now,
        PointerByReference verifierOut);

    void wallet_verifier_free(Pointer verifier);

    int wallet_verifier_add_status_list(Pointer verifier, byte[] token, SizeT tokenLen);

    /** validOut is a C bool: one byte, 0 or 1. */
    int wallet_verifier_verify(Pointer verifier, byte[] payload, SizeT payloadLen, long now,
        int lang, ByteByReference validOut, Buffer reportOut);

    int wallet_verifier_verify_image(Pointer verifier, byte[] image, SizeT imageLen, long now,
        int lang, ByteByReference validOut, Buffer reportOut);
  }

  /** 2026-06-01T00:00:00Z, inside the fixtures' validity; the library never reads the clock. */
  static final long NOW = 1780272000L;

  static int passed;
  static int failed;

  static void check(boolean ok, String what) {
    if (ok) {
      passed++;
    } else {
      failed++;
      System.err.println("FAIL: " + what + " (last error: " + lastError() + ")");
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static SizeT len(byte[] b) {
    return new SizeT(b.length);
  }

  static String lastError() {
    byte[] message = new byte[512];
    byte[] code = new byte[64];
    long n = Wallet.LIB.wallet_last_error_message(message, len(message)).longValue();
    long c = Wallet.LIB.wallet_last_error_code(code, len(code)).longValue();
    int m = (int) Math.min(n, message.length - 1);
    return new String(message, 0, m, StandardCharsets.UTF_8)
        + " [" + new String(code, 0, (int) Math.min(c, code.length - 1), StandardCharsets.UTF_8) + "]";
  }

  static String read(Path dir, String name) throws Exception {
    return Files.readString(dir.resolve(name), StandardCharsets.UTF_8).strip();
  }

  /** Takes a buffer's text and releases the native bytes. */
  static String take(Buffer b) {
    String text = b.text();
    Wallet.LIB.wallet_buffer_free(b);
    return text;
  }

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    Path work = Path.of(args[1]);
    Wallet w = Wallet.LIB;
    byte[] root = utf8(read(data, "root.pub.jwk"));
    byte[] trust = utf8(read(data, "trust-list.jwt"));
    byte[] status = utf8(read(data, "status-list.jwt"));
    byte[] claims = utf8(read(data, "resident-id.claims.json"));
    byte[] issuerKey = utf8(read(data, "issuer.jwk"));
    check(w.wallet_version().matches("\\d+\\.\\d+\\.\\d+"), "version");

    // ---- holder flow ----
    byte[] path = utf8(work.resolve("jna.store").toString());
    byte[] pass = utf8("手机解锁 passphrase");
    PointerByReference storeRef = new PointerByReference();
    check(w.wallet_store_create(path, len(path), pass, len(pass), new KdfParams(64, 1, 1), storeRef)
        == Wallet.OK, "store create");
    Pointer store = storeRef.getValue();

    Buffer jwk = new Buffer();
    check(w.wallet_store_new_holder_key(store, 0 /* Ed25519 */, jwk) == Wallet.OK, "new holder key");
    byte[] holderJwk = utf8(take(jwk));

    PointerByReference issuerRef = new PointerByReference();
    byte[] iss = utf8("https://ga.sh.gov.cn/issuer");
    check(w.wallet_issuer_new(iss, len(iss), issuerKey, len(issuerKey), issuerRef) == Wallet.OK,
        "issuer");
    Pointer issuer = issuerRef.getValue();
    byte[] type = utf8("resident-id");
    byte[] options = utf8("{\"status_uri\":\"https://ga.sh.gov.cn/status/1\",\"status_idx\":3}");
    Buffer credential = new Buffer();
    check(w.wallet_issuer_issue(issuer, type, len(type), claims, len(claims), holderJwk,
        len(holderJwk), options, len(options), NOW, credential) == Wallet.OK, "issue");
    byte[] cred = utf8(take(credential));

    Buffer info = new Buffer();
    check(w.wallet_store_import(store, cred, len(cred), trust, len(trust), root, len(root), NOW,
        info) == Wallet.OK, "import");
    String infoJson = take(info);
    String id = infoJson.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    check(!id.equals(infoJson) && id.length() > 10, "credential id in " + infoJson);

    Buffer list = new Buffer();
    check(w.wallet_store_list(store, list) == Wallet.OK, "list");
    String listJson = take(list);
    check(listJson.contains(id) && listJson.contains("居民身份证"), "list shows the credential");

    byte[] idBytes = utf8(id);
    byte[] disclose = utf8("[\"name\",\"age_over_18\"]");
    Buffer payload = new Buffer();
    check(w.wallet_store_present(store, idBytes, len(idBytes), disclose, len(disclose),
        Wallet.PRESENT_OFFLINE, null, new SizeT(0), null, new SizeT(0), NOW, payload) == Wallet.OK,
        "present");
    byte[] qr = utf8(take(payload));
    check(new String(qr, StandardCharsets.UTF_8).startsWith("CW2:"), "payload prefix");

    Buffer second = new Buffer();
    check(w.wallet_store_present(store, idBytes, len(idBytes), disclose, len(disclose),
        Wallet.PRESENT_OFFLINE, null, new SizeT(0), null, new SizeT(0), NOW, second) == Wallet.OK,
        "present again");
    byte[] qr2 = utf8(take(second));
    Buffer png = new Buffer();
    check(w.wallet_qr_png(qr2, len(qr2), Wallet.ECC_M, 4, 4, png) == Wallet.OK, "png");
    byte[] pngBytes = png.bytes();
    w.wallet_buffer_free(png);
    check(pngBytes.length > 8 && pngBytes[1] == 'P' && pngBytes[2] == 'N', "png signature");

    // A wrong passphrase: a result code and a message, and no handle.
    PointerByReference wrong = new PointerByReference();
    byte[] bad = utf8("not the passphrase");
    check(w.wallet_store_open(path, len(path), bad, len(bad), wrong) == Wallet.STORE_WRONG_KEY,
        "wrong passphrase refused");
    check(lastError().contains("store.wrong_key") && wrong.getValue() == null,
        "wrong passphrase message");

    // ---- verifier flow ----
    PointerByReference verifierRef = new PointerByReference();
    check(w.wallet_verifier_new(trust, len(trust), root, len(root), null, new SizeT(0), NOW,
        verifierRef) == Wallet.OK, "verifier");
    Pointer verifier = verifierRef.getValue();
    check(w.wallet_verifier_add_status_list(verifier, status, len(status)) == Wallet.OK,
        "status list");
    // A forged code first (one character of the payload changed): checked, so OK, and refused.
    byte[] forged = qr.clone();
    forged[forged.length / 2] = (byte) (forged[forged.length / 2] == 'A' ? 'B' : 'A');
    Buffer forgedReport = new Buffer();
    ByteByReference valid = new ByteByReference((byte) 1);
    check(w.wallet_verifier_verify(verifier, forged, len(forged), NOW, Wallet.LANG_EN, valid,
        forgedReport) == Wallet.OK, "verify forged");
    check(valid.getValue() == 0 && take(forgedReport).contains("\"valid\":false"),
        "forged code refused by the verdict");

    Buffer report = new Buffer();
    valid = new ByteByReference((byte) 0);
    check(w.wallet_verifier_verify(verifier, qr, len(qr), NOW, Wallet.LANG_ZH, valid, report)
        == Wallet.OK, "verify");
    String json = take(report);
    check(valid.getValue() == 1, "verdict: accept");
    check(json.contains("\"valid\":true") && json.contains("\"label\":\"姓名\""), "valid: " + json);
    check(!json.contains("id_number"), "undisclosed claim stays hidden");

    Buffer replay = new Buffer();
    valid = new ByteByReference((byte) 1);
    check(w.wallet_verifier_verify(verifier, qr, len(qr), NOW, Wallet.LANG_EN, valid, replay)
        == Wallet.OK, "verify again");
    check(valid.getValue() == 0 && take(replay).contains("\"code\":\"qr.replay\""),
        "replay refused");

    Buffer fromImage = new Buffer();
    valid = new ByteByReference((byte) 0);
    check(w.wallet_verifier_verify_image(verifier, pngBytes, len(pngBytes), NOW, Wallet.LANG_EN,
        valid, fromImage) == Wallet.OK, "verify image");
    check(valid.getValue() == 1 && take(fromImage).contains("\"valid\":true"), "image valid");

    w.wallet_verifier_free(verifier);

    // One verifier per scan, sharing a replay cache file: the second still refuses the code.
    Buffer third = new Buffer();
    check(w.wallet_store_present(store, idBytes, len(idBytes), disclose, len(disclose),
        Wallet.PRESENT_OFFLINE, null, new SizeT(0), null, new SizeT(0), NOW, third) == Wallet.OK,
        "present a third time");
    byte[] qr3 = utf8(take(third));
    String cachePath = work.resolve("replay.cache").toString();
    byte[] cacheOptions = utf8("{\"replay_cache\":\"" + cachePath + "\"}");
    for (int scan = 0; scan < 2; scan++) {
      PointerByReference ref = new PointerByReference();
      check(w.wallet_verifier_new(trust, len(trust), root, len(root), cacheOptions,
          len(cacheOptions), NOW, ref) == Wallet.OK, "verifier with replay cache");
      Pointer v = ref.getValue();
      check(w.wallet_verifier_add_status_list(v, status, len(status)) == Wallet.OK,
          "status list");
      Buffer r = new Buffer();
      valid = new ByteByReference((byte) (scan == 0 ? 0 : 1));
      check(w.wallet_verifier_verify(v, qr3, len(qr3), NOW, Wallet.LANG_EN, valid, r)
          == Wallet.OK, "verify with replay cache");
      String out = take(r);
      check(scan == 0 ? valid.getValue() == 1 : valid.getValue() == 0
          && out.contains("\"code\":\"qr.replay\""), "scan " + scan + ": " + out);
      w.wallet_verifier_free(v);
    }
    w.wallet_issuer_free(issuer);
    w.wallet_store_free(store);
    System.out.println("wallet JNA client (library " + w.wallet_version() + "): " + passed
        + " passed, " + failed + " failed");
    System.exit(failed == 0 ? 0 : 1);
  }
}
