#!/usr/bin/env bash
# Type-checks the JavaScript that runs inside pseries (scripts/*.js, test-scripts/**/*.js)
# against script-api/pseries.d.ts with the TypeScript compiler pinned in package.json.
#   tools/typecheck.sh            installs TypeScript (npm ci) on first use, then checks
# Needs Node.js and npm on PATH. Exits 0 when clean, 1 on type errors, 2 when it cannot run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v npm >/dev/null 2>&1 || { echo "typecheck: Node.js and npm are needed on PATH (apt-get install nodejs npm)" >&2; exit 2; }

if [ ! -x node_modules/.bin/tsc ]; then
  echo "typecheck: installing TypeScript from package-lock.json (npm ci)"
  if ! npm ci --no-audit --no-fund --loglevel=error >/dev/null; then
    echo "typecheck: npm ci failed (output above)" >&2
    exit 2
  fi
fi

echo "typecheck: $(npx --no-install tsc --version) on script-api/pseries.d.ts, scripts/*.js, test-scripts/**/*.js"
if npx --no-install tsc --noEmit -p tsconfig.json --pretty false; then
  echo "typecheck: no type errors"
else
  echo "typecheck: FAILED: type errors above (fix the script, or pseries.d.ts if it does not describe the API as it behaves)" >&2
  exit 1
fi
