# common/ sits below every process: no file there may include a header
# of parent/, tunnel/, netcfg/ or dsvpnctl/ (the payloads that cross
# processes live in common/ too, e.g. common/netcfg_req.h).
# timeout: 30
set -u
cd "$SRCDIR" || exit 1
upper=$(ls parent/*.h tunnel/*.h netcfg/*.h dsvpnctl/*.h 2>/dev/null |
    sed 's|.*/||' | sort -u)
bad=0
for h in $upper; do
	# A header of the same name in common/ is common's own.
	[ -f "common/$h" ] && continue
	if grep -n "#include \"$h\"" common/*.c common/*.h; then
		echo "common/ includes $h, a header of a process"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "common/ includes no process's header"
exit $bad
