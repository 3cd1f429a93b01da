/* With 64-bit file offsets, glibc 2.28+ headers redirect fcntl() to
   fcntl64(), which only exists from GLIBC_2.28 on. On x86_64 the plain
   build binds fcntl@GLIBC_2.2.5; this is the classic way a rebuilt program
   silently stops running on glibc 2.27 and older. */
#define _FILE_OFFSET_BITS 64
#include <fcntl.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    int flags = fcntl(argc, F_GETFD);
    printf("%d\n", flags);
    return 0;
}
