# core/gen_sysnames.py — writes sysnames.c (syscall_name()) from the
# kernel's uapi header, so every x86-64 syscall has its real name.
import re, sys

def generate(header, out):
    names = {}
    for line in open(header):
        m = re.match(r'#define __NR_(\w+)\s+(\d+)', line)
        if m:
            names[int(m.group(2))] = m.group(1)
    with open(out, 'w') as f:
        f.write('/* generated from %s by core/gen_sysnames.py */\n' % header)
        f.write('#include "core/syscall.h"\n\n')
        f.write('static const char *const names[] = {\n')
        for nr in sorted(names):
            f.write('\t[%d] = "%s",\n' % (nr, names[nr]))
        f.write('};\n\n')
        f.write('const char *syscall_name(long nr)\n{\n')
        f.write('\tif (nr < 0 || nr >= (long)(sizeof(names) / sizeof(names[0])))\n')
        f.write('\t\treturn 0;\n\treturn names[nr];\n}\n')

if __name__ == '__main__':
    generate(sys.argv[1], sys.argv[2])
