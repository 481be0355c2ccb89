#!/usr/bin/env python3
"""bench/net's driver, run inside the sandbox's network namespace by
bench/net --inside (which sets up the TAP, the modules and the kvm_exit
histogram).  For each KIND:VHOST in $KINDS it boots the iperf guest
(bench/mkinitramfs-iperf) on the TAP, runs iperf3 against it, pings it,
and for the first run of each VMM measures the balloon; then prints a
Markdown table.  The guest answers console commands (irq, mem, fill,
drop, quit)."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "nested"))
import qmp_guest  # noqa: E402

MiB = 1 << 20
env = os.environ
T, RT, MEM = env["T"], int(env.get("RUNTIME", "5")), int(env.get("MEM", "512"))
GUEST = "10.0.2.15"
# (ip netns exec mounts its own /sys: bench/net mounts tracefs for us.)
HIST = env.get("HIST", "/sys/kernel/tracing/events/kvm/kvm_exit") + "/hist"
CMD = "console=ttyS0 quiet panic=-1"
# name, iperf3 options, UDP?
TESTS = [("TCP guest->host", ["-R"], False),
         ("TCP host->guest", [], False),
         ("UDP 64 B guest->host", ["-R", "-u", "-l", "64", "-b", "0"], True),
         ("UDP 64 B host->guest", ["-u", "-l", "64", "-b", "0"], True)]


def vmm_argv(kind, vhost, sock):
    mac = "52:54:00:12:34:56"
    if kind == "vireo":
        return [env["VMM"], "--kernel", env["KERNEL"], "--initrd", env["INITRD"],
                "--memory", "%dM" % MEM, "--cmdline", CMD, "--stats",
                "--net", "tap=vt0,mac=%s,vhost=%s" % (mac, vhost),
                "--disk", "path=%s" % env["DISK"],
                "--balloon", "free-page-reporting=on", "--monitor", sock]
    return ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", str(MEM),
            "-M", "pc", "-nodefaults", "-no-user-config", "-display", "none",
            "-serial", "stdio", "-no-reboot",
            "-netdev", "tap,id=n0,ifname=vt0,script=no,downscript=no,vhost=%s" % vhost,
            "-device", "virtio-net-pci,netdev=n0,mac=%s" % mac,
            "-drive", "file=%s,if=none,id=d0,format=raw" % env["DISK"],
            "-device", "virtio-blk-pci,drive=d0",
            "-device", "virtio-balloon-pci,free-page-reporting=on",
            "-qmp", "unix:%s,server=on,wait=off" % sock,
            "-kernel", env["KERNEL"], "-initrd", env["INITRD"], "-append", CMD]


def exits():
    try:
        m = re.search(r"(?m)^\s*Hits:\s*(\d+)", open(HIST).read())
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


def rss_kib(pid):
    m = re.search(r"(?m)^VmRSS:\s*(\d+)", open("/proc/%d/status" % pid).read())
    return int(m.group(1))


class Guest:
    """The VMM (argv, monitor on sock), its console in the file log;
    qmp_guest's helpers work on it."""
    def __init__(self, argv, log, sock):
        out = open(log, "wb")
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out,
                                  stderr=out)
        qmp_guest.p, qmp_guest.sock, qmp_guest.log = self.p, sock, log
        self.seen = 0

    def expect(self, word, secs):
        """Waits for the next line "VIREO-NET WORD ..." (after the last
        one seen) and returns the rest of it."""
        end = time.time() + secs
        while time.time() < end:
            lines = qmp_guest.guest_out().splitlines()
            for i in range(self.seen, len(lines)):
                m = re.match(r"VIREO-NET %s ?(.*)" % word, lines[i].strip("\r"))
                if m:
                    self.seen = i + 1
                    return m.group(1)
            if self.p.poll() is not None:
                break
            time.sleep(0.2)
        qmp_guest.fail("the guest did not answer %s (status %r)" % (word, self.p.poll()))

    def ask(self, cmd, secs=60):
        qmp_guest.type_line(cmd)
        return self.expect(cmd, secs)


def iperf(args):
    """iperf3's receiver-side sum, or None (saying why) when it failed."""
    try:
        out = subprocess.run(["iperf3", "-c", GUEST, "-t", str(RT), "-J"] + args,
                             capture_output=True, text=True,
                             timeout=RT + 60).stdout
        j = json.loads(out)
        return j["end"]["sum_received"]
    except (subprocess.TimeoutExpired, ValueError, KeyError) as e:
        print("bench/net: iperf3 %s: %s" % (" ".join(args), e), file=sys.stderr)
        return None


