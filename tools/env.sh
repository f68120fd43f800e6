# Sourced by ./tandem, ./gate and .ci/run: makes the pinned Deno runtime and
# the project's dependency cache available, installing them once if missing.
#
# Everything lives inside the checkout, so a filled checkout works without a
# network (air-gapped sites): the runtime in tools/deno/node_modules (from
# npm, pinned by tools/deno/package-lock.json) and the npm libraries in
# .cache/deno (pinned with integrity hashes by deno.lock).

TANDEM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DENO_DIR="${DENO_DIR:-$TANDEM_ROOT/.cache/deno}"
export DENO_NO_UPDATE_CHECK=1
export DENO_NO_PROMPT=1
unset RUST_BACKTRACE
DENO="$TANDEM_ROOT/tools/deno/node_modules/.bin/deno"
export PATH="$TANDEM_ROOT/tools/deno/node_modules/.bin:$PATH"

tandem_bootstrap() {
  if [ ! -x "$DENO" ] || ! "$DENO" --version >/dev/null 2>&1; then
    echo "tandem: installing the pinned Deno runtime (npm ci in tools/deno)" >&2
    npm ci --prefix "$TANDEM_ROOT/tools/deno" --no-audit --no-fund >&2 || return 1
  fi
  local stamp="$DENO_DIR/.tandem-lock"
  if ! cmp -s "$TANDEM_ROOT/deno.lock" "$stamp" 2>/dev/null; then
    echo "tandem: filling the dependency cache from deno.lock" >&2
    (cd "$TANDEM_ROOT" && "$DENO" install --frozen --quiet) || return 1
    mkdir -p "$DENO_DIR" && cp "$TANDEM_ROOT/deno.lock" "$stamp"
  fi
}
