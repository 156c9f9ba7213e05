#!/usr/bin/env python3
"""bench/run_timetravel.py — time-travel benchmarks behind `scons bench`.

Records bench/timetravel (about 10 000 trace events) and drives
`deja replay -g` with gdb in batch mode (gdb's Python API times each
command): reverse-continue from the end back to a breakpoint at the
start, one reverse-stepi (median of several, each from a fresh point),
and `monitor seek N` to events near the middle and the start.
No thresholds: it only reports.

usage: run_timetravel.py --deja PATH --workload PATH
"""
import argparse
import os
import subprocess
import sys
import tempfile

GDB_SCRIPT = r'''
import gdb, time, statistics
def timed(cmd):
    t = time.perf_counter()
    out = gdb.execute(cmd, to_string=True)
    return time.perf_counter() - t, out
gdb.execute("break marker")
fwd, _ = timed("continue")
gdb.execute("delete")
end, _ = timed("continue")          # to the end of the history
gdb.execute("break marker")
rc, out = timed("reverse-continue")  # back across the whole recording
assert gdb.selected_frame().name() == "marker"
gdb.execute("delete")
for i in range(300):
    gdb.execute("stepi", to_string=True)
rs = []
for i in range(20):
    t, _ = timed("reverse-stepi")
    rs.append(t)
seek_mid, _ = timed("monitor seek 5000")
seek_start, _ = timed("monitor seek 10")
seek_far, _ = timed("monitor seek 9000")
when = gdb.execute("monitor when", to_string=True).strip()
print("TT continue-to-marker %.3f" % fwd)
print("TT continue-to-end %.3f" % end)
print("TT reverse-continue %.3f" % rc)
print("TT reverse-stepi-first %.4f" % rs[0])
print("TT reverse-stepi-median %.4f" % statistics.median(rs[1:]))
print("TT seek-5000 %.3f" % seek_mid)
print("TT seek-10 %.3f" % seek_start)
print("TT seek-9000 %.3f" % seek_far)
print("TT when " + when)
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--deja', required=True)
    ap.add_argument('--workload', required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, 'tt.trace')
        script = os.path.join(tmp, 'tt.py')
        with open(script, 'w') as f:
            f.write(GDB_SCRIPT)
        subprocess.run([a.deja, 'record', '-o', trace, a.workload],
                       check=True, stdout=subprocess.DEVNULL)
        ev = subprocess.run([a.deja, 'info', trace], capture_output=True,
                            text=True).stdout
        events = next((l.split()[1] for l in ev.splitlines()
                       if l.startswith('events:')), '?')
        out = subprocess.run([a.deja, 'replay', '-q', '-g', trace, '--',
                              '-batch', '-nx', '-x', script],
                             capture_output=True, text=True, timeout=600)
        rows = [l[3:] for l in out.stdout.splitlines() if l.startswith('TT ')]
        if not rows:
            sys.stderr.write(out.stdout + out.stderr)
            return 1
        print('time travel over a recording of %s events (seconds):' % events)
        for r in rows:
            print('  ' + r)
    return 0


if __name__ == '__main__':
    sys.exit(main())
