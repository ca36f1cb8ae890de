#!/usr/bin/env bash
# HTTP with real clients (curl, and tests/e2e/httpclient.py for what curl
# will not send): GET and HEAD from the cache and from disk, keep-alive and
# pipelining, ranges (206, 416), validators (304), every refusal (400, 403,
# 404, 405, 414, 431, 505), a file over 4 GiB, a 512 MiB LiveOS image whole
# and in ranges, per-machine iPXE scripts and GRUB configs (by lease, by
# ?mac=), the access log, /metrics, reload, 1,000 connections at once, a
# slowloris cut off while others are served, the connection limit, pacing.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 30)" --clients 1
root=$WORK/root
mkdir -p "$root/live" "$WORK/got"
head -c 3000000 /dev/urandom >"$root/kernel"           # in the cache
head -c 40000000 /dev/urandom >"$root/initrd"          # on disk only
printf '#!ipxe\necho static script\n' >"$root/static.ipxe"
echo "secret" >"$WORK/outside"
ln -s "$WORK/outside" "$root/escape"
ln -s kernel "$root/kernel-link"
tmpl=$WORK/templates
mkdir -p "$tmpl"
printf '#!ipxe\nkernel ${http}kernel token=${mac_hex} ip=${ip} uuid=${uuid}\nboot\n' >"$tmpl/boot.ipxe"
printf 'linux ${http}kernel token=${mac_hex}\n' >"$tmpl/grub.cfg"
mac=$(ip netns exec "rb$LAB_ID-c1" cat "/sys/class/net/$LAB_CLIENT_IF/address")
macd=$(echo "$mac" | tr ':' '-')
machex=$(echo "$mac" | tr -d ':')
printf '#!ipxe\necho this machine has its own script ${mac}\n' >"$tmpl/boot.ipxe-01-$macd"
# files over 4 MiB go over HTTP from disk; the LiveOS image is one
rbd_start --port "$LAB_SRV_IF" --templates "$tmpl" --tftp-max-file 4 \
	--http-access-log "$WORK/access.log"
