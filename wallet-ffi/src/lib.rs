//! wallet-ffi: the C ABI through which iOS and Android apps embed the wallet. It exports no
//! functions yet; the holder, verifier and issuer APIs are added on top of wallet-core.
