#!/usr/bin/env bash
# Issue #21: README's start and test commands must work for root from a clone inside a private (0700)
# directory, as in a Docker container's /root. Clones this checkout into a `mktemp -d` directory, runs
# README's install, starts the server until its ready banner (then stops it), and runs one PostgreSQL
# test file there. Run as root (CI does); as another user it checks the same path without the root part.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

PNPM="npx --yes pnpm@10.34.9"
work=$(mktemp -d) # mode 0700
clone="$work/enforcer"
server_pid=""
log="$work/start.log"

cleanup() {
  if [ -n "$server_pid" ] && kill -0 -- "-$server_pid" 2>/dev/null; then
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 -- "-$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
  # As root the cluster lives outside the clone (the data folder links to it); remove it too.
  if [ -L "$clone/server/.enforcer/pg" ]; then rm -rf "$(readlink -f "$clone/server/.enforcer/pg")"; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "+ private directory $work ($(stat -c '%a %U' "$work")), as $(id -un)"
git clone --quiet --no-hardlinks "$repo" "$clone"
# Test the working tree CI is running, not only its last commit.
if ! git -C "$repo" diff --quiet HEAD; then git -C "$repo" diff HEAD | git -C "$clone" apply; fi
cd "$clone"

$PNPM install --frozen-lockfile

# README's start command (after the install): wait for the ready banner, then stop with SIGTERM.
port=$(( 20000 + RANDOM % 20000 ))
PORT=$port setsid $PNPM start >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  if grep -q 'Enforcer is running' "$log"; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  sleep 0.2
done
if ! grep -q 'Enforcer is running' "$log"; then
  echo "the server did not print its ready banner:" >&2
  tail -n 60 "$log" >&2
  exit 1
fi
echo "+ ready banner seen on port $port"
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
kill -TERM -- "-$server_pid" # the process group (setsid): npx, pnpm, the node wrapper, the server
for _ in $(seq 1 150); do kill -0 -- "-$server_pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 -- "-$server_pid" 2>/dev/null; then
  echo "the server did not stop on SIGTERM" >&2
  exit 1
fi
server_pid=""
grep -q '"msg":"stopped"' "$log" || { echo "the server did not shut down cleanly:" >&2; tail -n 30 "$log" >&2; exit 1; }
echo "+ server stopped cleanly"

# One PostgreSQL test file through README's test runner.
$PNPM exec vitest run test/support/postgres.test.ts
echo "+ private directory check passed"
