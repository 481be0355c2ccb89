#!/usr/bin/env python3
"""bench/balloon's driver, run in the sandbox by bench/balloon --inside.
For each KIND:REPORTING in $KINDS it boots the balloon guest
(bench/mkinitramfs-balloon, $MEM MiB, 1 vCPU) under vireo-vmm or QEMU
with a virtio balloon (free page reporting on or off), and records the
VMM's RSS (and the part of it that is guest RAM) after boot, after the
guest writes $FILL MiB into a tmpfs file, after it removes the file
(polled every second for up to 60 s), and after QMP `balloon` takes
$INFLATE MiB; with the guest's own view of its memory at each step.
For each ORDER in $ORDERS (default: none) it writes ORDER into the
guest's page_reporting_order once the balloon driver has probed, and
repeats the runs.  LINGER=SECS measures once more that long after the
removal settled (khugepaged may refill what 4 KiB reports gave back).
Prints Markdown tables."""
import os
import re
import subprocess
import sys
import time

import console_guest
from console_guest import qmp_guest

MiB = 1 << 20
env = os.environ
T = env["T"]
MEM, FILL, INFLATE = (int(env.get(k, d)) for k, d in
                      (("MEM", "1024"), ("FILL", "512"), ("INFLATE", "256")))
CMD = ("console=ttyS0 quiet panic=-1 " + env.get("APPEND", "")).strip()
ORDERS = env.get("ORDERS", "").split() or [None]
LINGER = int(env.get("LINGER", "0"))


def vmm_argv(kind, reporting, sock):
    if kind == "vireo":
        bal = ["free-page-reporting=on"] if reporting == "on" else []
        return [env["VMM"], "--kernel", env["KERNEL"], "--initrd", env["INITRD"],
                "--memory", "%dM" % MEM, "--cmdline", CMD, "--monitor", sock,
                "--stats", "--balloon"] + bal
    return ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", str(MEM),
            "-M", "pc", "-nodefaults", "-no-user-config", "-display", "none",
            "-serial", "stdio", "-no-reboot",
            "-device", "virtio-balloon-pci,free-page-reporting=%s" % reporting,
            "-qmp", "unix:%s,server=on,wait=off" % sock,
            "-kernel", env["KERNEL"], "-initrd", env["INITRD"], "-append", CMD]


def rss(pid):
    """(VMM RSS, the part of it in guest RAM, the part of that in host
    huge pages), KiB.  Guest RAM: the mappings of at least half of it
    (one anonymous mapping in both VMMs; QEMU's heap arenas are 64 MiB)."""
    total = ram = thp = 0
    size = 0
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            m = re.match(r"(Size|Rss|AnonHugePages):\s+(\d+) kB", line)
            if not m:
                continue
            if m.group(1) == "Size":
                size = int(m.group(2))
                continue
            big = size >= MEM * 1024 // 2
            if m.group(1) == "AnonHugePages":
                thp += int(m.group(2)) if big else 0
                continue
            total += int(m.group(2))
            ram += int(m.group(2)) if big else 0
    return total, ram, thp


def host_free():
    """L1's MemFree, KiB: the sandbox runs nothing else, so what it loses
    while a VMM runs is what that VMM really holds (RSS counts a huge
    page partly zapped by a 4 KiB discard as gone; the kernel frees it
    only when it splits it)."""
    with open("/proc/meminfo") as f:
        return int(re.search(r"(?m)^MemFree:\s+(\d+)", f.read()).group(1))


class Guest(console_guest.Guest):
    """The VMM (argv, monitor on sock), its console in the file log."""
    def __init__(self, argv, log, sock):
        super().__init__(argv, log, sock, "VIREO-BAL")

    def mem(self):
        """MemTotal, MemFree, MemAvailable, free in blocks >= 2 MiB,
        free in smaller blocks (KiB), then the free blocks of each
        order 0-10."""
        return [int(x) for x in self.ask("mem").split()]


def settle(pid, secs, step=1.0):
    """Polls RSS every STEP s for up to SECS s, until it has moved less
    than 1 MiB over the last 5 polls.  Returns (total, ram, seconds until
    the total first came within 2 MiB of where it ended, ram in huge
    pages)."""
    t0, seen = time.time(), []
    while time.time() < t0 + secs:
        seen.append((time.time() - t0,) + rss(pid))
        last = [s[1] for s in seen[-5:]]
        if len(seen) >= 5 and max(last) - min(last) < 1024:
            break
        time.sleep(step)
    end = seen[-1]
    when = next(s[0] for s in seen if abs(s[1] - end[1]) <= 2048)
    return end[1], end[2], when, end[3]


def step(g, r, name, secs):
    r[name] = settle(g.p.pid, secs)
    r[name + " guest"] = g.mem()
    r[name + " host"] = r["host0"] - host_free()
    print("bench/balloon: %s: rss %s guest %s host %d" % (name, r[name], r[name + " guest"],
                                                        r[name + " host"]),
          file=sys.stderr, flush=True)


