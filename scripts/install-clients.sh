#!/usr/bin/env bash
# Installs the pinned real clients (npm, pnpm, yarn berry + classic, bun, Verdaccio, and the oidc-provider the
# single sign-on tests run) from the npm registry into DIR, isolated from the machine's own npm configuration.
# Usage: install-clients.sh DIR SPEC...
set -euo pipefail
dir=$1; shift
stamp="$dir/.installed"
want="$*"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "clients already installed in $dir"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
cfg=$(mktemp -d)
printf 'registry=https://registry.npmjs.org/\naudit=false\nfund=false\nupdate-notifier=false\n' > "$cfg/npmrc"
: > "$cfg/global"
# verdaccio-audit asks for node-fetch by the dist-tag "cjs", which a registry serving only "latest" lacks: pin
# what that tag names (the 2.x line).
printf '{"name":"airlock-test-clients","private":true,"overrides":{"verdaccio-audit":{"node-fetch":"2.7.0"}}}\n' > "$dir/package.json"
# The machine's npm installs the clients; bun's package carries its binary in an optional dependency.
NPM_CONFIG_USERCONFIG="$cfg/npmrc" NPM_CONFIG_GLOBALCONFIG="$cfg/global" \
  npm install --prefix "$dir" --no-save --cache "$cfg/cache" --loglevel=warn "$@"
rm -rf "$cfg"
echo "$want" > "$stamp"
ls "$dir/node_modules/.bin"
