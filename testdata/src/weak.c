/* A weak reference to getrandom (GLIBC_2.25), checked at run time. Linked
   against a copy of libc.so.6 whose GLIBC_2.25 definition is marked weak (see
   set_verdef_weak.py), GNU ld writes the version need with VER_FLG_WEAK:
   glibc's ld.so then only warns, instead of failing, when GLIBC_2.25 is
   missing. */
#include <stdio.h>
#include <sys/random.h>

extern ssize_t getrandom(void *buf, size_t len, unsigned int flags) __attribute__((weak));

int main(void)
{
    unsigned char b[4] = { 0 };
    if (getrandom)
        getrandom(b, sizeof b, 0);
    printf("%u\n", b[0]);
    return 0;
}
