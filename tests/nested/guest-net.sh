# The guest side of test_net (tests/nested/integration), sourced by the
# test guest's /init (tests/nested/mkinitramfs-guest) for vireo.test=
# net-suite and net-pair.  eth0 gets vireo.ip= (default 10.0.2.15/24);
# the peer is vireo.peer= (default 10.0.2.2, the host's end, which runs
# tests/nested/net_peer.py: sinks log what arrives, sources send a file).
# Results are "VIREO-RESULT k=v" lines; the host checks them.
# shellcheck shell=sh

net_arg() { sed -n "s/.*vireo\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }

# CMOS byte 0x40 through /dev/port (index 0x70, data 0x71): the RTC's RAM
# survives a guest reset, so the second boot knows it is one.
cmos_put() {
	printf @ | dd of=/dev/port bs=1 seek=112 conv=notrunc 2>/dev/null
	printf "$1" | dd of=/dev/port bs=1 seek=113 conv=notrunc 2>/dev/null
}
cmos_get() {
	printf @ | dd of=/dev/port bs=1 seek=112 conv=notrunc 2>/dev/null
	dd if=/dev/port bs=1 skip=113 count=1 2>/dev/null
}

net_up() {
	ip link set eth0 up && ip addr add "$1/24" dev eth0
}

# Seconds since boot, two decimals (busybox date has no %N).
now() { cut -d' ' -f1 /proc/uptime; }

# net_phase NAME PORT: ping the peer, send 2 MiB to its sink on PORT.
net_phase() {
	ping -c 3 -W 3 "$peer" >/dev/null 2>&1 && echo "VIREO-RESULT $1_ping=ok"
	dd if=/dev/zero bs=64k count=32 2>/dev/null |
		timeout 120 nc -w 5 "$peer" "$2" && echo "VIREO-RESULT $1_tcp=ok"
}

# The receive filter (vireo.test=net): the host's sender on PORT, for
# each of two connections, sends 100 frames, to another MAC and then to
# ours, and closes.  eth0's rx_packets over each (the connection itself
# adds a few), and the names of the virtio interrupts (INTx: one line,
# "virtio0"; MSI-X: a vector per queue).
net_filter() {
	local s=/sys/class/net/eth0/statistics/rx_packets r0 r1 r2
	r0=$(cat $s)
	timeout 60 nc -w 5 "$peer" "$1" </dev/null >/dev/null
	r1=$(cat $s)
	timeout 60 nc -w 5 "$peer" "$1" </dev/null >/dev/null
	r2=$(cat $s)
	echo "VIREO-RESULT filter=$((r1 - r0)),$((r2 - r1))"
	echo "VIREO-RESULT irqs=$(awk '$NF ~ /^virtio/ { print $NF }' /proc/interrupts | tr '\n' ,)"
}

# Interrupt counts of eth0's queue vectors, summed over CPUs:
# "input.0 N" ... "output.3 N" (virtio-pci gives each queue its vector).
net_irqs() {
	awk -v d="$(basename "$(readlink /sys/class/net/eth0/device)")-" '
		index($NF, d) == 1 && $NF ~ /put\.[0-9]+$/ {
			n = 0
			for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i
			print substr($NF, length(d) + 1), n
		}' /proc/interrupts | sort
}

# Every queue pair at once: per CPU, one 4 MiB upload to sink 5008 and one
# 4 MiB download from source 5004 (XPS maps CPU i to tx queue i; the
# TAP steers a flow's replies to the queue it came from).  Prints the
# interrupts each queue's vectors took meanwhile.
net_queues() {
	local n i
	n=$(ls -d /sys/class/net/eth0/queues/rx-* | wc -l)
	echo "VIREO-RESULT mq_pairs=$n"
	net_irqs >/tmp/irq0
	i=0
	while [ $i -lt "$n" ]; do
		dd if=/dev/zero bs=64k count=64 2>/dev/null |
			taskset -c $i timeout 120 nc -w 5 "$peer" 5008 &
		taskset -c $i timeout 120 nc -w 5 "$peer" 5004 </dev/null |
			wc -c >/tmp/dl$i &
		i=$((i + 1))
	done
	wait
	net_irqs >/tmp/irq1
	echo "VIREO-RESULT mq_dl=$(cat /tmp/dl* | tr '\n' , )"
	echo "VIREO-RESULT mq_irqs=$(awk 'NR == FNR { a[$1] = $2; next }
		{ printf "%s:%d,", $1, $2 - a[$1] }' /tmp/irq0 /tmp/irq1)"
}

# Unbind virtio_net from eth0's device (a device reset) and bind it again.
net_rebind() {
	local v t=0
	v=$(basename "$(readlink /sys/class/net/eth0/device)")
	echo "$v" >/sys/bus/virtio/drivers/virtio_net/unbind
	[ -e /sys/class/net/eth0 ] && echo "VIREO-RESULT rebind=still-there"
	echo "$v" >/sys/bus/virtio/drivers/virtio_net/bind
	while [ ! -e /sys/class/net/eth0 ] && [ $t -lt 50 ]; do
		usleep 200000
		t=$((t + 1))
	done
}

# One boot, several checks: driver, MAC, 2 MiB; 64 MiB from the host's
# source 5002 and back to its sink 5003 (sha256 on both ends); every
# queue pair; a driver rebind; then a guest reset, after which the second
# boot checks ping and TCP again and powers off.
net_suite() {
	local t
	net_up "$ip"
	if [ "$(cmos_get)" = N ]; then
		cmos_put '\000'
		echo "VIREO-RESULT reset_boot"
		net_phase reset 5007
		poweroff -f
	fi
	echo "VIREO-RESULT net_driver=$(basename "$(readlink /sys/class/net/eth0/device/driver)")"
	echo "VIREO-RESULT mac=$(cat /sys/class/net/eth0/address)"
	net_phase first 5001
	t=$(now)
	timeout 300 nc -w 5 "$peer" 5002 </dev/null >/tmp/big
	echo "VIREO-RESULT big_rx=$(wc -c </tmp/big),$(sha256sum </tmp/big | cut -d' ' -f1)"
	echo "VIREO-RESULT big_rx_s=$(echo "$(now) $t" | awk '{ print $1 - $2 }')"
	t=$(now)
	timeout 300 nc -w 5 "$peer" 5003 </tmp/big && echo "VIREO-RESULT big_tx=ok"
	echo "VIREO-RESULT big_tx_s=$(echo "$(now) $t" | awk '{ print $1 - $2 }')"
	rm -f /tmp/big
	net_queues
	net_rebind
	net_up "$ip"
	net_phase rebind 5006
	cmos_put N
	echo "VIREO-RESULT resetting"
	reboot -f
}

# Two guests on one bridge: each listens on 5005, waits for the other to
# answer a ping, sends it 2 MiB, then reports what it received (within
# 150 s: the host's timeout is longer) and eth0's packet counters.
net_pair() {
	local l t=0 sent s=/sys/class/net/eth0/statistics
	net_up "$ip"
	# nc's stdin must stay open (at its end nc would shut down its side,
	# and the sender's nc quits on that before it has sent everything),
	# and nc must be the job's only process (wait waits for a whole
	# pipeline): a FIFO opened read-write never ends.
	mkfifo /tmp/hold
	timeout 150 nc -l -p 5005 <>/tmp/hold >/tmp/in &
	l=$!
	while ! ping -c 1 -W 1 "$peer" >/dev/null 2>&1 && [ $t -lt 120 ]; do
		t=$((t + 1))
		usleep 500000
	done
	[ $t -lt 120 ] && echo "VIREO-RESULT pair_ping=ok"
	# The peer's listener may not be up yet: retry for 60 s.
	t=$(($(cut -d. -f1 /proc/uptime) + 60))
	sent=no
	while [ "$(cut -d. -f1 /proc/uptime)" -lt $t ]; do
		if dd if=/dev/zero bs=64k count=32 2>/dev/null |
			timeout 100 nc -w 5 "$peer" 5005; then
			sent=ok
			break
		fi
		sleep 1
	done
	echo "VIREO-RESULT pair_tcp=$sent"
	wait $l
	echo "VIREO-RESULT pair_rx=$(wc -c </tmp/in)"
	echo "VIREO-RESULT pair_stats=rx:$(cat $s/rx_packets),$(cat $s/rx_dropped) tx:$(cat $s/tx_packets),$(cat $s/tx_dropped)"
	poweroff -f
}

ip=$(net_arg ip)
peer=$(net_arg peer)
: "${ip:=10.0.2.15}" "${peer:=10.0.2.2}"
