# The OpenBSD port skeleton (pkg/openbsd/net/dsvpnd), checked as text,
# since no OpenBSD runs here: its PLIST lists exactly what "make install"
# puts under the port's PREFIX (the OpenBSD layout: /usr/local, man
# pages in /usr/local/man, no systemd units, the rc.d script from
# pkg/dsvpnd.rc), its user is the build's default user with the default
# chroot as home, the version is configure's, DESCR fits 80 columns, the
# rc script parses, and the Makefile has what a port needs.
# timeout: 120
set -u
: "${SRCDIR:?}" "${BUILDDIR:?}" "${TMPDIR:?}"
PORT=$SRCDIR/pkg/openbsd/net/dsvpnd
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

for f in Makefile distinfo pkg/DESCR pkg/PLIST pkg/dsvpnd.rc; do
	[ -s "$PORT/$f" ] || fail "missing $f"
done

# DESCR: plain text, no line over 80 columns.
awk 'length($0) > 80 { print FILENAME ":" NR ": " length($0) " columns"; bad = 1 }
    END { exit bad }' "$PORT/pkg/DESCR" || fail "DESCR has long lines"
grep -q "$(printf '\t')" "$PORT/pkg/DESCR" && fail "DESCR has tabs"

# The rc script: parses, runs the port's dsvpnd through rc.subr.
sh -n "$PORT/pkg/dsvpnd.rc" || fail "pkg/dsvpnd.rc does not parse"
command -v ksh >/dev/null && { ksh -n "$PORT/pkg/dsvpnd.rc" ||
    fail "pkg/dsvpnd.rc does not parse in ksh"; }
grep -qx 'daemon="${TRUEPREFIX}/sbin/dsvpnd"' "$PORT/pkg/dsvpnd.rc" ||
    fail "the rc script's daemon is not \${TRUEPREFIX}/sbin/dsvpnd"
grep -qx '\. /etc/rc.d/rc.subr' "$PORT/pkg/dsvpnd.rc" &&
    tail -n 1 "$PORT/pkg/dsvpnd.rc" | grep -qx 'rc_cmd $1' ||
    fail "the rc script does not use rc.subr"

# The Makefile: version, what a port must say, the configure choices.
mk() { sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$PORT/Makefile"; }
version=$(sed -n 's/^AC_INIT(\[dsvpnd\], \[\([^]]*\)\].*/\1/p' \
    "$SRCDIR/configure.ac")
[ "$(mk V)" = "$version" ] || fail "port V=$(mk V), configure.ac $version"
comment=$(mk COMMENT)
[ -n "$comment" ] && [ ${#comment} -le 60 ] ||
    fail "COMMENT missing or over 60 characters"
case $comment in
[A-Z]*|a\ *|an\ *|*.) fail "COMMENT: lower case, no article, no period" ;;
esac
[ "$(mk PERMIT_PACKAGE)" = Yes ] || fail "PERMIT_PACKAGE is not Yes"
[ "$(mk DISTNAME)" = 'dsvpnd-${V}' ] || fail "DISTNAME is not dsvpnd-\${V}"
for a in --with-rcdir=no --with-systemdsystemunitdir=no \
    --with-sandbox=pledge; do
	grep -q -- "$a" "$PORT/Makefile" || fail "CONFIGURE_ARGS lacks $a"
done
[ "$(tail -n 1 "$PORT/Makefile")" = ".include <bsd.port.mk>" ] ||
    fail "the Makefile does not end with bsd.port.mk"
grep -q "^SHA256 (dsvpnd-$version.tar.gz) = " "$PORT/distinfo" &&
    grep -q "^SIZE (dsvpnd-$version.tar.gz) = " "$PORT/distinfo" ||
    fail "distinfo does not name dsvpnd-$version.tar.gz"

# The user: configure's default user, its default chroot as home.
duser=$(sed -n 's/.*\[DSVPND_USER=\$withval\], \[DSVPND_USER=\([^]]*\)\].*/\1/p' \
    "$SRCDIR/configure.ac")
dchroot=$(sed -n 's/.*\[DSVPND_CHROOT=\$withval\], \[DSVPND_CHROOT=\([^]]*\)\].*/\1/p' \
    "$SRCDIR/configure.ac")
nu=$(grep '^@newuser ' "$PORT/pkg/PLIST" | sed 's/^@newuser //')
ng=$(grep '^@newgroup ' "$PORT/pkg/PLIST" | sed 's/^@newgroup //')
IFS=: read -r uname uid ugroup uclass ucomment uhome ushell <<EOF2
$nu
EOF2
[ "$uname" = "$duser" ] || fail "@newuser $uname, configure's user $duser"
[ "$uhome" = "$dchroot" ] || fail "@newuser home $uhome, chroot $dchroot"
[ "$ushell" = /sbin/nologin ] || fail "@newuser shell $ushell"
[ "$ugroup" = "${ng%%:*}" ] && [ -n "$uid" ] && [ "${ng#*:}" -gt 0 ] ||
    fail "@newgroup $ng does not match @newuser $nu"
[ "$(echo "$nu" | tr -cd : | wc -c)" -eq 6 ] ||
    fail "@newuser needs 7 fields: $nu"

# What make install puts under the port's PREFIX, against the PLIST.
D=$TMPDIR/destdir
make -s -C "$BUILDDIR" install DESTDIR="$D" prefix=/usr/local \
    exec_prefix=/usr/local sbindir=/usr/local/sbin \
    datadir=/usr/local/share mandir=/usr/local/man \
    examplesdir=/usr/local/share/examples/dsvpnd \
    systemdsystemunitdir=/not-on-openbsd rcdir=/not-on-openbsd \
    >"$TMPDIR/install.log" 2>&1 || { cat "$TMPDIR/install.log";
    fail "make install failed"; }
(cd "$D/usr/local" && find . -type f | sed 's|^\./||' | sort) \
    >"$TMPDIR/installed"
grep -v '^@\(newuser\|newgroup\|rcscript\|sample\|mode\|owner\|group\)' \
    "$PORT/pkg/PLIST" | grep -v '/$' | sed 's/^@\(bin\|man\|lib\) //' |
    sort >"$TMPDIR/plist"
if cmp -s "$TMPDIR/installed" "$TMPDIR/plist"; then
	ok "PLIST matches make install ($(wc -l <"$TMPDIR/plist") files)"
else
	fail "PLIST and make install differ (- PLIST, + installed):"
	diff -u "$TMPDIR/plist" "$TMPDIR/installed"
fi
# Every directory of a file is in the PLIST, but PREFIX's own.
for dir in $(sed -n 's|/[^/]*$||p' "$TMPDIR/plist" | sort -u); do
	case $dir in sbin|man/man5|man/man8) continue ;; esac
	grep -qx "$dir/" "$PORT/pkg/PLIST" || fail "PLIST lacks $dir/"
done
grep -qx '@rcscript ${RCDIR}/dsvpnd' "$PORT/pkg/PLIST" ||
    fail "PLIST lacks @rcscript \${RCDIR}/dsvpnd"

[ $failures -eq 0 ] || { echo "$failures failed"; exit 1; }
echo "the OpenBSD port skeleton is consistent"
