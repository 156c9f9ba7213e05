#!/usr/bin/env bash
# scripts/demo.sh — a guided tour: installs what is missing, builds deja
# and the guest programs, records the bundled buggy program (it dies of
# SIGFPE), replays the recording from the trace alone, shows `deja info`
# and the first events of `deja dump`, then debugs the replay in gdb
# backwards from the crash to the bad write.
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

step "deja replay -g: gdb on the replay, going backwards from the crash"
cat > "$work/backwards.gdb" <<'GDB'
echo \n(gdb) continue   -- run to the crash\n
continue
echo \n(gdb) print stats.divisor   -- the average divides by zero\n
print stats.divisor
echo \n(gdb) watch stats.divisor ; reverse-continue   -- who wrote it?\n
watch stats.divisor
reverse-continue
echo \n(gdb) bt ; print i   -- load_samples wrote samples[8], one past the end\n
bt
print i
print &stats.samples[i] == &stats.divisor
echo \n(gdb) reverse-step ; reverse-next ; monitor when\n
reverse-step
reverse-next
monitor when
GDB
(cd "$work" && "$deja" replay -q -g "$trace" -- -batch -nx -x backwards.gdb) 2>&1 |
	grep -v "^warning: remote target does not support file transfer"

cat <<MSG

The bug: load_samples() in tests/guests/bug.c loops with i <= NSAMPLES,
so the ninth number lands in stats.divisor, right after samples[8].
gdb found it by going backwards on the replay: a watchpoint on
stats.divisor and reverse-continue stopped at that single write, with
i == 8. Try it yourself: $deja replay -g $trace
Trace kept in $work.
MSG
