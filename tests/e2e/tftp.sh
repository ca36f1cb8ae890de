#!/usr/bin/env bash
# TFTP with real clients: tftp-hpa (512-byte blocks), curl with blksize
# 1468, atftp with windowsize 16, busybox tftp; each file byte-identical
# (sha256), a file bigger than 32 MiB at 512 bytes (block numbers roll
# over), write requests and names leaving the root refused, a missing
# file reported, and many clients at once all complete.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 20)" --clients 1
root=$WORK/root
mkdir -p "$root/pxelinux.cfg" "$WORK/got"
head -c 3000000 /dev/urandom >"$root/kernel"
head -c 34000000 /dev/urandom >"$root/initrd"     # 66,407 blocks of 512
head -c 40000 /dev/urandom >"$root/small"
printf 'default linux\nlabel linux\n  kernel kernel\n' >"$root/pxelinux.cfg/default"
printf 'line1\nline2\r\nx\rz\n' >"$root/t.txt"   # for netascii
echo "secret" >"$WORK/outside"
ln -s "$WORK/outside" "$root/escape"
tmpl=$WORK/templates
mkdir -p "$tmpl"
printf 'default linux\nlabel linux\n  kernel ${http}vmlinuz\n  append token=${mac_hex} ip=${ip}\n' >"$tmpl/pxelinux.cfg"
printf 'linux ${http}vmlinuz token=${mac_hex}\n' >"$tmpl/grub.cfg"
mac=$(ip netns exec "rb$LAB_ID-c1" cat "/sys/class/net/$LAB_CLIENT_IF/address")
macd=$(echo "$mac" | tr ':' '-')
printf 'special machine ${mac}\n' >"$tmpl/grub.cfg-01-$macd"
rbd_start --port "$LAB_SRV_IF" --templates "$tmpl"
sha() { sha256sum "$1" | cut -d' ' -f1; }
same() { [ "$(sha "$1")" = "$(sha "$2")" ] || fail "$3: $1 differs from $2"; }
c1() { ip netns exec "rb$LAB_ID-c1" "$@"; }

(cd "$WORK/got" && c1 timeout 60 tftp "$LAB_SRV_IP" -m binary -c get kernel hpa.kernel) ||
	fail "tftp-hpa get kernel"
same "$WORK/got/hpa.kernel" "$root/kernel" tftp-hpa
(cd "$WORK/got" && c1 timeout 60 tftp "$LAB_SRV_IP" -m binary -c get pxelinux.cfg/default hpa.cfg) ||
	fail "tftp-hpa get pxelinux.cfg/default"
same "$WORK/got/hpa.cfg" "$root/pxelinux.cfg/default" tftp-hpa
c1 timeout 60 curl -sS --tftp-blksize 1468 -o "$WORK/got/curl.kernel" \
	"tftp://$LAB_SRV_IP/kernel" || fail "curl tftp"
same "$WORK/got/curl.kernel" "$root/kernel" curl
c1 timeout 60 atftp --option "blksize 1468" --option "windowsize 16" \
	-g -r kernel -l "$WORK/got/atftp.kernel" "$LAB_SRV_IP" >/dev/null 2>&1 ||
	fail "atftp with windowsize"
same "$WORK/got/atftp.kernel" "$root/kernel" atftp
c1 timeout 60 busybox tftp -g -r kernel -l "$WORK/got/bb.kernel" "$LAB_SRV_IP" ||
	fail "busybox tftp"
same "$WORK/got/bb.kernel" "$root/kernel" busybox
pass "tftp-hpa, curl (blksize 1468), atftp (windowsize 16), busybox: byte-identical"

# past block 65535 at 512 bytes: the block number rolls over
(cd "$WORK/got" && c1 timeout 300 tftp "$LAB_SRV_IP" -m binary -c get initrd hpa.initrd) ||
	fail "tftp-hpa get initrd (34 MB)"