sha() { sha256sum "$1" | cut -d' ' -f1; }
same() { [ "$(sha "$1")" = "$(sha "$2")" ] || fail "$3: $1 differs from $2"; }
c1() { ip netns exec "rb$LAB_ID-c1" "$@"; }
URL=http://$LAB_SRV_IP
HC="python3 $RB_SRC/tests/e2e/httpclient.py"
metric() { in_srv curl -s http://127.0.0.1:9180/metrics | awk -v k="$1" '$1 == k { print $2 }'; }
# the status code curl saw
code() { c1 curl -s -o /dev/null -w '%{http_code}' "$@"; }

# --- GET, HEAD, keep-alive
c1 curl -sSf -o "$WORK/got/kernel" "$URL/kernel" || fail "GET kernel"
same "$WORK/got/kernel" "$root/kernel" "GET from the cache"
c1 curl -sSf -o "$WORK/got/initrd" "$URL/initrd" || fail "GET initrd"
same "$WORK/got/initrd" "$root/initrd" "GET from disk"
c1 curl -sSf -o "$WORK/got/link" "$URL/kernel-link" || fail "GET a symlink inside the root"
same "$WORK/got/link" "$root/kernel" "symlink inside the root"
hdr=$(c1 curl -sSfI "$URL/initrd") || fail "HEAD"
echo "$hdr" | grep -qi "^content-length: 40000000" || fail "HEAD: $hdr"
echo "$hdr" | grep -qi "^etag: \"" || fail "HEAD without ETag: $hdr"
echo "$hdr" | grep -qi "^last-modified: " || fail "HEAD without Last-Modified"
echo "$hdr" | grep -qi "^accept-ranges: bytes" || fail "HEAD without Accept-Ranges"
echo "$hdr" | grep -qi "^content-type: application/octet-stream" || fail "HEAD content type"
c1 curl -sSfI "$URL/static.ipxe" | grep -qi "^content-type: text/plain" || fail "script content type"
before=$(metric rackboot_http_connections_total)
out=$(c1 curl -sSf -v "$URL/static.ipxe" "$URL/kernel" -o /dev/null -o /dev/null 2>&1) ||
	fail "two GETs on one connection"
echo "$out" | grep -q "Re-using existing connection" || fail "no keep-alive: $out"
after=$(metric rackboot_http_connections_total)
# (the second /metrics fetch is a connection too)
[ $((after - before - 1)) = 1 ] || fail "keep-alive: $((after - before - 1)) connections for 2 requests"
p=$(c1 $HC pipeline "$LAB_SRV_IP" 80 /static.ipxe /kernel /nosuch /static.ipxe)
[ "$(echo "$p" | awk '{print $1}' | tr '\n' ' ')" = "200 200 404 200 " ] || fail "pipelining: $p"
echo "$p" | sed -n 2p | grep -q "$(sha "$root/kernel")" || fail "pipelined body: $p"
pass "GET (cache and disk), HEAD, keep-alive (1 connection for 2 requests), 4 pipelined requests"

# --- ranges and validators
c1 curl -sSf -r 1000-1999 -o "$WORK/got/r" "$URL/initrd" || fail "range"
cmp "$WORK/got/r" <(tail -c +1001 "$root/initrd" | head -c 1000) || fail "range bytes"
[ "$(code -r 1000-1999 "$URL/initrd")" = 206 ] || fail "range status"
c1 curl -sSf -D "$WORK/h" -r -500 -o "$WORK/got/r" "$URL/kernel" || fail "suffix range"
cmp "$WORK/got/r" <(tail -c 500 "$root/kernel") || fail "suffix range bytes"
grep -qi "^content-range: bytes 2999500-2999999/3000000" "$WORK/h" || fail "Content-Range: $(cat "$WORK/h")"
c1 curl -sSf -r 39999990- -o "$WORK/got/r" "$URL/initrd" || fail "open range"
[ "$(stat -c %s "$WORK/got/r")" = 10 ] || fail "open range length"
[ "$(code -r 50000000-50000010 "$URL/initrd")" = 416 ] || fail "unsatisfiable range: not 416"
etag=$(echo "$hdr" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
[ "$(code -H "If-None-Match: $etag" "$URL/initrd")" = 304 ] || fail "If-None-Match: not 304"
[ "$(code -H "If-None-Match: \"other\"" "$URL/initrd")" = 200 ] || fail "If-None-Match other: not 200"
lm=$(echo "$hdr" | awk -F': ' 'tolower($1) == "last-modified" {print $2}' | tr -d '\r')
[ "$(code -H "If-Modified-Since: $lm" "$URL/initrd")" = 304 ] || fail "If-Modified-Since: not 304"
[ "$(code -r 0-9 -H "If-Range: \"stale\"" "$URL/initrd")" = 200 ] || fail "If-Range stale: not the whole file"
[ "$(code -r 0-9 -H "If-Range: $etag" "$URL/initrd")" = 206 ] || fail "If-Range current: not 206"
pass "ranges (206, suffix, open, 416), If-None-Match and If-Modified-Since (304), If-Range"

# --- refusals
[ "$(code "$URL/nosuch")" = 404 ] || fail "missing: not 404"
[ "$(code -X POST "$URL/kernel")" = 405 ] || fail "POST: not 405"
[ "$(code -X DELETE "$URL/kernel")" = 405 ] || fail "DELETE: not 405"
[ "$(code --path-as-is "$URL/../../etc/passwd")" = 403 ] || fail "..: not 403"
[ "$(code --path-as-is "$URL/live/%2e%2e/%2E%2E/etc/passwd")" = 403 ] || fail "encoded ..: not 403"
[ "$(code "$URL/escape")" = 403 ] || fail "symlink out of the root: not 403"
[ "$(code "$URL/kernel%00.txt")" = 400 ] || fail "NUL: not 400"
[ "$(code "$URL/$(head -c 3000 /dev/zero | tr '\0' a)")" = 414 ] || fail "long URI: not 414"
[ "$(code -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' b)" "$URL/kernel")" = 431 ] || fail "big header: not 431"
[ "$(code "$URL/live")" = 404 ] || fail "a directory: not 404"
r=$(printf 'GET /kernel HTTP/1.1\n\n' | c1 $HC raw "$LAB_SRV_IP" 80 | head -1)
case $r in "HTTP/1.1 400 "*) ;; *) fail "no Host: $r" ;; esac
r=$(printf 'GET /kernel HTTP/1.1\nHost : x\n\n' | c1 $HC raw "$LAB_SRV_IP" 80 | head -1)
case $r in "HTTP/1.1 400 "*) ;; *) fail "space before colon: $r" ;; esac
r=$(printf 'GET /kernel HTTP/3.0\nHost: x\n\n' | c1 $HC raw "$LAB_SRV_IP" 80 | head -1)
case $r in "HTTP/1.1 505 "*) ;; *) fail "HTTP/3.0: $r" ;; esac
r=$(printf 'GET /kernel HTTP/1.1\nHost: x\nContent-Length: 4\n\nabcd' | c1 $HC raw "$LAB_SRV_IP" 80 | head -1)
case $r in "HTTP/1.1 400 "*) ;; *) fail "a body: $r" ;; esac
grep -q "secret" "$WORK/got/"* 2>/dev/null && fail "a file outside the root was served"
[ "$(metric 'rackboot_http_errors_total{reason="traversal"}')" -ge 2 ] || fail "traversal not counted"
[ "$(metric 'rackboot_http_errors_total{reason="outside_root"}')" -ge 1 ] || fail "symlink escape not counted"
pass "404, 405, 403 (.., encoded .., symlink out), 400 (NUL, no Host, bad header, body), 414, 431, 505; counted"

