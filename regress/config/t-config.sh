#!/bin/sh
#
# Copyright (c) 2026 The dsvpnd developers
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
# The configuration grammar, through "dsvpnd -n -f FILE" and "-nv":
#  - N.conf parses and its -nv output is N.ok (@DIR@ stands for the
#    directory the test runs in);
#  - that output parses again to the same output (the round trip), and
#    so do etc/dsvpnd.conf.* and every EXAMPLES block of dsvpnd.conf.5;
#  - fN.conf fails with every "file:line: message" of fN.err;
#  - the file modes, key files and bytes git cannot keep are made here.
# The key is named by the macro keyfile, set with -D.

set -u

: "${SRCDIR:?}" "${BUILDDIR:?}" "${TMPDIR:?}"
HERE=$SRCDIR/regress/config
W=$TMPDIR/cfg
KEY=$W/vpn.key
failures=0
checks=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

mkdir -p "$W" || exit 1
cp "$HERE"/*.conf "$HERE"/*.inc "$HERE"/*.ok "$HERE"/*.err "$W"/ || exit 1
cp -R "$HERE"/clients.d "$HERE"/more.d "$W"/ || exit 1
# A checkout may be group-writable (umask 002), which dsvpnd refuses.
chmod 644 "$W"/*.* "$W"/*.d/*
head -c 32 /dev/urandom >"$KEY" && chmod 600 "$KEY" || exit 1
# Client keys of a server: each its own, and one copy of alice's.
for k in alice bob carol; do
	head -c 32 /dev/urandom >"$W/$k.key" && chmod 600 "$W/$k.key" || exit 1
done
cp "$W/alice.key" "$W/dup.key" && chmod 600 "$W/dup.key" || exit 1
KEYS="-D alicekey=$W/alice.key -D bobkey=$W/bob.key -D carolkey=$W/carol.key
    -D dupkey=$W/dup.key -D leases=$W/leases"

# dsvpnd -n also checks the system: the user, the chroot and the control
# socket's directory.  Configurations it must accept name a user and a
# chroot that exist on any host ($SYS); the good configurations of the
# grammar tests name others, so their -nv goes through the grammar and
# printer alone (the driver), whose output dsvpnd -nv shares.
DRIVER=$BUILDDIR/regress/config/test_confparse
SYS='user "nobody"\nchroot "/"\n'
getent passwd nobody >/dev/null || { echo "skipped: no user nobody"; exit 77; }

# The real dsvpnd once it checks configs, else the stand-in driver.
# A dsvpnd -n that hides its errors fails here, once, and the grammar
# is then tested through the driver.
P=
if [ -x "${DSVPND:-}" ]; then
	P=$DSVPND
	checks=$((checks + 1))
	if ! "$P" -n -f "$W/f1.conf" -D keyfile="$KEY" 2>&1 |
	    grep -qF "f1.conf:4: unknown keyword 'kepalive'"; then
		fail "dsvpnd -n does not print parse errors on stderr" \
		    "(is the log set to the foreground before parse_config?)"
		[ -x "$DRIVER" ] && P=$DRIVER
	fi
elif [ -x "$DRIVER" ]; then
	P=$DRIVER
	echo "note: no dsvpnd; using test_confparse"
else
	echo "skipped: neither dsvpnd nor test_confparse was built"
	exit 77
fi
echo "parser: $P"
PRINTER=$P
[ -x "$DRIVER" ] && PRINTER=$DRIVER
if [ "$PRINTER" != "$P" ] &&
    "$P" -n -D keyfile="$KEY" -f "$W/1.conf" >/dev/null 2>&1; then
	checks=$((checks + 1))
	"$P" -nv -D keyfile="$KEY" -f "$W/1.conf" >"$W/p1" 2>&1
	"$PRINTER" -nv -D keyfile="$KEY" -f "$W/1.conf" >"$W/p2" 2>&1
	cmp -s "$W/p1" "$W/p2" || { fail "dsvpnd -nv and the driver differ:"
	    diff -u "$W/p2" "$W/p1"; }
elif [ "$PRINTER" != "$P" ]; then
	echo "note: this host lacks the build's default user or chroot;" \
	    "dsvpnd -nv not compared with the driver"
fi

# parse FLAGS FILE OUT: stdout (less "configuration OK") to OUT, the
# messages to OUT.msg, with the test directory shown as @DIR@.
parse() {
	prog=$P
	[ "$1" = -nv ] && prog=$PRINTER
	# shellcheck disable=SC2086
	"$prog" "$1" -D keyfile="$KEY" $KEYS -f "$2" >"$3.raw" 2>"$3.msg"
	rc=$?
	grep -v '^configuration OK$' "$3.raw" >"$3"
	sed -i "s|$W|@DIR@|g" "$3.msg"
	return $rc
}

# roundtrip FILE: -nv output parses again to the same output.
roundtrip() {
	checks=$((checks + 1))
	if ! parse -nv "$1" "$W/rt1"; then
		fail "$1 does not parse:"; cat "$W/rt1.msg"; return
	fi
	cp "$W/rt1" "$W/rt1.conf" && chmod 644 "$W/rt1.conf"
	if ! parse -nv "$W/rt1.conf" "$W/rt2"; then
		fail "printed $1 does not parse:"; cat "$W/rt2.msg"
		cat -n "$W/rt1.conf"; return
	fi
	cmp -s "$W/rt1" "$W/rt2" || { fail "round trip of $1 differs:"
	    diff -u "$W/rt1" "$W/rt2"; }
}

# expect_fail FILE ERRFILE: fails, with every line of ERRFILE said.
expect_fail() {
	checks=$((checks + 1))
	if parse -n "$1" "$W/out"; then
		fail "$(basename "$1") was accepted"; return
	fi
	sed "s|@DIR@/||g" "$W/out.msg" >"$W/out.short"
	while IFS= read -r want; do
		grep -qF -- "$want" "$W/out.short" ||
		    grep -qF -- "$want" "$W/out.msg" || {
			fail "$(basename "$1"): missing \"$want\"; got:"
			sed 's/^/	/' "$W/out.msg"; }
	done <"$2"
}

# expect_only FILE WORDS...: fails saying exactly the words, on one line
# (a file named once, not "file: file: ...").
expect_only() {
	f=$1; shift
	checks=$((checks + 1))
	if parse -n "$f" "$W/out"; then
		fail "$(basename "$f") was accepted"; return
	fi
	printf '%s\n' "$*" | cmp -s - "$W/out.msg" || {
		fail "$(basename "$f"): want only \"$*\"; got:"
		sed 's/^/	/' "$W/out.msg"; }
}

# expect_ok FILE: parses.
expect_ok() {
	checks=$((checks + 1))
	parse -n "$1" "$W/out" || { fail "$(basename "$1") refused:"
	    cat "$W/out.msg"; }
}

# The build chooses the defaults of user, chroot and control socket
# (configure --with-user, --with-chroot-dir, --runstatedir): the .ok
# files say @DEFAULT@ where those are printed.
learn_defaults() {
	parse -nv "$W/1.conf" "$W/defaults" || return
	sed -n 's/^\(user\|chroot\|control socket\) \(.*\)$/\1 \2/p' \
	    "$W/defaults" | while IFS= read -r line; do
		printf 's|^%s$|%s @DEFAULT@|\n' "$line" "${line% \"*}"
	done >"$W/defaults.sed"
	# The instance's files sit beside the default socket: @RUNDIR@.
	sock=$(sed -n 's/^control socket "\(.*\)"$/\1/p' "$W/defaults")
	[ -n "$sock" ] && printf 's|\\([" ]\\)%s/|\\1@RUNDIR@/|g\n' \
	    "${sock%/*}" >>"$W/defaults.sed"
}

good_configs() {
	learn_defaults
	for conf in "$W"/[0-9]*.conf; do
		n=$(basename "$conf" .conf)
		checks=$((checks + 1))
		if ! parse -nv "$conf" "$W/out"; then
			fail "$n.conf refused:"; cat "$W/out.msg"; continue
		fi
		sed -i -e "s|$W|@DIR@|g" -f "$W/defaults.sed" "$W/out"
		cmp -s "$W/out" "$W/$n.ok" || { fail "$n.conf: -nv differs:"
		    diff -u "$W/$n.ok" "$W/out"; }
		roundtrip "$conf"
	done
}

bad_configs() {
	for conf in "$W"/f[0-9]*.conf; do
		expect_fail "$conf" "${conf%.conf}.err"
	done
}

# The shipped examples name /etc/dsvpnd/vpn.key: point them at ours.
with_test_key() {
	sed -e "s|^key .*|key \"$KEY\"|" \
	    -e "s|^\([[:space:]][[:space:]]*\)key \".*|\1key \"$W/alice.key\"|" \
	    -e "s|^leases .*|leases \"$W/leases\"|" "$1" >"$2" &&
	    chmod 644 "$2"
}

examples() {
	for ex in "$SRCDIR"/etc/dsvpnd.conf.server \
	    "$SRCDIR"/etc/dsvpnd.conf.client; do
		if [ ! -f "$ex" ]; then
			fail "missing $ex"; continue
		fi
		with_test_key "$ex" "$W/ex-$(basename "$ex")"
		roundtrip "$W/ex-$(basename "$ex")"
	done
	# Each literal display in EXAMPLES of the man page, unescaped.
	awk -v dir="$W" '
		/^\.Sh / { inex = ($2 == "EXAMPLES"); next }
		inex && /^\.Bd -literal/ { n++; f = dir "/man-" n ".raw"; next }
		inex && /^\.Ed/ { f = ""; next }
		f != "" { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print > f }
	' "$SRCDIR/man/dsvpnd.conf.5"
	n=0
	for raw in "$W"/man-*.raw; do
		[ -f "$raw" ] || continue
		n=$((n + 1))
		with_test_key "$raw" "${raw%.raw}.conf"
		roundtrip "${raw%.raw}.conf"
	done
	[ $n -ge 2 ] || fail "dsvpnd.conf.5: $n EXAMPLES blocks, want 2+"
}

# gen NAME MODE: writes stdin to $W/NAME with MODE.
gen() {
	cat >"$W/$1" && chmod "$2" "$W/$1"
}

# mkkey FILE MODE [BYTES|text]: a key file.
mkkey() {
	rm -f "$1"
	case $3 in
	text)	echo 0123456789abcdef0123456789ABCDEF >"$1" ;;
	b64)	head -c 32 /dev/urandom | base64 >"$1" ;;
	hex)	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1" ;;
	*)	head -c "$3" /dev/urandom >"$1" ;;
	esac
	chmod "$2" "$1"
}

generated() {
	long=$(head -c 5000 /dev/zero | tr '\0' a)
	printf 'key $keyfile\nlisten on *\nuser "%s"\n' "$long" |
	    gen g-string.conf 644
	echo 'g-string.conf:3: string too long' >"$W/g.err"
	expect_fail "$W/g-string.conf" "$W/g.err"

	printf 'key $keyfile\nlisten on *\n# %s%s\n' "$long" "$long" |
	    gen g-line.conf 644
	echo 'g-line.conf:3: line too long' >"$W/g.err"
	expect_fail "$W/g-line.conf" "$W/g.err"

	printf 'key $keyfile\nlisten on *\nuser "a\000b"\n' |
	    gen g-nul.conf 644
	echo 'g-nul.conf:3: NUL byte in line' >"$W/g.err"
	expect_fail "$W/g-nul.conf" "$W/g.err"

	printf 'key $keyfile\nlisten on *\n' | gen g-mode.conf 666
	expect_only "$W/g-mode.conf" "@DIR@/g-mode.conf: writable by group" \
	    "or others; run chmod go-w @DIR@/g-mode.conf"
	expect_only "$W/g-none.conf" \
	    "@DIR@/g-none.conf: No such file or directory"
	# Readable by others is fine: only the key is secret.
	printf "key \$keyfile\nlisten on *\n$SYS" | gen g-read.conf 644
	expect_ok "$W/g-read.conf"

	printf 'key $keyfile\nlisten on *\ninclude "g-inc.inc"\n' |
	    gen g-inc.conf 644
	echo 'keepalive 5' | gen g-inc.inc 664
	echo "g-inc.conf:3: @DIR@/g-inc.inc: writable by group or others;" \
	    "run chmod go-w @DIR@/g-inc.inc" >"$W/g.err"
	expect_fail "$W/g-inc.conf" "$W/g.err"

	# Networks behind clients: 16 per client, 256 in all (what netcfg
	# routes); the 257th, in the 17th client, is refused where it is.
	{
		printf 'listen on *\nleases "%s/leases"\n' "$W"
		printf "$SYS"
		for c in $(seq 1 17); do
			head -c 32 /dev/urandom >"$W/n$c.key"
			chmod 600 "$W/n$c.key"
			printf 'client "n%d" {\n\tkey "%s/n%d.key"\n' \
			    "$c" "$W" "$c"
			for r in $(seq 1 16); do
				printf '\troute 10.%d.%d.0/24\n' "$c" "$r"
			done
			printf '}\n'
		done
	} | gen g-nets.conf 644
	# 4 lines, then 19 per block: client 17's first route is line 311.
	echo 'g-nets.conf:311: client "n17": route 10.17.1.0/24: more than' \
	    '256 networks behind clients in all' >"$W/g.err"
	expect_fail "$W/g-nets.conf" "$W/g.err"
	sed -i '/10\.17\./d' "$W/g-nets.conf"
	expect_ok "$W/g-nets.conf"
	{
		printf 'listen on *\nleases "%s/leases"\n' "$W"
		printf "$SYS"
		printf 'client "m" {\n\tkey "%s/n1.key"\n' "$W"
	} | gen g-many.conf 644
	for r in $(seq 1 17); do
		printf '\troute 10.99.%d.0/24\n' "$r" >>"$W/g-many.conf"
	done
	echo '}' >>"$W/g-many.conf"
	echo 'g-many.conf:23: too many client "m": route lines (max 16)' \
	    >"$W/g.err"
	expect_fail "$W/g-many.conf" "$W/g.err"

	# Includes nest, but not without end.
	i=0
	while [ $i -lt 12 ]; do
		echo "include \"g-deep$((i + 1)).inc\"" |
		    gen "g-deep$i.inc" 644
		i=$((i + 1))
	done
	printf 'key $keyfile\nlisten on *\ninclude "g-deep0.inc"\n' |
	    gen g-deep.conf 644
	echo 'nested too deeply (max 8 levels)' >"$W/g.err"
	expect_fail "$W/g-deep.conf" "$W/g.err"

	if [ "$(id -u)" -eq 0 ]; then
		printf 'key $keyfile\nlisten on *\n' | gen g-owner.conf 644
		chown 65534 "$W/g-owner.conf"
		expect_only "$W/g-owner.conf" "@DIR@/g-owner.conf: owned by" \
		    "uid 65534, not root or the running user; run chown root" \
		    "@DIR@/g-owner.conf"
	fi
}

# The key named in the config is checked as dsvpnd -n runs.
keys() {
	printf "key \"%s\"\nlisten on *\n$SYS" "$W/k.key" | gen g-key.conf 644

	mkkey "$W/k.key" 600 32
	expect_ok "$W/g-key.conf"
	mkkey "$W/k.key" 600 text
	expect_ok "$W/g-key.conf"
	mkkey "$W/k.key" 400 64
	expect_ok "$W/g-key.conf"

	mkkey "$W/k.key" 640 32
	echo "g-key.conf:1: key file @DIR@/k.key: readable or writable by" \
	    "group or others; run chmod 600 @DIR@/k.key" >"$W/g.err"
	expect_fail "$W/g-key.conf" "$W/g.err"
	mkkey "$W/k.key" 604 32
	expect_fail "$W/g-key.conf" "$W/g.err"

	mkkey "$W/k.key" 600 b64
	echo "g-key.conf:1: key file @DIR@/k.key holds the base64 text of a" \
	    "key, not the key; decode it with (umask 077; base64 -d <" \
	    "@DIR@/k.key > @DIR@/k.key.raw) and name @DIR@/k.key.raw" \
	    >"$W/g.err"
	expect_fail "$W/g-key.conf" "$W/g.err"
	mkkey "$W/k.key" 600 hex
	echo "g-key.conf:1: key file @DIR@/k.key holds 64 hex digits" \
	    >"$W/g.err"
	expect_fail "$W/g-key.conf" "$W/g.err"

	mkkey "$W/k.key" 600 31
	echo "g-key.conf:1: key file @DIR@/k.key: 31 bytes, a key needs 32" \
	    >"$W/g.err"
	expect_fail "$W/g-key.conf" "$W/g.err"

	rm -f "$W/k.key"
	echo "g-key.conf:1: key file @DIR@/k.key: No such file or directory" \
	    >"$W/g.err"
	expect_fail "$W/g-key.conf" "$W/g.err"
}

# dsvpnd -n checks what it can of the system: the user and its group,
# the chroot (every directory up to / only root may change), the control
# socket's directory; a NAT interface that is missing is a warning.
system() {
	[ "$P" = "${DSVPND:-}" ] || { echo "note: no system checks" \
	    "without dsvpnd -n"; return; }
	base="key \$keyfile\nlisten on *\n"
	printf "${base}user nosuchuser_dsvpnd\nchroot \"/\"\n" |
	    gen s-user.conf 644
	expect_only "$W/s-user.conf" "@DIR@/s-user.conf: user" \
	    "nosuchuser_dsvpnd does not exist: create it, e.g. with" \
	    "useradd -r -d / -s /usr/sbin/nologin nosuchuser_dsvpnd"
	printf "${base}user root\nchroot \"/\"\n" | gen s-root.conf 644
	expect_only "$W/s-root.conf" "@DIR@/s-root.conf: user root is" \
	    "root: name an unprivileged user"
	mkdir -p "$W/s-chroot"
	printf "${base}user nobody\nchroot \"$W/s-chroot\"\n" |
	    gen s-chroot.conf 644
	echo "@DIR@/s-chroot.conf: chroot directory @DIR@/s-chroot:" \
	    >"$W/g.err"
	expect_fail "$W/s-chroot.conf" "$W/g.err"
	printf "${base}user nobody\nchroot /nonexistent/empty\n" |
	    gen s-nochroot.conf 644
	expect_only "$W/s-nochroot.conf" "@DIR@/s-nochroot.conf: chroot" \
	    "directory /nonexistent/empty: No such file or directory"
	printf "${base}${SYS}control socket /nonexistent/d.sock\n" |
	    gen s-sock.conf 644
	expect_only "$W/s-sock.conf" "@DIR@/s-sock.conf: control socket" \
	    "/nonexistent/d.sock: directory /nonexistent: No such file or" \
	    "directory"
	printf "${base}${SYS}nat on nosuchif0\n" | gen s-nat.conf 644
	checks=$((checks + 1))
	if parse -n "$W/s-nat.conf" "$W/out" &&
	    grep -q "warning: nat on nosuchif0: no such interface now" \
	    "$W/out.msg" && grep -q "configuration OK" "$W/out.msg"; then
		:
	else
		fail "nat on a missing interface: want a warning and OK; got:"
		cat "$W/out.msg"
	fi
}

# -D wins over a macro the file sets, as in pf.conf.
macros() {
	printf "keyfile = \"/nonexistent\"\nkey \$keyfile\nlisten on *\n$SYS" |
	    gen g-macro.conf 644
	expect_ok "$W/g-macro.conf"
}

# -I names the instance over the file's name (its id, if the file gives
# one, stays); the control socket follows unless the file sets it.
instances() {
	[ "$P" = "${DSVPND:-}" ] || return 0
	# Without the build's user or chroot (a package build) -nv stops.
	"$P" -n -D keyfile="$KEY" -f "$W/1.conf" >/dev/null 2>&1 || return 0
	checks=$((checks + 1))
	out=$("$P" -nv -I home -D keyfile="$KEY" -f "$W/1.conf" 2>&1)
	echo "$out" | grep -qx 'instance "home" id [0-9]*' ||
	    fail "-I home: no instance line"
	echo "$out" | grep -q '^control socket ".*/dsvpnd-home.sock"$' ||
	    fail "-I home: the socket is not the instance's"
	echo "$out" | grep -q '^#   nft table inet dsvpnd-home;' ||
	    fail "-I home: no derived names"
	out=$("$P" -nv -I home -D keyfile="$KEY" -f "$W/51.conf" 2>&1)
	echo "$out" | grep -qx 'instance "home" id 1023' ||
	    fail "-I home: the file's id went"
	echo "$out" | grep -qx 'control socket "/tmp/a_b-1.sock"' ||
	    fail "-I home: the file's socket went"
	"$P" -n -I "Bad!" -D keyfile="$KEY" -f "$W/1.conf" >"$W/out" 2>&1 &&
	    fail "-I Bad! accepted"
	grep -q "bad instance name" "$W/out" || fail "-I Bad!: no reason"
}

good_configs
instances
bad_configs
examples
generated
keys
system
macros

echo "$checks checks, $failures failed"
[ $failures -eq 0 ]
