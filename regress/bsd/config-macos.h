/* config.h stand-in for bsd-syntax-check on macos: what configure finds there. */
#define HAVE_STRLCPY 1
#define HAVE_STRLCAT 1
#define HAVE_STRTONUM 1
#define HAVE_GETPEEREID 1
#define HOST_KIND "darwin"
#define SANDBOX_STYLE "none"
#define PACKAGE_VERSION "check"
