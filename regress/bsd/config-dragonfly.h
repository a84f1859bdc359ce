/* config.h stand-in for bsd-syntax-check on dragonfly: what configure finds there. */
#define HAVE_STRLCPY 1
#define HAVE_STRLCAT 1
#define HAVE_STRTONUM 1
#define HAVE_REALLOCARRAY 1
#define HAVE_RECALLOCARRAY 1
#define HAVE_FREEZERO 1
#define HAVE_GETPEEREID 1
#define HAVE_SETPROCTITLE 1
#define HAVE_CLOSEFROM 1
#define HAVE_SETRESUID 1
#define HAVE_SETRESGID 1
#define HOST_KIND "dragonfly"
#define SANDBOX_STYLE "none"
#define PACKAGE_VERSION "check"
