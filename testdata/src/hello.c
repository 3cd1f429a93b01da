/* The smallest useful dynamic program: on glibc 2.34+ toolchains it needs
   GLIBC_2.34 (__libc_start_main), otherwise only the architecture's base node. */
#include <stdio.h>

int main(void)
{
    puts("hello, world");
    return 0;
}
