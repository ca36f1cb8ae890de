#!/usr/bin/env bash
# RFC 2090 multicast TFTP with atftp, the one client that speaks it: three
# clients in their own namespaces fetch one file at once, each copy
# byte-identical, with the file sent about once for all of them; a client
# that joins late receives the blocks it missed; a master that leaves
# hands the role on; a file too big for 16-bit blocks goes by unicast.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 21)" --clients 3
root=$WORK/root
mkdir -p "$root" "$WORK/got"
# big enough that the transfer outlasts three clients starting one by one
# (at 4 MB a slow machine finished it before the third had asked)
head -c 20000000 /dev/urandom >"$root/kernel"     # 13,624 blocks of 1468
head -c 34000000 /dev/urandom >"$root/big"       # 66,407 blocks of 512
head -c 30000000 /dev/urandom >"$root/initrd"    # 58,594 blocks of 512
rbd_start --port "$LAB_SRV_IF"
sha() { sha256sum "$1" | cut -d' ' -f1; }
for i in 1 2 3; do
	# atftp joins the group on the interface the route to it names
	in_client "$i" ip route add 224.0.0.0/4 dev "$LAB_CLIENT_IF"
done
mget() { # client, file, output, extra atftp options...
	local c=$1 f=$2 out=$3; shift 3
	in_client "$c" timeout 120 atftp --option "multicast" "$@" \
		-g -r "$f" -l "$out" "$LAB_SRV_IP" >"$out.log" 2>&1
}
size=$(stat -c %s "$root/kernel")
# wait (5 s at most) until the server has sent $1 more DATA bytes than $2
until_sent() {
	for _ in $(seq 100); do
		[ "$(counter tftp_data_bytes)" -gt $(($2 + $1)) ] && return
		sleep 0.05
	done
}

# three at once
b0=$(counter tftp_data_bytes)
pids=()
for i in 1 2 3; do
	mget "$i" kernel "$WORK/got/k$i" --option "blksize 1468" &
	pids+=("$!")
done
for p in "${pids[@]}"; do wait "$p" || fail "an atftp multicast client failed: $(cat "$WORK"/got/k*.log)"; done
for i in 1 2 3; do
	[ "$(sha "$WORK/got/k$i")" = "$(sha "$root/kernel")" ] || fail "client $i: copy differs"
done
sent=$(( $(counter tftp_data_bytes) - b0 ))
[ "$(counter tftp_mc_joined)" = 3 ] || fail "tftp_mc_joined $(counter tftp_mc_joined), want 3"
[ "$(counter tftp_done)" = 3 ] || fail "tftp_done $(counter tftp_done), want 3"
ratio=$(awk -v s="$sent" -v f="$size" 'BEGIN { printf "%.3f", s / f }')
awk -v r="$ratio" 'BEGIN { exit !(r < 1.5) }' || fail "sent $ratio x the file for 3 multicast clients"
pass "3 multicast clients at once: byte-identical, $sent bytes sent for a $size-byte file ($ratio x)"

# a client that joins late gets the blocks it missed when its turn comes
b0=$(counter tftp_data_bytes); m0=$(counter tftp_mc_masters)
mget 1 kernel "$WORK/got/l1" &
p1=$!
until_sent $((size / 3)) "$b0"
mget 2 kernel "$WORK/got/l2" || fail "the late client failed: $(cat "$WORK/got/l2.log")"
wait "$p1" || fail "the first client failed: $(cat "$WORK/got/l1.log")"
for i in 1 2; do
	[ "$(sha "$WORK/got/l$i")" = "$(sha "$root/kernel")" ] || fail "late join: client $i's copy differs"
done
sent=$(( $(counter tftp_data_bytes) - b0 ))
ratio=$(awk -v s="$sent" -v f="$size" 'BEGIN { printf "%.3f", s / f }')
[ $(( $(counter tftp_mc_masters) - m0 )) = 2 ] || fail "the late client was not made master"
awk -v r="$ratio" 'BEGIN { exit !(r < 1.9) }' || fail "late join: sent $ratio x the file for 2 clients"
pass "a client joining a third of the way in gets the rest from the group and the start as master ($ratio x the file sent for both)"

# a master that leaves (atftp sends ERROR on SIGINT) hands over
m0=$(counter tftp_mc_masters); b0=$(counter tftp_data_bytes); d0=$(counter tftp_done)
# not through mget: $! must be timeout itself, which passes SIGINT on to
# atftp (a background function's subshell ignores SIGINT, and so would
# the atftp it starts)
ip netns exec "rb$LAB_ID-c1" timeout 120 atftp --option "multicast" \
	-g -r initrd -l "$WORK/got/q1" "$LAB_SRV_IP" >"$WORK/got/q1.log" 2>&1 &
p1=$!
until_sent 3000000 "$b0"
mget 3 initrd "$WORK/got/q3" &
p3=$!
sleep 0.3
kill -0 "$p1" 2>/dev/null || fail "the master finished before it could leave"
kill -INT "$p1"
wait "$p1" 2>/dev/null || true
[ "$(sha "$WORK/got/q1")" != "$(sha "$root/initrd")" ] || fail "the master was not stopped mid-transfer"
wait "$p3" || fail "the member left behind failed: $(cat "$WORK/got/q3.log")"
[ "$(sha "$WORK/got/q3")" = "$(sha "$root/initrd")" ] || fail "after the master left: copy differs"
[ $(( $(counter tftp_mc_masters) - m0 )) = 2 ] || fail "mastership not handed on"
[ $(( $(counter tftp_done) - d0 )) = 1 ] || fail "the master that left was counted as done"
pass "the master leaves mid-transfer: the next member becomes master and completes"

# past 65535 blocks RFC 2090 cannot count: served by unicast, correctly
j0=$(counter tftp_mc_joined)
mget 2 big "$WORK/got/big" || fail "big file with multicast asked: $(cat "$WORK/got/big.log")"
[ "$(sha "$WORK/got/big")" = "$(sha "$root/big")" ] || fail "big file differs"
[ "$(counter tftp_mc_joined)" = "$j0" ] || fail "a 66,407-block file went multicast"
pass "a file over 65535 blocks asked for by multicast is served by unicast, byte-identical"
