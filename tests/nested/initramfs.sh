# Shared by the initramfs builders (sourced): a busybox-static root plus
# kernel modules, with their dependencies resolved from modules.dep, in
# load order in /modules.list.
# shellcheck shell=bash

# initramfs_init DIR
initramfs_init() {
	local d=$1 bb=/bin/busybox	# static when busybox-static is installed
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed" ||
		{ echo "initramfs: busybox-static is not installed" >&2; return 1; }
	rm -rf "$d"
	mkdir -p "$d"/{bin,sbin,dev,proc,sys,tmp,run,mnt,lib/modules}
	cp "$bb" "$d/bin/busybox"
	: >"$d/modules.list"
}

# initramfs_modules DIR MODDIR NAME...: copy modules NAME (and their
# dependencies, first) from MODDIR (lib/modules/<version>).
initramfs_modules() {
	local d=$1 moddir=$2 name line path deps dep i
	shift 2
	for name in "$@"; do
		line=$(grep -E "(^|/)${name}\.ko:" "$moddir/modules.dep" | head -1) || true
		[[ -n $line ]] || { echo "initramfs: module $name not found" >&2; return 1; }
		path=${line%%:*}
		read -r -a deps <<<"${line#*:}"
		# modules.dep lists dependencies nearest first: load in reverse.
		for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
			initramfs_add_one "$d" "$moddir" "${deps[$i]}"
		done
		initramfs_add_one "$d" "$moddir" "$path"
	done
}

initramfs_add_one() {
	local d=$1 moddir=$2 path=$3
	grep -qxF "$path" "$d/modules.list" && return 0
	mkdir -p "$d/lib/modules/$(dirname "$path")"
	cp "$moddir/$path" "$d/lib/modules/$path"
	echo "$path" >>"$d/modules.list"
}

# initramfs_pack DIR OUT
initramfs_pack() {
	(cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$2.tmp"
	mv "$2.tmp" "$2"
}

# kernel_paths: sets KVER, VMLINUZ, MODDIR from tests/nested/fetch-kernel.
kernel_paths() {
	local top=$1
	KVER=$("$top/tests/nested/fetch-kernel")
	VMLINUZ=$top/.cache/kernel/$KVER/boot/vmlinuz-$KVER
	MODDIR=$top/.cache/kernel/$KVER/lib/modules/$KVER
}

# initramfs_binaries DIR PATH...: copy host programs PATH into DIR/usr/bin
# (busybox's links fill /bin and may share their names) with the shared
# libraries ldd lists (and the dynamic loader) at their paths.
initramfs_binaries() {
	local d=$1 bin lib
	shift
	for bin in "$@"; do
		mkdir -p "$d/usr/bin"
		cp "$bin" "$d/usr/bin/"
		for lib in $(ldd "$bin" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'); do
			mkdir -p "$d$(dirname "$lib")"
			cp -L "$lib" "$d$lib"
		done
	done
}
