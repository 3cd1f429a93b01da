/* __libc_enable_secure is exported by ld.so under GLIBC_PRIVATE: the binary
   gets DT_NEEDED ld-linux-x86-64.so.2 and a GLIBC_PRIVATE version need, which
   ties it to the exact glibc build it was linked against. */
#include <stdio.h>

extern int __libc_enable_secure;

int main(void)
{
    printf("secure=%d\n", __libc_enable_secure);
    return 0;
}
