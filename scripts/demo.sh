#!/usr/bin/env bash
# scripts/demo.sh — a guided tour: installs what is missing, builds deja
# and the guest programs, records the bundled buggy program (it dies of
# SIGFPE), replays the recording from the trace alone, and shows
# `deja info` and the first events of `deja dump`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
scons -j2 build/deja guests

deja=$PWD/build/deja
guests=$PWD/build/debug/tests/guests
work=$(mktemp -d "${TMPDIR:-/tmp}/deja-demo-XXXXXX")
trace=$work/bug.deja
cp "$guests/bug.static" "$guests/bug-input.txt" "$work/"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "the input: nine numbers for an array of eight"
tr '\n' ' ' < "$work/bug-input.txt"; echo

step "deja record -o $trace -- ./bug.static bug-input.txt"
status=0
(cd "$work" && "$deja" record -o "$trace" -- ./bug.static bug-input.txt) || status=$?
echo "(exit status $status: 128 + SIGFPE is 136)"

step "the program and its input are gone; the trace is enough"
rm "$work/bug.static" "$work/bug-input.txt"
ls -l "$work"

step "deja replay $trace"
status=0
"$deja" replay "$trace" || status=$?
echo "(exit status $status, the same as when recorded)"

step "deja info"
"$deja" info "$trace"

step "deja dump (first 15 events)"
"$deja" dump "$trace" | head -n 15 || true

cat <<MSG

The bug: load_samples() in tests/guests/bug.c loops with i <= NSAMPLES,
so the ninth number lands in stats.divisor, right after samples[8].
Replay is exact, so a debugger on the replay can watch stats.divisor and
go backwards from the crash to that single write.
Trace kept in $work.
MSG
