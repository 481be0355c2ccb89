#!/usr/bin/env python3
"""bench/net's driver, run inside the sandbox's network namespace by
bench/net --inside (which sets up the TAP, the modules and the kvm_exit
histogram).  For each KIND:VHOST in $KINDS it boots the iperf guest
(bench/mkinitramfs-iperf) on the TAP, runs iperf3 against it and pings
it; then prints a Markdown table.  The guest answers console commands
(irq, quit).  The balloon has its own benchmark, bench/balloon."""
import json
import os
import re
import subprocess
import sys
import time

import console_guest
from console_guest import qmp_guest

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
# ROWS="tcp-tx tcp-rx udp-tx udp-rx" (tx: guest->host): a subset.
ROW_KEYS = ["tcp-tx", "tcp-rx", "udp-tx", "udp-rx"]
if env.get("ROWS"):
    TESTS = [t for k, t in zip(ROW_KEYS, TESTS) if k in env["ROWS"].split()]


def vmm_argv(kind, vhost, sock):
    mac = "52:54:00:12:34:56"
    if kind.startswith("vireo"):
        # vireo-normal: the NIC's I/O thread on SCHED_OTHER (thread=normal);
        # vireo-batch: the main loop on SCHED_BATCH too (--io-batch).
        thread = ",thread=normal" if kind == "vireo-normal" else ""
        return [env["VMM"], "--kernel", env["KERNEL"], "--initrd", env["INITRD"],
                "--memory", "%dM" % MEM, "--cmdline", CMD, "--stats",
                "--net", "tap=vt0,mac=%s,vhost=%s%s" % (mac, vhost, thread),
                "--monitor", sock] + (["--io-batch"] if kind == "vireo-batch" else [])
    return ["qemu-system-x86_64", "-accel", "kvm", "-cpu", "host", "-m", str(MEM),
            "-M", "pc", "-nodefaults", "-no-user-config", "-display", "none",
            "-serial", "stdio", "-no-reboot",
            "-netdev", "tap,id=n0,ifname=vt0,script=no,downscript=no,vhost=%s" % vhost,
            "-device", "virtio-net-pci,netdev=n0,mac=%s" % mac,
            "-qmp", "unix:%s,server=on,wait=off" % sock,
            "-kernel", env["KERNEL"], "-initrd", env["INITRD"], "-append", CMD]


def exits():
    try:
        m = re.search(r"(?m)^\s*Hits:\s*(\d+)", open(HIST).read())
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


class Guest(console_guest.Guest):
    """The VMM (argv, monitor on sock), its console in the file log."""
    def __init__(self, argv, log, sock):
        super().__init__(argv, log, sock, "VIREO-NET")


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


def tap_counts():
    """vt0's TX packets and drops (toward the guest)."""
    st = "/sys/class/net/vt0/statistics/"
    try:
        return [int(open(st + f).read()) for f in ("tx_packets", "tx_dropped")]
    except OSError:
        return [0, 0]


def vhost_workers(pid):
    """The kernel's vhost worker threads of VMM pid: on L1's 6.1 kernel
    kthreads named vhost-PID, outside the VMM's own tasks."""
    out = []
    for t in os.listdir("/proc"):
        try:
            if t.isdigit() and open("/proc/%s/comm" % t).read().strip() == "vhost-%d" % pid:
                out.append(t)
        except OSError:
            pass
    return out


