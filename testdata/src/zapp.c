/* The application of the container images in testdata/images/: needs
   libz.so.1 and libc.so.6, and nothing newer than Debian 11's glibc 2.31 and
   zlib 1.2.11. build.sh never runs it; it asks each image's own loader, in
   list mode, where the libraries come from. */
#include <stdio.h>

/* zlib.h's declaration: the bullseye sysroot has zlib1g, not zlib1g-dev. */
extern const char *zlibVersion(void);

int main(void)
{
    printf("zlib %s\n", zlibVersion());
    return 0;
}
