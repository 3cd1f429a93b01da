/* getrandom() first appeared in glibc 2.25: needs GLIBC_2.25. */
#include <stdio.h>
#include <sys/random.h>

int main(void)
{
    unsigned char buf[16];
    ssize_t n = getrandom(buf, sizeof buf, 0);
    printf("%zd %u\n", n, buf[0]);
    return 0;
}
