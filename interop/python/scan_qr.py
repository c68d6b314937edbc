#!/usr/bin/env python3
"""Read our rendered show-certificate QR codes with an independent scanner (zxing-cpp).

Usage: scan_qr.py MANIFEST.json

The manifest is written by ``cargo run -p wallet-core --example qr_samples -- OUTDIR``::

    {"samples": [{"file": "x.png", "text": "CW1:...", "version": 20, "ecc": "M"}, ...]}

(``file`` relative to the manifest's directory). Every PNG is decoded with
``zxingcpp.read_barcodes`` restricted to QR codes, and must hold exactly one QR code whose
text equals ``text`` and whose version and error-correction level, as zxing-cpp reads them
from the symbol (``Barcode.extra["Version"]``, ``Barcode.ec_level``), equal ``version`` and
``ecc``. The symbology identifier must be ``]Q1`` (QR model 2, no ECI).

Output: one line per file (``ok <file> (version V-E)`` or ``FAIL <file>: reason``), then exactly
``N passed, M failed``. Exit status 1 if any sample failed or the manifest lists none.
"""

import json
import sys
from pathlib import Path

import zxingcpp
from PIL import Image


def check(path: Path, sample: dict) -> str | None:
    """Returns None if the sample reads back as expected, else the reason it does not."""
    with Image.open(path) as img:
        img.load()
        codes = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    if len(codes) != 1:
        return f"expected 1 QR code, zxing-cpp found {len(codes)}"
    code = codes[0]
    if code.text != sample["text"]:
        return f"text differs: got {len(code.text)} chars starting {code.text[:24]!r}"
    extra = code.extra if isinstance(code.extra, dict) else {}
    version = extra.get("Version")
    if str(version) != str(sample["version"]):
        return f"version {version!r}, expected {sample['version']}"
    if code.ec_level != sample["ecc"]:
        return f"ECC level {code.ec_level!r}, expected {sample['ecc']!r}"
    if code.symbology_identifier != "]Q1":
        return f"symbology identifier {code.symbology_identifier!r}, expected ']Q1'"
    return None


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    manifest_path = Path(sys.argv[1])
    samples = json.loads(manifest_path.read_text(encoding="utf-8")).get("samples", [])
    passed = failed = 0
    for sample in samples:
        name = sample.get("file", "?")
        try:
            reason = check(manifest_path.parent / name, sample)
        except Exception as e:  # a missing or unreadable file is a failure, not a crash
            reason = f"{type(e).__name__}: {e}"
        if reason is None:
            passed += 1
            print(f"ok {name} (version {sample['version']}-{sample['ecc']})")
        else:
            failed += 1
            print(f"FAIL {name}: {reason}")
    print(f"{passed} passed, {failed} failed")
    if not samples:
        print("no samples in the manifest", file=sys.stderr)
    return 1 if failed or not samples else 0


if __name__ == "__main__":
    sys.exit(main())
