# The fio jobs of bench/io (sourced by it and by the fio guest's /init):
# fio_job NAME DEVICE SECONDS prints one terse (v3) result line, the
# version field dropped, prefixed "NAME;".
# shellcheck shell=sh
FIO_JOBS="seqread seqwrite randread1 randread32 randwrite1 randwrite32"
FIO=${FIO:-fio}

fio_job() {
	case $1 in
	seqread) set -- "$@" --rw=read --bs=1M --iodepth=8 ;;
	seqwrite) set -- "$@" --rw=write --bs=1M --iodepth=8 ;;
	randread1) set -- "$@" --rw=randread --bs=4k --iodepth=1 ;;
	randread32) set -- "$@" --rw=randread --bs=4k --iodepth=32 ;;
	randwrite1) set -- "$@" --rw=randwrite --bs=4k --iodepth=1 ;;
	randwrite32) set -- "$@" --rw=randwrite --bs=4k --iodepth=32 ;;
	*) echo "fio_job: unknown job $1" >&2; return 1 ;;
	esac
	_n=$1 _d=$2 _s=$3
	shift 3
	"$FIO" --minimal --name="$_n" --filename="$_d" --direct=1 \
		--ioengine=libaio --runtime="$_s" --time_based \
		--size=256M "$@" 2>/dev/null | cut -d';' -f2- | sed "s/^[^;]*;/$_n;/"
}