def run(kind, reporting, order):
    sock = "%s/qmp-%s-%s-%s.sock" % (T, kind, reporting, order)
    log = "%s/out-%s-%s-%s" % (T, kind, reporting, order)
    r = {"host0": host_free()}
    g = Guest(vmm_argv(kind, reporting, sock), log, sock)
    c = qmp_guest.Client()
    c.cmd("qmp_capabilities")
    r["dmesg"] = g.expect("ready", 400)
    print("bench/balloon: %s" % r["dmesg"], file=sys.stderr)
    # The driver has probed (its module was loaded before "ready").
    r["order boot"] = g.ask("order")
    r["order"] = g.ask("order %s" % order) if order else r["order boot"]
    step(g, r, "boot", 30)
    print("bench/balloon: %s" % g.ask("fill %d" % FILL, 600), file=sys.stderr)
    step(g, r, "filled", 30)
    g.ask("free")
    t0 = time.time()
    step(g, r, "freed", 60)
    r["freed s"] = time.time() - t0
    if LINGER:
        time.sleep(LINGER)
        step(g, r, "later", 30)
    t0 = time.time()
    c.cmd("balloon", value=(MEM - INFLATE) * MiB)
    while time.time() < t0 + 180:
        a = c.cmd("query-balloon").get("return", {}).get("actual", 0)
        if abs(a - (MEM - INFLATE) * MiB) <= 4 * MiB:
            break
        time.sleep(1)
    r["inflate s"] = time.time() - t0
    r["balloon kib"] = (MEM * MiB - a) // 1024
    step(g, r, "inflated", 30)
    qmp_guest.type_line("quit")
    try:
        g.p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        g.p.kill()
    with open(log, errors="replace") as f:
        m = re.search(r"stats: balloon (.*)", f.read())
    r["counters"] = dict(kv.split("=") for kv in m.group(1).split()) if m else {}
    return r


def mib(kib):
    return "%.0f" % (kib / 1024)


def order_of(r):
    """The reporting order the guest ran with (9, pageblock order, if
    it does not say)."""
    return int(r["order"]) if r["order"].isdigit() else 9


def reportable(r, name):
    """KiB the guest had free in blocks its reporting order covers."""
    counts = r[name + " guest"][5:]
    return sum(n * 4 << o for o, n in enumerate(counts) if o >= order_of(r))


def balloon_kib(r, name):
    return r["balloon kib"] if name == "inflated" else 0


def used(r, name):
    """What the guest uses, KiB: RAM - balloon - MemFree (its kernel's
    own reserved memory included)."""
    return MEM * 1024 - balloon_kib(r, name) - r[name + " guest"][1]


def floor(r, name):
    """KiB of guest RAM that free page reporting and the balloon cannot
    give back: all of RAM but the balloon and the free blocks of at
    least the reporting order."""
    return MEM * 1024 - balloon_kib(r, name) - reportable(r, name)


def table(res):
    cols = list(res)
    print("| | " + " | ".join(", ".join(k) for k in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")

    def row(label, f):
        print("| %s | %s |" % (label, " | ".join(f(res[k]) for k in cols)))

    row("guest's page_reporting_order after the probe / as run",
        lambda r: "%s / %s" % (r["order boot"], r["order"]))
    steps = [("boot", "after boot (idle guest)"),
             ("filled", "guest wrote %d MiB to tmpfs" % FILL),
             ("freed", "file removed")]
    if LINGER:
        steps.append(("later", "%d s later" % LINGER))
    for name, what in steps + [("inflated", "balloon inflated by %d MiB" % INFLATE)]:
        row("VMM RSS, %s: total / guest RAM / rest, MiB" % what,
            lambda r: "%s / %s / %s" % (mib(r[name][0]), mib(r[name][1]),
                                        mib(r[name][0] - r[name][1])))
        row("guest RAM in host huge pages (AnonHugePages), MiB",
            lambda r: mib(r[name][3]))
        row("L1's MemFree fallen since the VMM started, MiB",
            lambda r: mib(r[name + " host"]))
        row("guest: MemTotal - MemFree / RAM - balloon - MemFree / MemAvailable, MiB",
            lambda r: "%s / %s / %s" % (mib(r[name + " guest"][0] - r[name + " guest"][1]),
                                        mib(used(r, name)), mib(r[name + " guest"][2])))
        row("guest: free in >= 2 MiB blocks / in blocks of the reporting order, MiB",
            lambda r: "%s / %s" % (mib(r[name + " guest"][3]), mib(reportable(r, name))))
    row("guest: free blocks of order 0 1 2 ... 10 after the removal",
        lambda r: " ".join(str(n) for n in r["freed guest"][5:]))
    row("RSS settled after removal / inflate, s",
        lambda r: "%.0f / %.0f" % (r["freed"][2], r["inflate s"] + r["inflated"][2]))
    for name in ("freed", "later", "inflated"):
        if name == "later" and not LINGER:
            continue
        row("%s: RSS / (MemTotal - MemFree)" % name,
            lambda r: "%.2f" % (r[name][0] / (r[name + " guest"][0] - r[name + " guest"][1])))
        row("%s: RSS / (RAM - balloon - MemFree)" % name,
            lambda r: "%.2f" % (r[name][0] / used(r, name)))
        row("%s: guest RAM RSS / (RAM - balloon - free in reported blocks)" % name,
            lambda r: "%.2f" % (r[name][1] / floor(r, name)))
    row("vireo-vmm --stats: reports / ranges / MiB reported / madvise calls, whole run",
        lambda r: "%s / %s / %s / %s" % (
            r["counters"]["reports"], r["counters"]["report-ranges"],
            mib(int(r["counters"]["reported-kib"])), r["counters"]["discards"])
        if r["counters"] else "-")


def main():
    res = {}
    for order in ORDERS:
        runs = console_guest.run_kinds("bench/balloon", "reporting",
                                       lambda kind, rep: run(kind, rep, order))
        for (kind, rep), r in runs.items():
            res[(kind, "reporting " + rep) + (("order " + order,) if order else ())] = r
    if res:
        table(res)


main()
