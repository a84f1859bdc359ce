/* config.h stand-in for bsd-syntax-check on freebsd: what configure finds there. */
#define HAVE_STRLCPY 1
#define HAVE_STRLCAT 1
#define HAVE_STRTONUM 1
#define HAVE_REALLOCARRAY 1
#define HAVE_GETPEEREID 1
#define HAVE_SETPROCTITLE 1
#define HAVE_CLOSEFROM 1
#define HAVE_SETRESUID 1
#define HAVE_SETRESGID 1
#define HAVE_SYS_CAPSICUM_H 1
#define HAVE_NET_IF_TUN_H 1
#define HOST_KIND "freebsd"
#define SANDBOX_STYLE "capsicum"
#define PACKAGE_VERSION "check"
