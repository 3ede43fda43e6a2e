#!/usr/bin/env bash
# The link direction between the layers' libraries (ctest `link_layers`): given the archives from
# the lowest layer to the highest, fails when an object of one layer needs a symbol that only a
# higher layer defines. A static library pulls only the objects a program asks for, so linking a
# layer's tests alone does not see every call upward; the symbol tables do.
# Usage: check-link-layers.sh lib-lowest.a … lib-highest.a
set -euo pipefail
(($# >= 2)) || { echo "usage: $0 lowest.a … highest.a" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# defined/undefined external symbols of each archive, mangled (one word per line)
for ((i = 1; i <= $#; ++i)); do
  nm -g --defined-only "${!i}" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$work/defined.$i"
  nm -g --undefined-only "${!i}" 2>/dev/null | awk '{ print $NF }' | sort -u > "$work/undefined.$i"
done

failed=0
: > "$work/below"
for ((i = 1; i <= $#; ++i)); do
  sort -u "$work/below" "$work/defined.$i" -o "$work/below"
  : > "$work/above"
  for ((j = i + 1; j <= $#; ++j)); do cat "$work/defined.$j" >> "$work/above"; done
  sort -u "$work/above" -o "$work/above"
  # needed here, defined above, and not defined here or below
  comm -12 "$work/undefined.$i" "$work/above" | comm -23 - "$work/below" > "$work/upward"
  if [[ -s $work/upward ]]; then
    failed=1
    echo "link layers: $(basename "${!i}") needs what only a higher layer defines:" >&2
    c++filt < "$work/upward" | sed 's/^/  /' | head -20 >&2
  fi
done
((failed)) && exit 1
echo "link layers: no library needs a higher one ($# libraries)"
