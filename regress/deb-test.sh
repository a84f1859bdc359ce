#!/bin/bash
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
# The Debian package, end to end (CI runs this; it changes the machine,
# so it is no test of regress/run.sh): build it from the tracked files
# (dpkg-buildpackage -us -uc -b, in a scratch copy), lintian at the
# normal level, install it, run the demo against /usr/sbin/dsvpnd, purge
# it, and check that nothing of it is left.  Run as root from the tree.
#
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

B=$(mktemp -d /tmp/dsvpnd-deb.XXXXXX)
trap 'rm -rf "$B"' EXIT
mkdir "$B/src"
git ls-files -z | tar --null -T - -cf - | tar -x -C "$B/src"

echo "== dpkg-buildpackage -us -uc -b"
(cd "$B/src" && dpkg-buildpackage -us -uc -b) >"$B/build.log" 2>&1 ||
    { tail -n 60 "$B/build.log"; exit 1; }
grep -E '^# (TOTAL|PASS|FAIL|SKIP|ERROR):' "$B/build.log" || true
deb=$(ls "$B"/dsvpnd_*_*.deb)

echo "== lintian"
lintian --fail-on error,warning "$B"/dsvpnd_*.changes
echo "lintian: no errors or warnings"

echo "== install $(basename "$deb")"
dpkg-deb -c "$deb" | awk '{ print substr($6, 2) }' >"$B/contents"
user_before=$(getent passwd _dsvpnd || true)
apt-get install -y -qq "$deb" >"$B/apt.log" 2>&1 ||
    { cat "$B/apt.log"; exit 1; }
getent passwd _dsvpnd >/dev/null || { echo "no user _dsvpnd"; exit 1; }
/usr/sbin/dsvpnd -V

echo "== the demo, with the installed binaries"
DSVPND=/usr/sbin/dsvpnd DSVPNCTL=/usr/sbin/dsvpnctl ./regress/demo.sh

echo "== purge"
apt-get purge -y -qq dsvpnd >"$B/apt.log" 2>&1 ||
    { cat "$B/apt.log"; exit 1; }
left=0
while read -r f; do
	[ -z "$f" ] || [ -d "$f" ] || [ ! -e "$f" ] && continue
	echo "left behind: $f"; left=1
done <"$B/contents"
for f in /var/lib/dsvpnd \
    /etc/systemd/system/multi-user.target.wants/dsvpnd.service; do
	[ -e "$f" ] && { echo "left behind: $f"; left=1; }
done
if [ -z "$user_before" ] && getent passwd _dsvpnd >/dev/null; then
	echo "left behind: the user _dsvpnd the package made"; left=1
fi
dpkg -s dsvpnd >/dev/null 2>&1 && { echo "dsvpnd still installed"; left=1; }
[ $left -eq 0 ] || exit 1
echo "deb: built, lintian-clean, installed, demo run, purged without a trace"
