#!/usr/bin/env bash
# Issue #20: the published packages as a customer meets them. Packs every published package
# (`pnpm pack`, so publishConfig applies), installs the tarballs with npm into scratch projects OUTSIDE
# the workspace, and in each: loads every entry point its manifest exports, verifies a token offline
# with a key made here, runs the mock, and type-checks with `tsc` (module node16, and bundler).
#   cjs       "type": "commonjs": @enforcer/contract and @enforcer/node-verifier through require()
#   esm       "type": "module": every package, msw 3 (the mock refuses at once where msw 3 cannot run)
#   esm-msw2  "type": "module": every package, msw 2 (the mock on Node.js 20)
# Each runs on the repo's Node.js and on the oldest Node.js README names (the `node` npm package).
# Catches a broken exports map, a file missing from `files`, a `source` condition in what is
# published, a missing `engines`, and a runtime or type error from a customer's side.
# Needs `pnpm build` first. Usage: test/packaging/check.sh (KEEP=1 keeps the scratch directory).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
fixtures="$root/test/packaging/fixtures"
oldest_node="${OLDEST_NODE:-20.19.0}" # README's and every package's engines.node floor
node="$root/node_modules/.bin/node" # the repo's own Node.js (the `node` devDependency)
packages=(contract server/core sdk-js sdk-react sdk-node-verifier)
started=$SECONDS
# pnpm itself: the one running this script (CI runs it through npx), else the one on PATH.
if [ -n "${npm_execpath:-}" ] && [[ "$npm_execpath" == *pnpm* ]]; then pnpm=(node "$npm_execpath"); else pnpm=(pnpm); fi
# Run from a pnpm script, the environment carries pnpm's npm_config_* settings, which npm warns about:
# npm below is the customer's, with its own configuration.
while read -r name; do unset "$name"; done < <(env | sed -n 's/^\(npm_config_[A-Za-z0-9_]*\)=.*/\1/p')

work=$(mktemp -d "${TMPDIR:-/tmp}/enforcer-packaging.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "scratch directory: $work"; fi

step() { echo "packaging: $* ($((SECONDS - started))s)"; }

for package in "${packages[@]}"; do
  if [ ! -d "$root/$package/dist" ]; then
    echo "packaging: $package has no dist/; run pnpm build first" >&2
    exit 1
  fi
done

step "packing ${packages[*]}"
mkdir -p "$work/tarballs"
for package in "${packages[@]}"; do
  (cd "$root/$package" && "${pnpm[@]}" pack --pack-destination "$work/tarballs" >/dev/null) &
done
for job in $(jobs -p); do wait "$job"; done
tarball() { ls "$work/tarballs/enforcer-$1-"*.tgz; }

# Versions a customer's project would pin, read from the workspace's own manifests.
version_of() { node -p "require('$root/$1/package.json').$2['$3']"; }
jose_version=$(version_of sdk-node-verifier dependencies jose)
msw3_version=$(version_of sdk-js devDependencies msw)
msw2_version=2.15.0 # the lowest msw the mock supports (peerDependencies: ^2.15.0 || ^3.0.5)

# scaffold DIR TYPE PACKAGE... : a project of its own (npm, no workspace), the tarballs as file: deps.
scaffold() {
  local dir="$work/$1" type=$2
  shift 2
  mkdir -p "$dir"
  # The project's files in app/, the shared helpers beside app/ (so they resolve jose from the project).
  mkdir -p "$dir/app"
  cp "$fixtures/entry-points.mjs" "$fixtures/offline-verify.mjs" "$dir/"
  cp "$fixtures/$type/"* "$dir/app/"
  local deps="\"jose\": \"$jose_version\""
  for spec in "$@"; do
    case "$spec" in
      *@*) deps="$deps, \"${spec%@*}\": \"${spec##*@}\"" ;;
      *) deps="$deps, \"@enforcer/$spec\": \"file:$(tarball "$spec")\"" ;;
    esac
  done
  cat >"$dir/package.json" <<JSON
{ "name": "enforcer-packaging-$1", "private": true, "type": "$([ "$type" = cjs ] && echo commonjs || echo module)",
  "dependencies": { $deps } }
