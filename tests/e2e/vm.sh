# QEMU machines for the boot tests: each on a tap bridged into the lab's
# switch, under TCG (KVM hangs guests on these hosts), its serial console in
# $WORK/vmN.log.  Sourced after lib.sh.

PAYLOAD=${RB_PAYLOAD:-$RB_SRC/payload}
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
declare -A VM_PID=()

# Build the payload (cached) or fail with its reason.
payload_ready() {
	"$RB_SRC/scripts/payload" "$PAYLOAD" >"$WORK/payload.log" 2>&1 ||
		fail "scripts/payload: $(cat "$WORK/payload.log")"
}

# vm_start N MAC FIRMWARE: machine N with NIC MAC, powered on.
#   bios      SeaBIOS, the NIC's iPXE option ROM
#   uefi      OVMF with the NIC's iPXE EFI ROM
#   uefi-pxe  OVMF's own PXE stack (no option ROM)
vm_start() {
	local n=$1 mac=$2 fw=$3 tap=rbt$1
	local -a args=(-accel tcg -m 512 -nographic -no-reboot -monitor none
		-serial "file:$WORK/vm$n.log"
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no,vnet_hdr=off")
	ip -n "$LAB_SW" tuntap add "$tap" mode tap
	ip -n "$LAB_SW" link set "$tap" master rbbr0 up
	case $fw in
	bios)
		args+=(-device "virtio-net-pci,netdev=n0,mac=$mac" -boot n) ;;
	uefi | uefi-pxe)
		cp "$OVMF_VARS" "$WORK/vm$n.vars"
		args+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,file=$WORK/vm$n.vars")
		if [ "$fw" = uefi ]; then
			args+=(-device "virtio-net-pci,netdev=n0,mac=$mac")
		else
			args+=(-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=")
		fi ;;
	*) fail "vm_start: unknown firmware $fw" ;;
	esac
	: >"$WORK/vm$n.log"
	ip netns exec "$LAB_SW" qemu-system-x86_64 "${args[@]}" >"$WORK/vm$n.out" 2>&1 &
	VM_PID[$n]=$!
	BG_PIDS+=("$!")
}

# vm_wait N SECONDS: until machine N powers off (QEMU exits), at most
# SECONDS; a machine still running then is stopped.  Returns 1 on timeout.
vm_wait() {
	local n=$1 secs=$2 i pid=${VM_PID[$1]}
	for i in $(seq $((secs * 2))); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.5
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	return 1
}

# The serial console of machine N without control sequences.
vm_console() { tr -d '\r' <"$WORK/vm$1.log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g'; }

# vm_booted N TOKEN MAC: machine N's console shows the payload booted with
# TOKEN on MAC; on failure, show the console's tail.
vm_booted() {
	local n=$1 token=$2 mac=$3
	if grep -qx "RACKBOOT-BOOTED token=$token mac=$mac" <<<"$(vm_console "$n")"; then
		return 0
	fi
	echo "--- machine $n console (tail)"
	vm_console "$n" | tail -25
	echo "--- machine $n qemu"
	tail -5 "$WORK/vm$n.out"
	return 1
}
