# Sets up the two peer implementations, reusing what is already installed and complete:
#   interop/.venv         python3 venv with interop/python/requirements.txt (sd-jwt==0.10.4)
#   interop/node_modules  npm ci from interop/package-lock.json (@sd-jwt/* 0.19.0, sm-crypto 0.5.8)
# Sourced (from the repository root) by interop/run.sh and bench/compare/run.sh; defines
# $venv, $py and say().

venv="interop/.venv"
py="$venv/bin/python"

say() { printf '\n==> %s\n' "$*"; }

# ---------------------------------------------------------------- Python peer (venv)
say "Python peer: $venv (interop/python/requirements.txt)"
req="interop/python/requirements.txt"
req_sum="$(sha256sum "$req" | cut -d' ' -f1)"
stamp="$venv/.interop-requirements.sha256"
if [[ -x "$py" ]] && [[ -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$req_sum" ]] \
    && "$py" -c 'import sd_jwt.verifier, jwcrypto.jwk' 2>/dev/null; then
  echo "reusing existing venv"
else
  if [[ ! -x "$py" ]]; then
    echo "+ python3 -m venv $venv"
    python3 -m venv "$venv"
  fi
  echo "+ $venv/bin/pip install -r $req"
  "$py" -m pip install --disable-pip-version-check --quiet -r "$req"
  echo "$req_sum" > "$stamp"
fi
sd_jwt_version="$("$py" -c 'import importlib.metadata as m; print(m.version("sd-jwt"))')"
[[ "$sd_jwt_version" == "0.10.4" ]] || { echo "sd-jwt in $venv is $sd_jwt_version, not 0.10.4" >&2; exit 1; }
echo "sd-jwt $sd_jwt_version, jwcrypto $("$py" -c 'import importlib.metadata as m; print(m.version("jwcrypto"))')"

# ---------------------------------------------------------- TypeScript peer (npm)
say "TypeScript peer: interop/node_modules (interop/package-lock.json)"
lock_sum="$(sha256sum interop/package.json interop/package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
nm_stamp="interop/node_modules/.interop-lock.sha256"
if [[ -f "$nm_stamp" ]] && [[ "$(cat "$nm_stamp")" == "$lock_sum" ]] \
    && (cd interop && npm ls --all >/dev/null 2>&1); then
  echo "reusing existing node_modules"
else
  if [[ -f interop/package-lock.json ]]; then
    echo "+ (cd interop && npm ci)"
    (cd interop && npm ci --no-audit --no-fund)
  else
    echo "+ (cd interop && npm install)"
    (cd interop && npm install --no-audit --no-fund)
    lock_sum="$(sha256sum interop/package.json interop/package-lock.json | sha256sum | cut -d' ' -f1)"
  fi
  echo "$lock_sum" > "$nm_stamp"
fi
(cd interop && npm ls @sd-jwt/sd-jwt-vc @sd-jwt/crypto-nodejs @sd-jwt/jwt-status-list sm-crypto)
