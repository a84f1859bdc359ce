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
# make check runs each test through this, as regress/run.sh does: in a
# scratch directory of its own (also its TMPDIR), removed afterwards.
# A script (*.sh) runs with bash, a program as it is; exit 77 is a skip.
#
#	check-wrap.sh TEST
#
t=$1
case $t in
/*)	;;
*)	t=$(pwd)/$t ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsvpnd-check.XXXXXX") || exit 99
case $t in
*.sh)	(cd "$tmp" && TMPDIR=$tmp bash "$t") ;;
*)	(cd "$tmp" && TMPDIR=$tmp "$t") ;;
esac
rc=$?
rm -rf "$tmp"
exit $rc
