#!/usr/bin/env python3
"""bench/run_bench.py — the benchmark driver behind `scons bench`.

Workloads: the static guests syscalls, compute and mixed, and two real
programs of the host: `gcc hello.c` (gcc, cc1, as, collect2, ld: dynamic,
several processes) and `python3 -c pass`.

For each workload: median wall time of N runs natively, under
`deja record -o`, and under `deja replay -q`; the number of intercepted
syscalls (from `deja dump`), the cost per intercepted syscall under
record, the raw cost of one ptrace stop measured now by
`deja doctor --json`, and compressed event bytes per event (the blob store,
e.g. the program's own bytes, left out). Inputs are made once,
before and outside the measured runs. No thresholds: it only reports.

usage: run_bench.py --deja PATH --workloads DIR [-n RUNS] [--keep]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RECORD_BYTES = 64
RECORDS = 100_000
MIXED_BYTES = 50 * 1000 * 1000


def make_inputs(tmp):
    """Input files, made once: deterministic pseudo-random bytes."""
    recs = os.path.join(tmp, 'records.bin')
    big = os.path.join(tmp, 'mixed-50MB.bin')
    block = bytes((i * 131 + (i >> 8)) & 0xff for i in range(1 << 16))
    with open(recs, 'wb') as f:
        f.write((block * (RECORDS * RECORD_BYTES // len(block) + 1))[:RECORDS * RECORD_BYTES])
    with open(big, 'wb') as f:
        left = MIXED_BYTES
        while left > 0:
            f.write(block[:min(left, len(block))])
            left -= len(block)
    hello = os.path.join(tmp, 'hello.c')
    with open(hello, 'w') as f:
        f.write('#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')
    return recs, big, hello


def timed(cmd, check_status=0):
    """Wall seconds of one run; stdout discarded, stderr kept for errors."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode != check_status:
        sys.stderr.write('bench: %s exited %d\n%s' % (' '.join(cmd), p.returncode,
                                                      p.stderr.decode(errors='replace')[-2000:]))
        return None
    return dt


def median_of(runs, make_cmd):
    times = []
    for i in range(runs):
        t = timed(make_cmd(i))
        if t is None:
            return None
        times.append(t)
    return statistics.median(times)


def count_events(deja, trace):
    """(syscall events, all events) from `deja dump`: one line per event,
    each starting with '#N'. Prefers --json (a "type" field)."""
    p = subprocess.run([deja, 'dump', '--json', trace], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    sys_n = ev_n = 0
    if p.returncode == 0:
        for line in p.stdout.splitlines():
            line = line.strip().rstrip(b',')
            if not line.startswith(b'{'):
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            ev_n += 1
            t = str(ev.get('type', ev.get('kind', ''))).lower()
            if t in ('1', 'syscall', 'ev_syscall'):
                sys_n += 1
        if ev_n:
            return sys_n, ev_n
    p = subprocess.run([deja, 'dump', trace], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    for line in p.stdout.splitlines():
        if not line.startswith(b'#'):
            continue
        ev_n += 1
        if re.search(rb'syscall', line, re.I):
            sys_n += 1
    return sys_n, ev_n


def event_bytes(deja, trace):
    """Compressed bytes of the event stream (blobs, e.g. the program's own
    bytes, left out), from `deja info`."""
    p = subprocess.run([deja, 'info', trace], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    m = re.search(rb'event bytes:\s+(\d+) raw, (\d+) compressed', p.stdout)
    return int(m.group(2)) if m else None


# Below this many intercepted syscalls the per-syscall cost is lost in
# run-to-run noise and is not printed.
MIN_SYSCALLS_FOR_COST = 1000


def doctor(deja):
    p = subprocess.run([deja, 'doctor', '--json'], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {}


def fmt(v, spec):
    return format(v, spec) if v is not None else '-'


def ratio(a, b):
    return a / b if a is not None and b else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--deja', required=True)
    ap.add_argument('--workloads', required=True)
    ap.add_argument('-n', type=int, default=5)
    ap.add_argument('--keep', action='store_true')
    a = ap.parse_args()
    deja = os.path.abspath(a.deja)
    wdir = os.path.abspath(a.workloads)
    tmp = tempfile.mkdtemp(prefix='deja-bench-')
    try:
        recs, big, hello = make_inputs(tmp)
        workloads = [
            ('syscalls', [os.path.join(wdir, 'syscalls'), recs]),
            ('compute', [os.path.join(wdir, 'compute')]),
            ('mixed', [os.path.join(wdir, 'mixed'), big]),
        ]
        # real programs of the host (dynamic, many processes), if present
        if os.access('/usr/bin/gcc', os.X_OK):
            workloads.append(('gcc hello.c', ['/usr/bin/gcc', hello, '-o',
                                              os.path.join(tmp, 'hello')]))
        if os.access('/usr/bin/python3', os.X_OK):
            workloads.append(('python3 -c pass', ['/usr/bin/python3', '-c', 'pass']))
        doc = doctor(deja)
        stop_us = doc.get('ptrace_stop_us')
        print('deja %s, %d runs each (median), ptrace stop %s us, native syscall %s us'
              % (deja, a.n, fmt(stop_us, '.2f'), fmt(doc.get('native_syscall_us'), '.3f')))
        rows = []
        for name, cmd in workloads:
            traces = [os.path.join(tmp, '%s-%d.deja' % (name, i)) for i in range(a.n)]
            native = median_of(a.n, lambda i: cmd)
            rec = median_of(a.n, lambda i: [deja, 'record', '-o', traces[i], '--'] + cmd)
            rep = median_of(a.n, lambda i: [deja, 'replay', '-q', traces[i]]) \
                if rec is not None else None
            nsys = nev = size = None
            if rec is not None:
                nsys, nev = count_events(deja, traces[0])
                size = event_bytes(deja, traces[0])
            us_per = (rec - native) * 1e6 / nsys \
                if rec is not None and native and nsys and nsys >= MIN_SYSCALLS_FOR_COST else None
            rows.append((name, native, rec, rep, ratio(rec, native), ratio(rep, native),
                         nsys, us_per, stop_us, ratio(us_per, stop_us),
                         ratio(size, nev)))
            sys.stdout.flush()
        head = ('workload', 'native s', 'record s', 'replay s', 'rec/nat', 'rep/nat',
                'syscalls', 'us/syscall', 'ptrace us', 'us/stop', 'B/event')
        specs = ('', '.3f', '.3f', '.3f', '.2f', '.2f', 'd', '.2f', '.2f', '.2f', '.1f')
        table = [head] + [tuple(r[0] if i == 0 else fmt(r[i], specs[i])
                                for i in range(len(head))) for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        for j, row in enumerate(table):
            print('  '.join(c.ljust(w) if i == 0 else c.rjust(w)
                            for i, (c, w) in enumerate(zip(row, widths))))
            if j == 0:
                print('  '.join('-' * w for w in widths))
        print('us/syscall = (record - native) / intercepted syscalls (shown from %d syscalls); '
              'us/stop = us/syscall / ptrace stop cost; B/event = compressed event bytes '
              '(blobs excluded) / events' % MIN_SYSCALLS_FOR_COST)
    finally:
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print('kept', tmp)


if __name__ == '__main__':
    main()