# --- over 4 GiB: a sparse file with known bytes near its end
truncate -s 5G "$root/big.iso"
printf 'END-OF-A-5-GIB-FILE' | dd of="$root/big.iso" bs=1 seek=$((5 * 1024 * 1024 * 1024 - 19)) conv=notrunc status=none
c1 curl -sSfI "$URL/big.iso" | grep -qi "^content-length: 5368709120" || fail "5 GiB length"
got=$(c1 curl -sSf -r 5368709101- "$URL/big.iso") || fail "5 GiB range"
[ "$got" = "END-OF-A-5-GIB-FILE" ] || fail "bytes past 4 GiB: '$got'"
got=$(c1 curl -sSf -r 4294967296-4294967305 "$URL/big.iso" | od -An -tx1 | tr -d ' \n')
[ "$got" = 00000000000000000000 ] || fail "bytes at 4 GiB: $got"
pass "a 5 GiB file: length, a range at 4 GiB and at its end"

# --- LiveOS: a 512 MiB image, whole and in ranges
head -c $((512 * 1024 * 1024)) /dev/urandom >"$root/live/rootfs.img"
own0=$(counter drop.eth_own_source) tcp0=$(counter drop.ip_proto_other) rx0=$(counter rx_frames)
c1 timeout 120 curl -sSf -o "$WORK/got/rootfs.img" "$URL/live/rootfs.img" || fail "512 MiB GET"
same "$WORK/got/rootfs.img" "$root/live/rootfs.img" "512 MiB image"
# the kernel's TCP (~370,000 segments out, ACKs in) stays out of the
# af_packet rings: the port's socket filter
rx=$(( $(counter rx_frames) - rx0 ))
[ "$rx" -lt 2000 ] || fail "the af_packet port took $rx frames during an HTTP download (own source $(( $(counter drop.eth_own_source) - own0 )), TCP $(( $(counter drop.ip_proto_other) - tcp0 )))"
pass "512 MiB over the kernel's TCP: $rx frames reached the af_packet rings"
rm -f "$WORK/got/rootfs.img"
for i in 0 1 2 3; do
	lo=$((i * 128 * 1024 * 1024)) hi=$(((i + 1) * 128 * 1024 * 1024 - 1))
	c1 timeout 60 curl -sSf -r "$lo-$hi" -o "$WORK/got/part$i" "$URL/live/rootfs.img" || fail "range $i"
done
cat "$WORK/got/part"[0-3] >"$WORK/got/joined"
same "$WORK/got/joined" "$root/live/rootfs.img" "512 MiB image in 4 ranges"
rm -f "$WORK/got/part"* "$WORK/got/joined"
pass "512 MiB LiveOS image: whole and in 4 ranges, sha256 identical"

# --- per-machine scripts and configs
got=$(c1 curl -sSf "$URL/boot.ipxe?mac=52:54:00:aa:bb:cc&uuid=12345678-1234-1234-1234-123456789abc") || fail "boot.ipxe?mac="
echo "$got" | grep -q "token=525400aabbcc ip=$LAB_NET.101 uuid=12345678-1234-1234-1234-123456789abc" ||
	fail "boot.ipxe by ?mac=: $got"