same "$WORK/got/hpa.initrd" "$root/initrd" "tftp-hpa rollover"
pass "34 MB at 512-byte blocks (66,407 blocks, rolling over): byte-identical"

# refusals and errors, as the clients report them
# curl exits 68 (CURLE_TFTP_NOTFOUND) on a TFTP "file not found"
rc=0; c1 timeout 10 curl -s "tftp://$LAB_SRV_IP/nosuch" -o /dev/null || rc=$?
[ "$rc" = 68 ] || fail "missing file: curl exit $rc, want 68 (TFTP not found)"
rc=0; c1 timeout 10 curl -s "tftp://$LAB_SRV_IP/escape" -o /dev/null || rc=$?
[ "$rc" = 68 ] || fail "a symlink out of the root: curl exit $rc, want 68"
out=$(cd "$WORK/got" && c1 timeout 10 tftp "$LAB_SRV_IP" -m binary -c get ../outside x 2>&1) || true
[ ! -s "$WORK/got/x" ] || fail "../outside was served"
echo "data" >"$WORK/put.txt"
out=$(cd "$WORK" && c1 timeout 10 tftp "$LAB_SRV_IP" -m binary -c put put.txt 2>&1) || true
echo "$out" | grep -qi "not accepted\|access" || fail "write request not refused: $out"
[ "$(counter drop.tftp_write_refused)" -ge 1 ] || fail "write not counted"
[ "$(counter drop.tftp_refused)" -ge 1 ] || fail "../ not counted"
pass "missing file, symlink out of the root, ../ and writes refused"

# per-machine configs, asked for in PXELINUX's order (seed 002)
get() { (cd "$WORK/got" && c1 timeout 10 tftp "$LAB_SRV_IP" -m binary -c get "$1" "$2" 2>&1); }
rm -f "$WORK/got/"cfg*
get "pxelinux.cfg/b8945908-d6a6-41a9-611d-74a6ab80b83d" cfg.uuid | grep -qi "not found" ||
	fail "the UUID name was answered"
get "pxelinux.cfg/01-$macd" cfg.mac >/dev/null || fail "pxelinux.cfg/01-$macd"
hex=$(printf '%02X%02X%02X%02X' $(echo "$LAB_NET.101" | tr . ' '))
get "pxelinux.cfg/$hex" cfg.hex | grep -qi "not found" || fail "the hex IP name was answered"
want=$(printf 'default linux\nlabel linux\n  kernel http://%s/vmlinuz\n  append token=%s ip=%s\n' \
	"$LAB_SRV_IP" "$(echo "$mac" | tr -d ':')" "$LAB_NET.101")
[ "$(cat "$WORK/got/cfg.mac")" = "$want" ] || fail "rendered pxelinux.cfg: $(cat "$WORK/got/cfg.mac")"
# a real file an operator wrote wins; grub's per-MAC template and default
get pxelinux.cfg/default cfg.default >/dev/null || fail "pxelinux.cfg/default"
same "$WORK/got/cfg.default" "$root/pxelinux.cfg/default" "real default"
get "grub.cfg-01-$macd" cfg.grub >/dev/null || fail "grub.cfg-01-$macd"
[ "$(cat "$WORK/got/cfg.grub")" = "special machine $mac" ] || fail "grub per-MAC: $(cat "$WORK/got/cfg.grub")"
get "EFI/BOOT/grub.cfg" cfg.grubdef >/dev/null || fail "grub.cfg"
[ "$(cat "$WORK/got/cfg.grubdef")" = "linux http://$LAB_SRV_IP/vmlinuz token=$(echo "$mac" | tr -d ':')" ] ||
	fail "grub default: $(cat "$WORK/got/cfg.grubdef")"
