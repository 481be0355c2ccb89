"""A benchmark guest (bench/net_run.py, bench/balloon_run.py): the VMM
started from argv with its console on a pipe (typed lines) and its
output in a log file, a QMP monitor on sock; the guest's /init answers
each console command with a line "TAG CMD ...".  tests/nested/qmp_guest's
helpers (type_line, Client, fail) work on it."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "nested"))
import qmp_guest  # noqa: E402


class Guest:
    def __init__(self, argv, log, sock, tag):
        out = open(log, "wb")
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out,
                                  stderr=out)
        qmp_guest.p, qmp_guest.sock, qmp_guest.log = self.p, sock, log
        self.tag, self.seen = tag, 0

    def expect(self, word, secs):
        """Waits for the next line "TAG WORD ..." (after the last one
        seen) and returns the rest of it."""
        end = time.time() + secs
        while time.time() < end:
            lines = qmp_guest.guest_out().splitlines()
            for i in range(self.seen, len(lines)):
                m = re.match(r"%s %s ?(.*)" % (self.tag, word), lines[i].strip("\r"))
                if m:
                    self.seen = i + 1
                    return m.group(1)
            if self.p.poll() is not None:
                break
            time.sleep(0.2)
        qmp_guest.fail("the guest did not answer %s (status %r)" % (word, self.p.poll()))

    def ask(self, cmd, secs=60):
        """Types CMD (a word and its arguments) and returns the answer."""
        qmp_guest.type_line(cmd)
        return self.expect(cmd.split()[0], secs)


def run_kinds(bench, what, run):
    """Calls run(kind, value) for each KIND:VALUE in $KINDS (default all
    four of vireo/qemu and off/on), in order; a run that failed
    (qmp_guest.fail() said why and killed the VMM) is left out with one
    line.  Returns {(kind, value): what run returned}; a KIND:VALUE given
    again is another round, kept as (kind, "VALUE, round N")."""
    res = {}
    for spec in os.environ.get("KINDS", "vireo:off qemu:off vireo:on qemu:on").split():
        kind, value = spec.split(":")
        key, n = (kind, value), 1
        while key in res:
            n += 1
            key = (kind, "%s, round %d" % (value, n))
        print("%s: %s %s=%s" % (bench, kind, what, value), file=sys.stderr, flush=True)
        try:
            res[key] = run(kind, value)
        except SystemExit:
            print("%s: %s %s=%s left out" % (bench, kind, what, value), file=sys.stderr)
    return res