got=$(c1 curl -sSf "$URL/boot.ipxe?mac=$macd") || fail "boot.ipxe?mac= own"
echo "$got" | grep -q "has its own script $mac" || fail "own script by ?mac=: $got"
got=$(c1 curl -sSf "$URL/boot.ipxe") || fail "boot.ipxe, no lease"
echo "$got" | grep -q "token= ip=$LAB_NET.101" || fail "boot.ipxe of an unknown machine: $got"
got=$(c1 curl -sSf "$URL/grub/grub.cfg-01-52-54-00-aa-bb-cc") || fail "grub.cfg-01-mac"
[ "$got" = "linux http://$LAB_SRV_IP/kernel token=525400aabbcc" ] || fail "grub.cfg over HTTP: $got"
c1 curl -sSfI "$URL/boot.ipxe" | grep -qi "^cache-control: no-store" || fail "rendered: cacheable"
# a lease: the machine is known by its address
cat >"$WORK/udhcpc-script" <<SCRIPT
#!/bin/sh
case "\$1" in bound|renew) ip addr add "\$ip/\$mask" dev "\$interface" ;; esac
echo "\$1 \$ip" >>"$WORK/udhcpc.events"
SCRIPT
chmod +x "$WORK/udhcpc-script"
c1 timeout 20 busybox udhcpc -q -n -i "$LAB_CLIENT_IF" -t 5 -T 1 -s "$WORK/udhcpc-script" >/dev/null 2>&1 ||
	fail "udhcpc: no lease"
leased=$(awk '/^bound/ {print $2; exit}' "$WORK/udhcpc.events")
got=$(c1 curl -sSf --interface "$leased" "$URL/boot.ipxe") || fail "boot.ipxe from $leased"
echo "$got" | grep -q "has its own script $mac" || fail "boot.ipxe by lease: $got"
pass "boot.ipxe by ?mac= and ?uuid=, by DHCP lease ($leased), default; grub.cfg-01-<mac> over HTTP"