# GRUB asks by address first (seed 002): a machine with a template of its
# own gets it at once, shortened names too; another address is not ours
get "grub.cfg-$hex" cfg.grubhex >/dev/null || fail "grub.cfg-$hex"
[ "$(cat "$WORK/got/cfg.grubhex")" = "special machine $mac" ] || fail "grub hex IP: $(cat "$WORK/got/cfg.grubhex")"
get "grub.cfg-${hex:0:5}" cfg.grubhex5 >/dev/null || fail "grub.cfg-${hex:0:5}"
[ "$(cat "$WORK/got/cfg.grubhex5")" = "special machine $mac" ] || fail "grub short hex"
get "grub.cfg-0A0B0C0D" cfg.other | grep -qi "not found" || fail "another machine's hex IP was answered"
[ "$(counter tftp_rendered)" = 5 ] || fail "tftp_rendered $(counter tftp_rendered), want 5"
pass "per-machine configs: 01-MAC rendered, UUID and hex IP fall through without a machine template and render with one, real files win, grub per-MAC and default"

# netascii (RFC 764): on the wire LF is CR LF and a lone CR is CR NUL;
# tftp-hpa in ascii mode turns it back; big files are refused, clearly
wire=$(c1 timeout 10 curl -s "tftp://$LAB_SRV_IP/t.txt;mode=netascii" | od -An -c | tr -s ' ' | tr -d '\n')
[ "$wire" = " l i n e 1 \r \n l i n e 2 \r \0 \r \n x \r \0 z \r \n" ] || fail "netascii on the wire: $wire"
(cd "$WORK/got" && c1 timeout 10 tftp "$LAB_SRV_IP" -m ascii -c get t.txt ascii.txt) || fail "tftp-hpa ascii"
same "$WORK/got/ascii.txt" "$root/t.txt" "netascii round trip"
out=$(cd "$WORK/got" && c1 timeout 10 tftp "$LAB_SRV_IP" -m ascii -c get kernel ascii.kernel 2>&1) || true
echo "$out" | grep -q "use octet" || fail "netascii of a 3 MB file: $out"
pass "netascii converted on the wire (CR LF, CR NUL), round trip exact, big files refused"

# reload: a replaced file is served anew, a new one appears, a removed one
# goes; the unchanged ones are shared with the load before (not re-read)
head -c 50000 /dev/urandom >"$WORK/small.new"
mv "$WORK/small.new" "$root/small"
echo "new file" >"$root/added"
rm "$root/t.txt"
ctl reload >/dev/null || fail "rackbootctl reload"
(cd "$WORK/got" && c1 timeout 10 tftp "$LAB_SRV_IP" -m binary -c get small r.small) || fail "get after reload"
same "$WORK/got/r.small" "$root/small" "replaced file after reload"
(cd "$WORK/got" && c1 timeout 10 tftp "$LAB_SRV_IP" -m binary -c get added r.added) || fail "new file after reload"
same "$WORK/got/r.added" "$root/added" "added file after reload"
rc=0; c1 timeout 10 curl -s "tftp://$LAB_SRV_IP/t.txt" -o /dev/null || rc=$?
[ "$rc" = 68 ] || fail "a removed file is still served after reload (curl $rc)"
grep -q "root.*files.*(3 unchanged" "$WORK/rackbootd.log" || fail "unchanged files not shared: $(grep files_loaded "$WORK/rackbootd.log" | tail -2)"
# a reload that cannot read the root keeps serving what it had
mv "$root" "$WORK/root.away"
out=$(ctl reload 2>&1) || true
echo "$out" | grep -q "root.*not a directory" || fail "reload without a root: $out"
(cd "$WORK/got" && c1 timeout 10 tftp "$LAB_SRV_IP" -m binary -c get added r2.added) || fail "get after a failed reload"
mv "$WORK/root.away" "$root"
same "$WORK/got/r2.added" "$root/added" "file after a failed reload"
pass "reload: replaced, added and removed files seen; unchanged ones shared; a failed reload keeps the files"