def thread_cpu(pid):
    """{thread name/tid: CPU seconds} of the VMM's threads and its vhost
    workers, for stderr."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    paths = ["/proc/%d/task/%s" % (pid, t) for t in os.listdir("/proc/%d/task" % pid)]
    for tid in paths + ["/proc/%s" % t for t in vhost_workers(pid)]:
        try:
            st = open(tid + "/stat").read()
        except OSError:
            continue
        name = st[st.index("(") + 1:st.rindex(")")]
        f = st[st.rindex(")") + 2:].split()
        out["%s/%s" % (name, tid.rsplit("/", 1)[1])] = (int(f[11]) + int(f[12])) / tick
    return out


def cpu_delta(a, b):
    return " ".join("%s=%.2fs" % (k, b[k] - a.get(k, 0)) for k in sorted(b)
                    if b[k] - a.get(k, 0) >= 0.01) or "none"


def net_rows(g, r):
    for name, args, udp in TESTS:
        c0 = thread_cpu(g.p.pid)
        time.sleep(2)
        c1 = thread_cpu(g.p.pid)
        print("bench/net: before %s, 2 s idle: VMM CPU %s" % (name, cpu_delta(c0, c1)),
              file=sys.stderr)
        t0 = tap_counts()
        u0 = [int(x) for x in g.ask("udp").split()]
        i0 = int(g.ask("irq"))
        e0 = exits()
        s = iperf(args)
        e1 = exits()
        i1 = int(g.ask("irq"))
        u1 = [int(x) for x in g.ask("udp").split()]
        t1 = tap_counts()
        print("bench/net: %s: VMM CPU %s" % (name, cpu_delta(c1, thread_cpu(g.p.pid))),
              file=sys.stderr)
        sent = (t1[0] - t0[0]) + (t1[1] - t0[1])
        print("bench/net: %s: the TAP took %d packets for the guest, dropped %d" % (
            name, t1[0] - t0[0], t1[1] - t0[1]), file=sys.stderr)
        print("bench/net: %s: the guest's eth0 received %d, UDP receive errors %d "
              "(socket buffer full: %d)" % ((name,) + tuple(b - a for a, b in zip(u0, u1))),
              file=sys.stderr)
        if s is None:
            r[name] = ("failed", "-", "-", "-")
        elif udp:
            pkts = s["bytes"] / 64
            r[name] = ("%.0f pps" % (pkts / s["seconds"]),
                       "%.1f" % ((e1 - e0) / pkts * 1000) if pkts else "-",
                       "%.1f" % ((i1 - i0) / pkts * 1000) if pkts else "-",
                       "%.0f%% of %.0f pps" % (100 * pkts / sent, sent / s["seconds"])
                       if sent else "-")
        else:
            mib = s["bytes"] / MiB
            r[name] = ("%.1f Mbit/s" % (s["bits_per_second"] / 1e6),
                       "%.0f" % ((e1 - e0) / mib) if mib else "-",
                       "%.1f" % ((i1 - i0) / mib) if mib else "-")
    out = subprocess.run(["busybox", "ping", "-c", "20", "-i", "0.2", "-q", GUEST],
                         capture_output=True, text=True).stdout
    m = re.search(r"= [\d.]+/([\d.]+)/", out)
    r["ping"] = m.group(1) + " ms" if m else "-"


def run(kind, vhost):
    sock = "%s/qmp-%s-%s.sock" % (T, kind, vhost)
    log = "%s/out-%s-%s" % (T, kind, vhost)
    g = Guest(vmm_argv(kind, vhost, sock), log, sock)
    r = {}
    t0 = time.time()
    g.expect("ready", 400)
    r["boot s"] = time.time() - t0
    if env.get("VHOST_WORKER") == "batch":
        # An experiment: the kernel's vhost workers on SCHED_BATCH, as
        # vireo-vmm's NIC thread is (both VMMs alike).
        for t in vhost_workers(g.p.pid):
            subprocess.run(["chrt", "-b", "-p", "0", t], check=False)
            print("bench/net: vhost worker %s on SCHED_BATCH" % t, file=sys.stderr)
    net_rows(g, r)
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
            name, unit, " | ".join("%s / %s" % res[k][name][1:3] for k in cols)))
    for name, args, udp in TESTS:
        if udp and "-R" not in args:
            print("| %s: share of the sender's packets received | %s |" % (
                name, " | ".join(res[k][name][3] for k in cols)))
    print("| ping round trip (avg of 20) | %s |" % " | ".join(res[k]["ping"] for k in cols))
    print("| boot to iperf3 ready | %s |" % " | ".join("%.0f s" % res[k]["boot s"] for k in cols))


def main():
    res = console_guest.run_kinds("bench/net", "vhost", run)
    if res:
        table(res)
    for k in res:
        if res[k]["stats"]:
            print("\n%s vhost=%s --stats:\n\n```" % k)
            print("\n".join(s.strip("\r") for s in res[k]["stats"]))
            print("```")


main()