# --- the access log and metrics
sleep 0.5 # the log is written in batches
grep -q "\"GET /initrd\" 200 40000000 " "$WORK/access.log" || fail "access log: $(tail -3 "$WORK/access.log")"
grep -q "\"POST /kernel\" 405 " "$WORK/access.log" || fail "access log of a refusal"
grep -q "$LAB_NET.101:[0-9]* \"HEAD /initrd\" 200 0 " "$WORK/access.log" || fail "access log of HEAD"
m=$(in_srv curl -s http://127.0.0.1:9180/metrics)
echo "$m" | grep -q '^rackboot_http_requests_total{code="206"} [1-9]' || fail "metrics: 206"
echo "$m" | grep -q '^rackboot_dataplane_total{counter="dhcp_ack"} [1-9]' || fail "metrics: DHCP counters"
echo "$m" | grep -q '^rackboot_http_connections_active 1$' || fail "metrics: active"
c1 curl -s -m 3 "http://$LAB_SRV_IP:9180/metrics" >/dev/null && fail "admin listener reachable from a client"
pass "access log lines (method, path, status, bytes, client); /metrics on loopback only"

# --- reload: a replaced file is served new
printf '#!ipxe\necho replaced\n' >"$root/static.ipxe.new"
mv "$root/static.ipxe.new" "$root/static.ipxe"
ctl reload >/dev/null
c1 curl -sSf "$URL/static.ipxe" | grep -q replaced || fail "reload: old content"
pass "reload: the replaced file is served"

# --- 1,000 connections at once, each fetching a script
mkdir -p "$WORK/many"
c1 timeout 120 $HC many "$LAB_SRV_IP" 80 /static.ipxe 1000 "$(sha "$root/static.ipxe")" "$WORK/many" \
	>"$WORK/many.out" 2>&1 &
many_pid=$!
for _ in $(seq 200); do [ -e "$WORK/many/open" ] && break; sleep 0.1; done
[ -e "$WORK/many/open" ] || fail "1000 connections did not open: $(cat "$WORK/many.out")"
active=$(metric rackboot_http_connections_active)
touch "$WORK/many/go"
wait "$many_pid" || fail "many: $(cat "$WORK/many.out")"
grep -q "^1000/1000 ok" "$WORK/many.out" || fail "many: $(cat "$WORK/many.out")"
[ "$active" -ge 1000 ] || fail "only $active connections open at once"
pass "1,000 connections open at once ($active active), every script served"

# --- slowloris: cut at the header timeout while others are served
rbd_stop
[ "$RBD_RC" = 0 ] || fail "rackbootd exited with $RBD_RC"
grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$WORK/rackbootd.log" && fail "sanitizer report"
rbd_start --port "$LAB_SRV_IF" --http-header-timeout 2 --http-max-conns 20 \
	--http-rate 1M
c1 $HC slow "$LAB_SRV_IP" 80 >"$WORK/slow.out" 2>&1 &
slow_pid=$!
sleep 0.5
c1 curl -sSf -o /dev/null "$URL/static.ipxe" || fail "a client beside the slowloris"
wait "$slow_pid"
grep -q "^cut after" "$WORK/slow.out" || fail "slowloris: $(cat "$WORK/slow.out")"
secs=$(awk '{print int($3)}' "$WORK/slow.out")
[ "$secs" -ge 1 ] && [ "$secs" -le 6 ] || fail "slowloris cut after $secs s, header timeout 2 s"
[ "$(metric 'rackboot_http_timeouts_total{kind="header"}')" -ge 1 ] || fail "header timeout not counted"
pass "slowloris cut off ($(cat "$WORK/slow.out")), others served meanwhile"

# --- the connection limit: the 21st of 20 gets 503, counted
mkdir -p "$WORK/lim"
c1 timeout 30 $HC many "$LAB_SRV_IP" 80 /static.ipxe 20 x "$WORK/lim" >/dev/null 2>&1 &
lim_pid=$!
for _ in $(seq 100); do [ -e "$WORK/lim/open" ] && break; sleep 0.1; done
[ "$(code "$URL/static.ipxe")" = 503 ] || fail "over the limit: not 503"
touch "$WORK/lim/go"
wait "$lim_pid" || true
[ "$(metric 'rackboot_http_connections_rejected_total{reason="limit"}')" -ge 1 ] || fail "limit not counted"
pass "connection limit: 503 beyond 20, counted"

# --- pacing: 3 MB at 1 MB/s takes about 3 s (a floor, not a speed test)
t0=$(date +%s%N)
c1 curl -sSf -o "$WORK/got/paced" "$URL/kernel" || fail "paced GET"
t1=$(date +%s%N)
same "$WORK/got/paced" "$root/kernel" "paced"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -ge 2000 ] || fail "--http-rate 1M: 3 MB in $ms ms"
pass "--http-rate 1M: 3 MB in $ms ms, byte-identical"
rbd_stop
[ "$RBD_RC" = 0 ] || fail "rackbootd exited with $RBD_RC"
grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$WORK/rackbootd.log" && fail "sanitizer report"
pass "rackbootd stopped cleanly"

# --- sender turns: with 2, eight 3 MB downloads asked in one burst (all
# connections open first, then every request at once: eight curls started
# one by one could each find a turn free, as the kernel's socket buffers
# take a whole 3 MB body in a few ms) all arrive whole, most after waiting
# their turn (counted); with 1, a
# reader taking 100 KB/s holds the turn for its slice (2 s) at most, so a
# download queued behind it ends long before it (the 40 MB initrd: more
# than the socket buffers on the way take, so the reader's sends stall)
rbd_start --port "$LAB_SRV_IF" --http-senders 2
mkdir -p "$WORK/turns"
ksha=$(sha256sum "$root/kernel" | cut -d' ' -f1)
c1 timeout 60 $HC many "$LAB_SRV_IP" 80 /kernel 8 "$ksha" "$WORK/turns" >"$WORK/turns.out" 2>&1 &
turns_pid=$!
for _ in $(seq 100); do [ -e "$WORK/turns/open" ] && break; sleep 0.1; done
[ -e "$WORK/turns/open" ] || fail "turns: 8 connections not open"
touch "$WORK/turns/go"
wait "$turns_pid" || fail "turns: the client failed: $(cat "$WORK/turns.out")"
[ "$(cat "$WORK/turns.out")" = "8/8 ok" ] || fail "turns: $(cat "$WORK/turns.out") byte-identical"
waits=$(metric rackboot_http_send_waits_total)
[ "$waits" -ge 4 ] || fail "8 downloads at once with 2 turns: only $waits waited"
rbd_stop
rbd_start --port "$LAB_SRV_IF" --http-senders 1
c1 curl -sSf --limit-rate 100K -o "$WORK/got/turn.slow" "$URL/initrd" &
slow=$!
sleep 1
w0=$(metric rackboot_http_send_waits_total)
t0=$(date +%s%N)
c1 curl -sSf -m 25 -o "$WORK/got/turn.next" "$URL/kernel" || fail "the download behind a slow reader"
t1=$(date +%s%N)
kill -0 "$slow" 2>/dev/null || fail "the slow reader ended first: the test proves nothing"
ms=$(((t1 - t0) / 1000000))
same "$WORK/got/turn.next" "$root/kernel" "behind a slow reader"
[ "$ms" -le 10000 ] || fail "the download behind a slow reader took $ms ms"
[ "$(metric rackboot_http_send_waits_total)" -gt "$w0" ] || fail "the download behind the slow reader did not wait: the test proves nothing"
kill "$slow" 2>/dev/null; wait "$slow" 2>/dev/null || true
rbd_stop
[ "$RBD_RC" = 0 ] || fail "rackbootd exited with $RBD_RC"
pass "sender turns: 8 downloads on 2 turns whole ($waits waited); behind a 100 KB/s reader holding the only turn, the next download took $ms ms"