# Wait (40 s at most) until no transfer is in progress.  A session ends
# at its last ACK; one whose last ACK was lost sends its last block
# again until its retries run out (1+2+4+8+8+8 s), as RFC 1350 has it:
# the client, done, no longer answers.
drain() {
	for _ in $(seq 400); do
		[ "$(status_field tftp_transfers)" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# many clients at once
n=${RB_TFTP_CLIENTS:-1000}
tftp_storm_start "$n" small m 60
# the transfers in progress, as status and /metrics count them
most=0
for _ in $(seq 100); do
	now=$(status_field tftp_transfers)
	[ "$now" -gt "$most" ] && most=$now
	[ "$most" -gt 0 ] && [ "$now" = 0 ] && break
	sleep 0.05
done
tftp_storm_wait "$n" "$root/small" m
[ "$STORM_BAD" = 0 ] || fail "$STORM_BAD of $n concurrent transfers failed (curl exits: $STORM_EXITS)"
[ "$most" -gt 0 ] || fail "status never counted a transfer in progress"
drain || fail "tftp_transfers $(status_field tftp_transfers) 40 s after the storm"
metrics=$(in_srv curl -s http://127.0.0.1:9180/metrics)
grep -qx "rackboot_tftp_transfers 0" <<<"$metrics" || fail "/metrics: no rackboot_tftp_transfers 0"
pass "$n concurrent curl transfers, all byte-identical; up to $most in progress at once, 0 after"

# ten thousand at once, from one process (bench/tftp-load: a socket per
# transfer, every byte checked): the session table holds them all
n=${RB_TFTP_LOAD:-10000}
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((n + 100)) ]; then
	echo "note: descriptors limited to $(ulimit -n): $((n = $(ulimit -n) - 100)) transfers"
fi
head -c 65536 /dev/urandom >"$root/f64k"
ctl reload >/dev/null || fail "reload for f64k"
full0=$(counter drop.tftp_sessions_full) to0=$(counter drop.tftp_timed_out)
missed0=$(counter drop.port_missed)
c1 timeout 120 "$RB_BUILD/bench/tftp-load" -b 1468 -l 100 "$LAB_SRV_IP" f64k "$n" "$root/f64k" \
	>"$WORK/load.out" 2>&1 &
load=$!
most=0
for _ in $(seq 1200); do
	now=$(status_field tftp_transfers)
	[ "$now" -gt "$most" ] && most=$now
	kill -0 "$load" 2>/dev/null || break
	sleep 0.1
done
wait "$load" || fail "tftp-load: $(head -20 "$WORK/load.out")"
read -r _ ok all _ < "$WORK/load.out"
[ "$ok" = "$n" ] && [ "$all" = "$n" ] || fail "$n at once: $(cat "$WORK/load.out")"
[ "$(counter drop.tftp_sessions_full)" = "$full0" ] || fail "$n at once: the session table was full"
[ "$most" -ge $((n * 9 / 10)) ] || fail "$n at once: at most $most in progress together"
drain || fail "tftp_transfers $(status_field tftp_transfers) 40 s after $n"
pass "$n transfers at once from one process, every byte checked; $most in progress together: $(cut -d" " -f1-15 "$WORK/load.out"); $(( $(counter drop.tftp_timed_out) - to0 )) ended by their retries (a last ACK lost); $(( $(counter drop.port_missed) - missed0 )) frames lost to a full ring"

# TFTP beside another DHCP server (--no-dhcp): it started, once, with a
# null DHCP server and crashed
rbd_stop
[ "$RBD_RC" = 0 ] || fail "rackbootd exited with $RBD_RC"
rbd_start --port "$LAB_SRV_IF" --no-dhcp
grep -q "started:.*DHCP off" "$WORK/rackbootd.log" || fail "--no-dhcp: not 'DHCP off' at start"
get small nd.small >/dev/null || fail "get with --no-dhcp"
same "$WORK/got/nd.small" "$root/small" "--no-dhcp"
rbd_stop
[ "$RBD_RC" = 0 ] || fail "rackbootd --no-dhcp exited with $RBD_RC"
pass "--no-dhcp: DHCP off, TFTP serves"
