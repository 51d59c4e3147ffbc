#!/usr/bin/env bash
# Installs the packages the way a user gets them and uses them: `pnpm pack` each one (as `pnpm
# publish` would), `npm install` the tarballs into a plain project outside the workspace, then
# import every export from ESM and CJS and run `npx strands-broker --help`; and `npm publish` must be
# refused. Needs `pnpm build` first.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/tarballs" "$work/project"

fail() {
  echo "pack-check: $*" >&2
  exit 1
}

for dir in packages/*/; do
  [ -d "$dir/dist" ] || fail "$dir has no dist/: run pnpm build first"
  pnpm --dir "$dir" pack --pack-destination "$work/tarballs" >/dev/null
done
for tarball in "$work"/tarballs/*.tgz; do
  # `npm pack` leaves workspace: ranges in, and npm cannot install them: the reason for this check.
  if tar -xzOf "$tarball" package/package.json | grep -q '"workspace:'; then
    fail "$(basename "$tarball") still has a workspace: range in its package.json"
  fi
done

for dir in packages/*/; do
  # Each package's prepublishOnly must stop `npm publish` (a dry run: nothing leaves the machine).
  if (cd "$dir" && npm publish --dry-run >/dev/null 2>&1); then
    fail "npm publish --dry-run was not refused in $dir: it would publish workspace: ranges"
  fi
done

cd "$work/project"
echo '{ "name": "pack-check", "private": true, "type": "commonjs" }' >package.json
# Dependencies (zod, ws, pino, ...) come from the registry, ours from the tarballs only.
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz
cp "$root/scripts/pack-check-entries.mjs" .
node pack-check-entries.mjs
# --no: never fetch a package of that name from the registry; --: the flags are the bin's, not npx's.
help="$(npx --no -- strands-broker --help)" || fail "npx strands-broker --help failed"
grep -q -- '--ws-port' <<<"$help" || fail "npx strands-broker --help does not list --ws-port: $help"
echo "pack-check: $(ls "$work/tarballs" | wc -l) packages install from their tarballs; every entry loads from ESM and CJS; the bin runs"
