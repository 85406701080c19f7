#!/usr/bin/env bash
# README.md's examples, run as written: every "$ mpsim ..." line of a code block runs (with
# /tmp/ moved under WORK_DIR), its exit code must be the one readme_examples.txt states (or the
# "$ echo $?" line after it shows), and the first line README shows under it must be in its output
# (a line ending in "..." as a prefix). The quickstart table README shows must be `mpsim run`'s
# output byte for byte. A README command that readme_examples.txt does not list fails, and so does
# a listed one README lost: an edit of either that breaks an example fails here.
# Usage: readme_examples.sh MPSIM WORK_DIR
set -uo pipefail
mpsim=$1
work=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
list=$root/tests/cli/readme_examples.txt
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# README -> $work/examples: one record per command: command \t first output line \t echo'd exit.
python3 - "$root/README.md" >"$work/examples" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
inside, records = False, []
for line in lines:
    if line.startswith("```"):
        inside = not inside
        continue
    if not inside:
        continue
    if line.startswith("$ echo $?"):
        if records: records[-1][2] = "?"
    elif line.startswith("$ mpsim "):
        records.append([line[2:], "", ""])
    elif records and records[-1][2] == "?":
        records[-1][2] = line.strip()
    elif records and not records[-1][1] and line.strip() and not line.startswith("$"):
        records[-1][1] = line
for r in records:
    print("\t".join(r))
PY

listed() { grep -v '^#' "$list" | grep -v '^$' | cut -f2-; }
while IFS=$'\t' read -r command shown echoed; do
  entry=$(grep -v '^#' "$list" | awk -F'\t' -v c="$command" '$2 == c' | head -1)
  if [ -z "$entry" ]; then
    fail "README example not in tests/cli/readme_examples.txt (add it with its exit code): $command"
    continue
  fi
  want=$(cut -f1 <<<"$entry")
  if [ "$want" = skip ]; then
    echo "skipped ($(cut -f3 <<<"$entry")): $command"
    continue
  fi
  [ -n "$echoed" ] && [ "$echoed" != "$want" ] && fail "README shows exit $echoed, the list $want: $command"
  run=${command//\/tmp\//$work/}
  (cd "$root" && eval "\"$mpsim\" ${run#mpsim }") >"$work/out" 2>&1
  rc=$?
  [ $rc -eq "$want" ] || { fail "exit $rc, wanted $want: $command"; tail -5 "$work/out"; continue; }
  key=${shown//\/tmp\//$work/}
  if [ -n "$key" ]; then
    if [ "${key%...}" != "$key" ]; then
      grep -qF -- "${key%...}" "$work/out" || { fail "output lacks \"$key\": $command"; head -5 "$work/out"; continue; }
    else
      grep -qxF -- "$key" "$work/out" || { fail "output lacks the line \"$key\": $command"; head -5 "$work/out"; continue; }
    fi
  fi
  echo "ok (exit $rc): $command"
done <"$work/examples"

# Every listed command is still in README.
while IFS= read -r command; do
  cut -f1 "$work/examples" | grep -qxF -- "$command" || fail "listed in readme_examples.txt, no longer in README: $command"
done < <(listed | cut -f1)

# The quickstart table, byte for byte.
python3 - "$root/README.md" >"$work/quickstart.readme" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
start = text.index("```\nexperiment quickstart:") + 4
print(text[start:text.index("```", start)], end="")
PY
(cd "$root" && "$mpsim" run) >"$work/quickstart.out" 2>/dev/null || fail "mpsim run (quickstart): exit $?"
if diff "$work/quickstart.readme" "$work/quickstart.out" >"$work/quickstart.diff"; then
  echo "ok: README's quickstart table is mpsim run's output"
else
  fail "README's quickstart table differs from mpsim run's output:"; cat "$work/quickstart.diff"
fi

echo "$failures failure(s)"
[ $failures -eq 0 ]