JSON
  local base="\"strict\": true, \"noEmit\": true, \"target\": \"ES2023\", \"lib\": [\"ES2023\", \"DOM\"], \"types\": [], \"jsx\": \"react-jsx\""
  echo "{ \"compilerOptions\": { $base, \"module\": \"node16\", \"moduleResolution\": \"node16\", \"skipLibCheck\": false }, \"files\": [\"app/typed.ts\"] }" >"$dir/tsconfig.node16.json"
  echo "{ \"compilerOptions\": { $base, \"module\": \"esnext\", \"moduleResolution\": \"bundler\", \"skipLibCheck\": true }, \"files\": [\"app/typed.ts\"] }" >"$dir/tsconfig.bundler.json"
}

# What a backend that type-checks against the middleware entries has (the verifier's optional peers).
backend=("fastify@$(version_of sdk-node-verifier devDependencies fastify)"
  "express@$(version_of sdk-node-verifier devDependencies express)"
  "@types/express@$(version_of sdk-node-verifier devDependencies @types/express)")
scaffold cjs cjs contract node-verifier "${backend[@]}"
scaffold esm esm contract core sdk-js react node-verifier "msw@$msw3_version" "${backend[@]}" \
  "@types/react@$(version_of sdk-react devDependencies @types/react)"
scaffold esm-msw2 esm contract core sdk-js react node-verifier "msw@$msw2_version"

step "installing the tarballs (npm, prefer-offline)"
for project in cjs esm esm-msw2; do
  (cd "$work/$project" && npm install --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null) &
done
for job in $(jobs -p); do wait "$job"; done

step "fetching Node.js $oldest_node (npm package node@$oldest_node)"
old_node_bin=$(npx --yes -p "node@$oldest_node" node -p 'process.execPath')
run_on() { # run_on NODE_BIN PROJECT ARGS...
  local bin=$1 project=$2
  shift 2
  (cd "$work/$project" && "$bin" "$@")
}

for bin in "$node" "$old_node_bin"; do
  step "Node.js $("$bin" --version): require, import, offline verification, the mock"
  run_on "$bin" cjs app/smoke.cjs
  run_on "$bin" esm app/smoke.mjs
  run_on "$bin" esm-msw2 app/smoke.mjs
done

step "source condition: the published exports must not resolve into ./src"
run_on "$node" esm --conditions=source app/smoke.mjs >/dev/null

# node16 with skipLibCheck off: every declaration file the tarballs ship is checked too (a .d.cts that
# imports an ESM-only package, a chunk missing from `files`); bundler with skipLibCheck on, for time.
tsc="$root/node_modules/.bin/tsc"
for config in node16 bundler; do
  step "tsc --noEmit, moduleResolution $config: cjs and esm projects"
  for project in cjs esm; do
    (cd "$work/$project" && "$tsc" -p "tsconfig.$config.json") &
  done
  for job in $(jobs -p); do wait "$job"; done
done

# The customer-style example project (docs/examples/customer-app): the tarballs and what a customer's
# React + Express project installs next to them, then its own tsc and tests, as a customer runs them.
step "customer app: npm install, tsc, vitest (docs/examples/customer-app)"
app="$work/customer-app"
cp -r "$root/docs/examples/customer-app" "$app"
rm -rf "$app/node_modules"
tarballs=""
for package in contract core sdk-js react node-verifier; do tarballs="$tarballs $package=$(tarball "$package")"; done
# Every @enforcer/* dependency becomes its tarball; @enforcer/core (what sdk-js depends on) is added.
"$node" -e '
  const fs = require("node:fs");
  const [file, ...pairs] = process.argv.slice(1);
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const pair of pairs) {
    const [name, path] = pair.split("=");
    manifest.dependencies[`@enforcer/${name}`] = `file:${path}`;
  }
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
' "$app/package.json" $tarballs
(cd "$app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null)
(cd "$app" && "$node" node_modules/typescript/bin/tsc -p tsconfig.json)
(cd "$app" && "$node" node_modules/vitest/vitest.mjs run)

step "all passed"
