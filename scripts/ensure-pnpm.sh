# Sourced by the other scripts: puts pnpm 10 on the PATH where it is missing.
# corepack cannot be used here (the registry carries no signatures), so npm installs pnpm itself.
if ! command -v pnpm >/dev/null 2>&1; then
  echo "pnpm not found: installing pnpm@10 with npm" >&2
  npm install -g pnpm@10 >&2
fi