# --- a machine's next large file waits ahead of other machines' first: on
# the only turn at 3 MB/s (1 s a file), machine A gets its kernel while B,
# C and D queue for theirs; the turn A gives back goes to B (A has not
# asked again yet), but A's second file on the same connection then goes
# before C and D, so A is done while two still wait (in order of arrival,
# A's second file would end last)
rbd_start --port "$LAB_SRV_IF" --http-senders 1 --http-rate 3M
ends() { "$@"; local rc=$?; date +%s%N >"$WORK/end.$i"; return $rc; }
i=A ends c1 curl -sSf -o "$WORK/got/ka.1" "$URL/kernel" -o "$WORK/got/ka.2" "$URL/kernel" &
pids=("$!")
sleep 0.3
for i in B C D; do
	ends c1 curl -sSf -o "$WORK/got/kb.$i" "$URL/kernel" &
	pids+=("$!")
	sleep 0.05
done
for p in "${pids[@]}"; do wait "$p" || fail "a download of the machines taking turns failed"; done
for f in ka.1 ka.2 kb.B kb.C kb.D; do same "$WORK/got/$f" "$root/kernel" "turns in order: $f"; done
after=0
for i in B C D; do [ "$(cat "$WORK/end.$i")" -gt "$(cat "$WORK/end.A")" ] && after=$((after + 1)); done
[ "$after" -ge 2 ] || fail "a machine's second file did not go ahead of first downloads ($after of 3 ended after it)"
rbd_stop
[ "$RBD_RC" = 0 ] || fail "rackbootd exited with $RBD_RC"
pass "sender turns: a machine's second file went ahead of first downloads ($after of 3 others ended after it)"

# --- the other ways to send a file from disk, on two threads
for mode in splice zc; do
	rbd_start --port "$LAB_SRV_IF" --http-send "$mode" --http-threads 2 --tftp-max-file 1
	# 3 rounds of 4 at once: buffers shared, partial sends
	for r in 1 2 3; do
		pids=()
		for i in 1 2 3 4; do
			c1 curl -sSf -o "$WORK/got/$mode.$i" "$URL/initrd" &
			pids+=("$!")
		done
		for p in "${pids[@]}"; do wait "$p" || fail "$mode: GET"; done
		for i in 1 2 3 4; do
			same "$WORK/got/$mode.$i" "$root/initrd" "--http-send $mode (round $r)"
		done
	done
	c1 curl -sSf -r 1000-1999 -o "$WORK/got/r" "$URL/kernel" || fail "$mode: range"
	cmp "$WORK/got/r" <(tail -c +1001 "$root/kernel" | head -c 1000) || fail "$mode: range bytes"
	rbd_stop
	[ "$RBD_RC" = 0 ] || fail "rackbootd ($mode) exited with $RBD_RC"
	rm -f "$WORK/got/$mode".*
	pass "--http-send $mode on 2 threads: 3 x 4 files at once and a range, byte-identical"
done
grep -E "AddressSanitizer|LeakSanitizer|runtime error" "$WORK/rackbootd.log" && fail "sanitizer report"
true