def net_rows(g, r):
    for name, args, udp in TESTS:
        i0 = int(g.ask("irq"))
        e0 = exits()
        s = iperf(args)
        e1 = exits()
        i1 = int(g.ask("irq"))
        if s is None:
            r[name] = ("failed", "-", "-")
        elif udp:
            pkts = s["bytes"] / 64
            r[name] = ("%.0f pps" % (pkts / s["seconds"]),
                       "%.1f" % ((e1 - e0) / pkts * 1000) if pkts else "-",
                       "%.1f" % ((i1 - i0) / pkts * 1000) if pkts else "-")
        else:
            mib = s["bytes"] / MiB
            r[name] = ("%.1f Mbit/s" % (s["bits_per_second"] / 1e6),
                       "%.0f" % ((e1 - e0) / mib) if mib else "-",
                       "%.1f" % ((i1 - i0) / mib) if mib else "-")
    out = subprocess.run(["busybox", "ping", "-c", "20", "-i", "0.2", "-q", GUEST],
                         capture_output=True, text=True).stdout
    m = re.search(r"= [\d.]+/([\d.]+)/", out)
    r["ping"] = m.group(1) + " ms" if m else "-"


def wait_rss(pid, secs):
    """RSS once it has moved less than 1 MiB in 6 s (or after SECS)."""
    end, last = time.time() + secs, []
    while time.time() < end:
        last = (last + [rss_kib(pid)])[-4:]
        if len(last) == 4 and max(last) - min(last) < 1024:
            break
        time.sleep(2)
    return last[-1]


def balloon_rows(g, r):
    pid = g.p.pid
    c = qmp_guest.Client()
    c.cmd("qmp_capabilities")
    r["rss idle"] = rss_kib(pid)
    print("bench/net: fill: %s" % g.ask("fill", 600), file=sys.stderr)
    r["rss full"] = wait_rss(pid, 30)
    r["guest cache"] = int(g.ask("mem").split()[3])
    t0 = time.time()
    c.cmd("balloon", value=(MEM - 128) * MiB)
    while time.time() < t0 + 180:
        a = c.cmd("query-balloon").get("return", {}).get("actual", 0)
        if abs(a - (MEM - 128) * MiB) <= 4 * MiB:
            break
        time.sleep(1)
    r["inflate s"] = time.time() - t0
    r["rss inflated"] = wait_rss(pid, 30)
    g.ask("drop", 120)
    t0 = time.time()
    r["rss reported"] = wait_rss(pid, 90)
    r["report s"] = time.time() - t0
    tot, free, _avail, _cached = map(int, g.ask("mem").split())
    r["guest used"] = tot - free


def run(kind, vhost, balloon):
    sock = "%s/qmp-%s-%s.sock" % (T, kind, vhost)
    log = "%s/out-%s-%s" % (T, kind, vhost)
    g = Guest(vmm_argv(kind, vhost, sock), log, sock)
    r = {}
    t0 = time.time()
    g.expect("ready", 400)
    r["boot s"] = time.time() - t0
    net_rows(g, r)
    if balloon:
        balloon_rows(g, r)
    qmp_guest.type_line("quit")
    try:
        g.p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        g.p.kill()
    r["stats"] = [line for line in qmp_guest.guest_out().splitlines()
                  if "stats:" in line]
    return r


def table(res):
    cols = list(res)
    print("| | " + " | ".join("%s vhost=%s" % k for k in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, _, udp in TESTS:
        print("| %s | %s |" % (name, " | ".join(res[k][name][0] for k in cols)))
    for name, _, udp in TESTS:
        unit = "1000 packets" if udp else "MiB"
        print("| %s: exits / interrupts per %s | %s |" % (
            name, unit, " | ".join("%s / %s" % res[k][name][1:] for k in cols)))
    print("| ping round trip (avg of 20) | %s |" % " | ".join(res[k]["ping"] for k in cols))
    print("| boot to iperf3 ready | %s |" % " | ".join("%.0f s" % res[k]["boot s"] for k in cols))
    rows = [("rss idle", "VMM RSS after boot and iperf3"),
            ("guest cache", "guest's page cache after reading the disk"),
            ("rss full", "VMM RSS, guest page cache full"),
            ("rss inflated", "VMM RSS, balloon inflated by 128 MiB"),
            ("rss reported", "VMM RSS, cache dropped, free pages reported"),
            ("guest used", "guest's MemTotal - MemFree then")]
    if any("rss idle" in res[k] for k in cols):
        for key, label in rows:
            print("| %s | %s |" % (label, " | ".join(
                "%.0f MiB" % (res[k][key] / 1024) if key in res[k] else "" for k in cols)))
        print("| inflate / report time | %s |" % " | ".join(
            "%.0f s / %.0f s" % (res[k]["inflate s"], res[k]["report s"])
            if "inflate s" in res[k] else "" for k in cols))


def main():
    res, done = {}, set()
    for spec in env.get("KINDS", "vireo:off qemu:off vireo:on qemu:on").split():
        kind, vhost = spec.split(":")
        print("bench/net: %s vhost=%s" % (kind, vhost), file=sys.stderr, flush=True)
        try:
            res[(kind, vhost)] = run(kind, vhost, kind not in done and
                                     env.get("BALLOON", "0") == "1")
            done.add(kind)
        except SystemExit:	# qmp_guest.fail() said why and killed it
            print("bench/net: %s vhost=%s left out" % (kind, vhost),
                  file=sys.stderr)
    if res:
        table(res)
    for k in res:
        if res[k]["stats"]:
            print("\n%s vhost=%s --stats:\n\n```" % k)
            print("\n".join(s.strip("\r") for s in res[k]["stats"]))
            print("```")


main()
