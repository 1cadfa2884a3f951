#!/bin/bash
# Boot the Debian guest kernel in QEMU with the tlbtorture initramfs and run
# one job (scripts/jobs/NAME.sh) in it.
#
#   scripts/run-vm.sh [--job NAME] [--timeout SECS] [--log FILE]
#
# Environment: VM_CPUS (4), VM_MEM (MiB, 2048), VM_ACCEL (kvm|tcg, default
# auto: probe KVM once, cache in build/accel), VM_CPU_MODEL (max on tcg,
# host on kvm), VM_APPEND (extra kernel arguments), VM_QEMU_ARGS (extra QEMU
# arguments, word-split, e.g. "-s" for gdb or a -monitor socket), KVER
# (the guest kernel series, 6.1 or 6.12: scripts/kver.sh; default 6.1),
# GUEST_KVER (a release instead). Per kernel: the initramfs
# (build/initramfs.cpio.gz for 6.1, build/initramfs-6.12.cpio.gz) and the
# default log (build/vm-JOB.log, build/vm-JOB-6.12.log).
# For job=check also HOST_PASSED/HOST_FAILED/HOST_SKIPPED (see tap-summary.sh).
#
# Exit status is non-zero when the guest did not print TLBT-EXIT, the job
# failed, the console shows a kernel report (BUG/WARNING/Oops/...), or, for
# job=check, a test failed or none passed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build

job=check
secs=1500
log=
while (($#)); do
	case $1 in
	--job) job=${2:?--job needs a name}; shift 2 ;;
	--timeout) secs=${2:?--timeout needs seconds}; shift 2 ;;
	--log) log=${2:?--log needs a file}; shift 2 ;;
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	*) echo "run-vm: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ -f $repo/scripts/jobs/$job.sh ]] || { echo "run-vm: no job scripts/jobs/$job.sh" >&2; exit 2; }
[[ $secs =~ ^[0-9]+$ ]] || { echo "run-vm: bad --timeout $secs" >&2; exit 2; }
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh"
kv_layout "${KVER:-6.1}"
log=${log:-$build/vm-$job$KV_TAG.log}
mkdir -p "$build" "$(dirname "$log")"

kver=$KV_REL
kernel=${VM_KERNEL:-/boot/vmlinuz-$kver}
initrd=${VM_INITRD:-$build/initramfs$KV_TAG.cpio.gz}
stamp=$build/initramfs$KV_TAG.stamp

# Rebuild the initramfs when an input is newer, or when the kernel or the
# presence of the module changed since it was built.
ensure_initramfs() {
	# VM_INITRD: the caller built its own (e.g. for the debug kernel).
	[[ -n ${VM_INITRD:-} ]] && return 0
	local want newer
	want="kver=$kver module=$([[ -f $KV_KO ]] && echo yes || echo no)"
	if [[ -f $initrd && -f $stamp && $(<"$stamp") == "$want" ]]; then
		newer=$(find "$KV_KO" "$KV_SELFTESTS" \
			"$repo/selftests/tlbtorture.sh" "$repo/selftests/settings" "$KV_KSFT_INSTALL" \
			"$repo/scripts/jobs" "$repo/scripts/guest-kernel.sh" \
			"$repo/scripts/mkinitramfs.sh" "$repo/scripts/guest-init.sh" \
			"$repo/scripts/trace-sequence.sh" -newer "$initrd" -print -quit 2>/dev/null || true)
		[[ -z $newer ]] && return 0
	fi
	"$repo/scripts/mkinitramfs.sh" "$initrd"
	echo "$want" >"$stamp"
}

kvm_usable() {
	[[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]
}

# KVM only if a guest really boots under it (nested KVM here does not reach
# the console); the verdict is cached per guest kernel.
choose_accel() {
	local cache=$build/accel c_kver c_accel
	if [[ -n ${VM_ACCEL:-} ]]; then
		echo "$VM_ACCEL"
		return
	fi
	if ! kvm_usable; then
		echo tcg
		return
	fi
	if [[ -f $cache ]] && read -r c_kver c_accel <"$cache" &&
	   [[ $c_kver == "$kver" && $c_accel =~ ^(kvm|tcg)$ ]]; then
		echo "$c_accel"
		return
	fi
	echo "VM: probing KVM (smoke job, 25 s limit)..." >&2
	VM_ACCEL=kvm "$0" --job smoke --timeout 25 --log "$build/vm-probe.log" \
		</dev/null >/dev/null 2>&1 || true
	if grep -q TLBT-SMOKE-OK "$build/vm-probe.log" 2>/dev/null; then
		c_accel=kvm
	else
		c_accel=tcg
		echo "VM: KVM guest did not boot (see build/vm-probe.log); using TCG" >&2
	fi
	echo "$kver $c_accel" >"$cache"
	echo "$c_accel"
}

ensure_initramfs
accel=$(choose_accel)

cpus=${VM_CPUS:-4}
mem=${VM_MEM:-2048}
[[ $cpus =~ ^[1-9][0-9]*$ && $mem =~ ^[1-9][0-9]*$ ]] ||
	{ echo "run-vm: bad VM_CPUS=$cpus or VM_MEM=$mem" >&2; exit 2; }

case $accel in
kvm) accel_args=(-accel kvm); cpu_model=${VM_CPU_MODEL:-host} ;;
tcg) accel_args=(-accel 'tcg,thread=multi'); cpu_model=${VM_CPU_MODEL:-max} ;;
*) echo "run-vm: VM_ACCEL must be kvm or tcg, not $accel" >&2; exit 2 ;;
esac

