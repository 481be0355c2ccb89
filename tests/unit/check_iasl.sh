#!/bin/sh
# check_iasl.sh ACPI_DUMP IASL: the generated ACPI tables (1 and 8 vCPUs)
# must disassemble with ACPICA's iasl without errors or warnings about
# checksums, and the DSDT must hold what the guest relies on.
set -u
dump=$1
iasl=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for n in 1 8; do
	dir=$tmp/$n
	mkdir -p "$dir"
	"$dump" "$dir" "$n" || { echo "check_iasl: acpi-dump failed"; exit 1; }
	for sig in DSDT FACP APIC FACS XSDT RSDT; do
		[ -f "$dir/$sig.dat" ] || { echo "check_iasl: no $sig table"; exit 1; }
	done
	# iasl cannot disassemble a bare RSDP (no table header): its two
	# checksums are checked by test_acpi instead.
	for f in "$dir"/*.dat; do
		[ "$(basename "$f")" = RSDP.dat ] && continue
		out=$(cd "$dir" && "$iasl" -d "$(basename "$f")" 2>&1)
		rc=$?
		if [ $rc -ne 0 ] || echo "$out" | grep -qiE 'error|invalid|incorrect|mismatch'; then
			echo "check_iasl: iasl -d $(basename "$f") ($n vCPUs) failed:"
			echo "$out" | grep -iE 'error|invalid|incorrect|mismatch' | head -5
			exit 1
		fi
	done
	dsl=$dir/DSDT.dsl
	for want in '_S5' 'PNP0A03' 'PNP0501' 'PNP0B00' '_PRT'; do
		grep -q "$want" "$dsl" || { echo "check_iasl: DSDT lacks $want"; exit 1; }
	done
	count=$(grep -c 'Processor Local APIC' "$dir/APIC.dsl" 2>/dev/null || echo 0)
	[ "$count" -ge "$n" ] || { echo "check_iasl: MADT has $count local APICs, want $n"; exit 1; }
done
echo "check_iasl: tables disassemble cleanly"
