#!/bin/sh
# Copies the source tree as it is (tracked and untracked files, not ignored
# ones such as build directories) to DEST, for the package builds.
#
#   packaging/copy-tree.sh DEST
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: copy-tree.sh DEST}
mkdir -p "$dest"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Files deleted from the work tree but still in the index are skipped.
    # shellcheck disable=SC2016 # $f is for the inner sh
    git -C "$src" ls-files -z --cached --others --exclude-standard |
        (cd "$src" && xargs -0 sh -c 'for f; do [ ! -e "$f" ] || printf "%s\n" "$f"; done' sh) |
        tar -C "$src" -cf - -T - | tar -C "$dest" -xf -
else
    tar -C "$src" --exclude=.git --exclude='./build*' --exclude=__pycache__ -cf - . |
        tar -C "$dest" -xf -
fi