# One socket per CPU: CPUs of different nodes sharing a package (LLC) make
# topology_sane() WARN at boot.
topo=(-m "${mem}M" -smp "$cpus,sockets=$cpus,cores=1,threads=1")
if ((cpus >= 2)); then
	half=$((cpus / 2))
	m0=$((mem / 2))
	m1=$((mem - m0))
	topo+=(-object "memory-backend-ram,id=m0,size=${m0}M"
	       -numa "node,nodeid=0,cpus=0-$((half - 1)),memdev=m0"
	       -object "memory-backend-ram,id=m1,size=${m1}M"
	       -numa "node,nodeid=1,cpus=$half-$((cpus - 1)),memdev=m1")
fi

# No panic_on_oops: the oops itself should reach the log. loglevel=5, not 4:
# WARN() splats, lockdep reports and their "Call Trace:" are KERN_WARNING
# (4), and the console only shows levels below the loglevel.
append="console=ttyS0 panic=-1 loglevel=5 tlbt.job=$job ${VM_APPEND:-}"

qemu=(qemu-system-x86_64 -nographic -no-reboot -nic none
      "${accel_args[@]}" -cpu "$cpu_model" "${topo[@]}"
      -kernel "$kernel" -initrd "$initrd" -append "$append")
# shellcheck disable=SC2206 # word splitting is the point
qemu+=(${VM_QEMU_ARGS:-})

echo "VM: $kver, $accel, cpu $cpu_model, $cpus cpus, ${mem} MiB, job $job, timeout ${secs}s, log $log"

# Only the shell job reads the terminal; the others get no stdin so that ^C
# on the terminal reaches QEMU instead of the guest.
if [[ $job == shell ]]; then
	in=/dev/stdin
else
	in=/dev/null
fi
start=$SECONDS
set +e
timeout --foreground -k 10 "$secs" "${qemu[@]}" <"$in" 2>&1 | tee "$log"
st=("${PIPESTATUS[@]}")
set -e
qemu_rc=${st[0]}

fail=0
clean_log() { tr -d '\r' <"$log"; }

exit_line=$(clean_log | grep -E '^TLBT-EXIT rc=[0-9]+$' | tail -n 1 || true)
if ((qemu_rc == 124 || qemu_rc == 137)); then
	echo "VM: qemu timed out after ${secs}s"
	fail=1
elif ((qemu_rc != 0)); then
	echo "VM: qemu exited with status $qemu_rc"
	fail=1
fi
if [[ -z $exit_line ]]; then
	echo "VM: guest did not finish"
	fail=1
else
	job_rc=${exit_line#TLBT-EXIT rc=}
	echo "VM: job $job exited rc=$job_rc after $((SECONDS - start)) s"
	((job_rc == 0)) || fail=1
fi

# Kernel reports anywhere on the console. The echoed command line is skipped
# so that e.g. VM_APPEND=page_table_check=on does not match itself.
report='BUG:|WARNING:|Oops|general protection fault|Kernel panic|KASAN|UBSAN|possible circular locking|lockdep|INFO: task .* blocked|page_table_check|kmemleak:.*unreferenced|Call Trace:'
reports=$(clean_log | grep -v -E 'Command line:' | grep -E "$report" || true)
if [[ -n $reports ]]; then
	# shellcheck disable=SC2001 # prefix every line, not one string
	sed 's/^/VM: kernel report: /' <<<"$reports"
	fail=1
fi
echo "VM: $(grep -c . <<<"$reports" || true) kernel report lines"

if [[ $job == check || $job == check-debug ]]; then
	"$repo/scripts/tap-summary.sh" "$log" || fail=1
fi
exit "$fail"
