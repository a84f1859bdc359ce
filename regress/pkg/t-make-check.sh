# make check runs every unit test program regress/run.sh runs: each
# regress/*/test_* the build makes is in TESTS (regress/Makefile.inc),
# so that a new one is not silently left out of make check and distcheck.
# timeout: 60
set -u
: "${BUILDDIR:?}"
tests=$(printf 'print-tests:\n\t@echo $(TESTS)\n' |
    make -s -C "$BUILDDIR" -f Makefile -f - print-tests) ||
    { echo "FAIL: cannot read TESTS from the Makefile"; exit 1; }
missing=0
for t in "$BUILDDIR"/regress/*/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	case $t in *.o|*.c|*.h) continue ;; esac
	name=${t#"$BUILDDIR"/}
	case " $tests " in
	*" $name "*) ;;
	*) echo "FAIL: $name is not in TESTS (regress/Makefile.inc)"
	   missing=$((missing + 1)) ;;
	esac
done
[ $missing -eq 0 ] || exit 1
echo "every unit test program is in make check: $tests"
