# DSVPND_CHECK_OS: one case on $host_os sets the HOST_* conditionals that
# choose the per-OS backend files, as OpenNTPD portable does.
AC_DEFUN([DSVPND_CHECK_OS], [
	host_kind=other
	case "$host_os" in
	linux*)		host_kind=linux ;;
	openbsd*)	host_kind=openbsd ;;
	freebsd*)	host_kind=freebsd ;;
	dragonfly*)	host_kind=dragonfly ;;
	netbsd*)	host_kind=netbsd ;;
	darwin*)	host_kind=darwin ;;
	esac
	AM_CONDITIONAL([HOST_LINUX], [test $host_kind = linux])
	AM_CONDITIONAL([HOST_OPENBSD], [test $host_kind = openbsd])
	AM_CONDITIONAL([HOST_FREEBSD], [test $host_kind = freebsd])
	AM_CONDITIONAL([HOST_DRAGONFLY], [test $host_kind = dragonfly])
	AM_CONDITIONAL([HOST_NETBSD], [test $host_kind = netbsd])
	AM_CONDITIONAL([HOST_DARWIN], [test $host_kind = darwin])
	AM_CONDITIONAL([HOST_TUNDEV], [test $host_kind = openbsd -o $host_kind = freebsd -o $host_kind = dragonfly -o $host_kind = netbsd])
	AC_DEFINE_UNQUOTED([HOST_KIND], ["$host_kind"], [The OS family])
])

# DSVPND_CHECK_SANDBOX: --with-sandbox picks exactly one backend; asking for
# one that cannot work here is an error, never a silent fallback.
AC_DEFUN([DSVPND_CHECK_SANDBOX], [
	AC_ARG_WITH([sandbox],
	    [AS_HELP_STRING([--with-sandbox=STYLE],
	    [auto, seccomp, pledge, capsicum or none [auto]])],
	    [sandbox=$withval], [sandbox=auto])
	have_seccomp=no
	AS_IF([test $host_kind = linux], [
		PKG_CHECK_MODULES([SECCOMP], [libseccomp >= 2.4],
		    [have_seccomp=yes],
		    [AS_IF([test "x$sandbox" != xnone],
		    [AC_MSG_ERROR([libseccomp not found: install libseccomp-dev (Debian), or configure --with-sandbox=none])])])
	])
	AC_CHECK_FUNC([pledge], [have_pledge=yes], [have_pledge=no])
	AC_CHECK_FUNC([cap_enter], [have_capsicum=yes], [have_capsicum=no])
	case "$sandbox" in
	auto)
		if test $have_seccomp = yes; then sandbox=seccomp
		elif test $have_pledge = yes; then sandbox=pledge
		elif test $have_capsicum = yes; then sandbox=capsicum
		else sandbox=none; fi ;;
	seccomp)
		test $have_seccomp = yes ||
		    AC_MSG_ERROR([--with-sandbox=seccomp needs Linux and libseccomp-dev]) ;;
	pledge)
		test $have_pledge = yes ||
		    AC_MSG_ERROR([--with-sandbox=pledge needs OpenBSD's pledge(2)]) ;;
	capsicum)
		test $have_capsicum = yes ||
		    AC_MSG_ERROR([--with-sandbox=capsicum needs FreeBSD's cap_enter(2)]) ;;
	none) ;;
	*)	AC_MSG_ERROR([unknown sandbox style '$sandbox']) ;;
	esac
	AS_IF([test $sandbox != seccomp], [SECCOMP_CFLAGS=; SECCOMP_LIBS=])
	AM_CONDITIONAL([SANDBOX_SECCOMP], [test $sandbox = seccomp])
	AM_CONDITIONAL([SANDBOX_PLEDGE], [test $sandbox = pledge])
	AM_CONDITIONAL([SANDBOX_CAPSICUM], [test $sandbox = capsicum])
	AM_CONDITIONAL([SANDBOX_NONE], [test $sandbox = none])
	AC_DEFINE_UNQUOTED([SANDBOX_STYLE], ["$sandbox"], [The sandbox backend])
])
