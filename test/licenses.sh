#!/usr/bin/env bash
# Checks the licence of every module the code and its tests link: each
# must carry a licence file whose text is one of those allowed beside this
# project's Apache-2.0. Prints one line a module; exits 1 on any other.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed='Apache-2.0 MIT BSD-2-Clause BSD-3-Clause ISC MPL-2.0'

classify() { # licence file -> SPDX id, or "unknown"
  local f=$1
  if grep -q 'Apache License' "$f" && grep -q 'Version 2.0' "$f"; then echo Apache-2.0
  elif grep -q 'Mozilla Public License' "$f" && grep -q 'Version 2.0\|version 2.0' "$f"; then echo MPL-2.0
  elif grep -qi 'Permission is hereby granted, free of charge' "$f"; then echo MIT
  elif grep -qi 'Permission to use, copy, modify, and/or distribute this software' "$f"; then echo ISC
  elif grep -qi 'Redistribution and use in source and binary forms' "$f"; then
    if grep -qi 'Neither the name\|names of its contributors\|name of the copyright holder' "$f"; then echo BSD-3-Clause; else echo BSD-2-Clause; fi
  else echo unknown
  fi
}

bad=0
mods=$(go list -deps -test -f '{{with .Module}}{{if not .Main}}{{.Path}}{{end}}{{end}}' ./... | sort -u)
for m in $mods; do
  dir=$(go list -m -f '{{.Dir}}' "$m")
  f=$(find "$dir" -maxdepth 1 -type f \( -iname 'LICENSE*' -o -iname 'LICENCE*' -o -iname 'COPYING*' \) | sort | head -1)
  if [ -z "$f" ]; then id=missing; else id=$(classify "$f"); fi
  case " $allowed " in
    *" $id "*) printf '%-14s %s\n' "$id" "$m" ;;
    *) printf '%-14s %s  <- not allowed\n' "$id" "$m"; bad=1 ;;
  esac
done
exit $bad
